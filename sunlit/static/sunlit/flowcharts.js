/* Draw every <pre class="mermaid"> with Mermaid. Loaded after mermaid.min.js.
 * "strict" keeps diagram text from carrying script or HTML. */
(function () {
  "use strict";

  if (!window.mermaid) {
    return;
  }
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  window.mermaid.run({ querySelector: "pre.mermaid" });
})();
