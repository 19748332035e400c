/* Kiosk: after data-idle-seconds on <body> without a touch, go back to the kiosk home.
 *
 * The next villager at the screen should find the Chinese home page, not the last
 * person's village in English: the reset form (kiosk/base.html) sets the default
 * language and redirects home. Static file only; the CSP allows no inline script.
 *
 * Nor may they find the last person's unsent complaint: drafts (reports/draft.js keeps
 * them in sessionStorage on a kiosk) are deleted when the kiosk goes home, by itself or
 * by the Home button. Elements are looked up when needed, not once: the complaint form
 * replaces the page's body with the server's answer without a reload.
 */
(function () {
  "use strict";

  var DRAFTS = "sunlit.draft.";

  function forgetDrafts() {
    [window.sessionStorage, window.localStorage].forEach(function (s) {
      try {
        for (var i = s.length - 1; i >= 0; i--) {
          var name = s.key(i);
          if (name && name.indexOf(DRAFTS) === 0) {
            s.removeItem(name);
          }
        }
      } catch (e) {
        /* storage disabled: nothing kept, nothing to delete */
      }
    });
  }

  // The Home button ends a visit: nothing typed stays for the next person.
  document.addEventListener(
    "click",
    function (event) {
      if (event.target.closest && event.target.closest(".kiosk-home")) {
        forgetDrafts();
      }
    },
    true
  );

  var seconds = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!(seconds > 0)) {
    return;
  }
  var timer = null;

  function resetForm() {
    return document.getElementById("kiosk-idle-reset");
  }

  function atHomeAlready(form) {
    if (!form) {
      return false;
    }
    return (
      window.location.pathname === form.elements.next.value &&
      document.documentElement.lang === form.elements.language.value
    );
  }

  function goHome() {
    var form = resetForm();
    forgetDrafts();
    if (atHomeAlready(form)) {
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

  ["pointerdown", "touchstart", "keydown", "wheel", "scroll", "input"].forEach(function (name) {
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
// Here rather than inline: the Content Security Policy allows no inline script. Delegated,
// so a receipt that replaced the page's body without a reload prints too.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
