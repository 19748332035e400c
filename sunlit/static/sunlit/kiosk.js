/* Kiosk: after data-idle-seconds on <body> without a touch, go back to the kiosk home.
 *
 * The next villager at the screen should find the Chinese home page, not the last
 * person's village in English: the reset form (kiosk/base.html) sets the default
 * language and redirects home. Static file only; the CSP allows no inline script.
 */
(function () {
  "use strict";

  var seconds = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!(seconds > 0)) {
    return;
  }
  var form = document.getElementById("kiosk-idle-reset");
  var timer = null;

  function atHomeAlready() {
    if (!form) {
      return false;
    }
    return (
      window.location.pathname === form.elements.next.value &&
      document.documentElement.lang === form.elements.language.value
    );
  }

  function goHome() {
    if (atHomeAlready()) {
      // Nothing to reset but the scroll position: no request every minute and a half.
      window.scrollTo(0, 0);
      arm();
    } else if (form) {
      form.submit();
    } else {
      window.location.assign("/kiosk/");
    }
  }

  function arm() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(goHome, seconds * 1000);
  }

  ["pointerdown", "touchstart", "keydown", "wheel", "scroll"].forEach(function (name) {
    window.addEventListener(name, arm, { capture: true, passive: true });
  });
  // A long press on a touch screen must not open a menu that then stays open.
  window.addEventListener("contextmenu", function (event) {
    event.preventDefault();
  });
  // Coming back through the browser cache (bfcache) restarts the count.
  window.addEventListener("pageshow", arm);
  arm();
})();

// Buttons marked data-print print the page (a complaint's receipt, on the kiosk's printer).
// Here rather than inline: the Content Security Policy allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
