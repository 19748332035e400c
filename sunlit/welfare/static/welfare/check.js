/* The self-check form ("has my subsidy arrived?").
 *
 * An ID-card reader that works as a keyboard types the 18 characters and then Enter.
 * Enter in the ID field moves on to the name when the name is still empty (and submits
 * the form otherwise): nothing here reformats what was typed, so a reader's keystrokes
 * arrive unchanged. "Finish" replaces the page rather than adding to the history, so
 * Back cannot bring the answer back on a shared kiosk. */
(function () {
  "use strict";
  var form = document.querySelector("[data-welfare-check]");
  if (form) {
    var id = form.querySelector("#id_number");
    var name = form.querySelector("#name");
    id.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !name.value.trim()) {
        event.preventDefault();
        name.focus();
      }
    });
  }
  document.querySelectorAll("a[data-replace]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(link.href);
    });
  });
})();
