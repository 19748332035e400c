/* Draw every <div data-echarts="ID"> from the JSON option in <script id="ID"
 * type="application/json"> (Django's json_script). Loaded after echarts.min.js. */
(function () {
  "use strict";

  function draw(root) {
    if (!window.echarts) {
      return;
    }
    (root || document).querySelectorAll("[data-echarts]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-echarts"));
      if (!source || el.getAttribute("data-drawn")) {
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  window.sunlitCharts = { draw: draw };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      draw();
    });
  } else {
    draw();
  }
})();
