/* The complaint form keeps its draft on the device and survives a lost connection.
 *
 * - Every change is saved: on a phone in localStorage (the villager's own device, kept
 *   across a reload or a closed tab); on a kiosk in sessionStorage, which kiosk.js clears
 *   when the kiosk goes home (idle or the Home button), so nobody finds another person's
 *   words. One draft per record (kind, ref). Photos are not kept across a reload (a file
 *   input cannot be refilled), but a retry from the open page sends them again.
 * - The draft carries the form's idempotency key: sending it again — after a reload, or a
 *   retry — can only ever answer with the same report and receipt, never file a second.
 * - Sending goes through fetch. If the connection is lost (or the server answers 5xx),
 *   the villager is told, and the same form (same key) is sent again when the browser is
 *   back online, and every few seconds in case no "online" event comes.
 * - The answer replaces the page; once it shows a receipt, the draft is deleted.
 *
 * Messages come from data-* attributes of the form (translated by the template): the
 * CSP allows no inline script, and this file has no words of its own.
 */
(function () {
  "use strict";

  var PREFIX = "sunlit.draft.";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  // Never kept on the device: the receipt (a secret) and the token; kind and ref are the
  // draft's slot. The follow-up page's message form (data-draft="follow") uses only the
  // retry: its words are not among those hasWords() keeps, so nothing of it is stored.
  var SKIP = { csrfmiddlewaretoken: true, kind: true, ref: true, receipt: true };

  function store() {
    try {
      var kiosk = document.body.classList.contains("layout-kiosk");
      var s = kiosk ? window.sessionStorage : window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null; // storage disabled: the form still works, without a draft
    }
  }

  function forgetOld(s) {
    var now = Date.now();
    for (var i = s.length - 1; i >= 0; i--) {
      var name = s.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        try {
          var saved = JSON.parse(s.getItem(name));
          if (!saved || !(now - saved.at < MAX_AGE_MS)) {
            s.removeItem(name);
          }
        } catch (e) {
          s.removeItem(name);
        }
      }
    }
  }

  function fieldValue(form, name) {
    var field = form.elements.namedItem(name);
    return field && "value" in field ? field.value : "";
  }

  function read(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.type === "button") {
        return;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        values[el.name] = values[el.name] || [];
        if (el.checked) {
          values[el.name].push(el.value);
        }
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function write(form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || SKIP[el.name] || el.type === "file") {
        return;
      }
      var value = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  function hasWords(values) {
    return Boolean((values.text || "").trim() || (values.name || "").trim() || (values.phone || "").trim());
  }

  function setup(form) {
    if (form.getAttribute("data-draft-ready")) {
      return;
    }
    form.setAttribute("data-draft-ready", "1");
    var s = store();
    var slot = PREFIX + form.getAttribute("data-draft") + ":" + fieldValue(form, "kind") + ":" + fieldValue(form, "ref");
    var status = form.querySelector(".draft-status");
    var button = form.querySelector("button[type=submit]");
    var sending = false;
    var retryTimer = null;
    var delay = 2000;

    function say(message, urgent) {
      if (!status) {
        return;
      }
      status.textContent = message || "";
      status.setAttribute("role", urgent ? "alert" : "status");
      status.classList.toggle("error", Boolean(urgent));
    }

    function save() {
      if (!s) {
        return;
      }
      var values = read(form);
      if (!hasWords(values)) {
        s.removeItem(slot);
        return;
      }
      try {
        s.setItem(slot, JSON.stringify({ at: Date.now(), values: values }));
      } catch (e) {
        /* full: keep going without a draft */
      }
    }

    function discard() {
      if (s) {
        s.removeItem(slot);
      }
    }

    if (s) {
      forgetOld(s);
      var saved = null;
      try {
        saved = JSON.parse(s.getItem(slot));
      } catch (e) {
        saved = null;
      }
      if (saved && saved.values && hasWords(saved.values) && !hasWords(read(form))) {
        write(form, saved.values);
        say(form.getAttribute("data-msg-restored"), false);
        var again = form.querySelector(".draft-discard");
        if (again) {
          again.hidden = false;
          again.addEventListener("click", function () {
            // A fresh form from the server: a new key, nothing typed.
            discard();
            window.location.assign(window.location.href);
          });
        }
      } else if (hasWords(read(form))) {
        save(); // the server sent the form back with an error: what it shows is the draft
      }
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);

    function waitForConnection() {
      say(form.getAttribute("data-msg-offline"), true);
      if (retryTimer !== null) {
        window.clearTimeout(retryTimer);
      }
      retryTimer = window.setTimeout(retry, delay);
      delay = Math.min(delay * 2, 15000);
    }

    function retry() {
      retryTimer = null;
      if (navigator.onLine === false) {
        waitForConnection();
        return;
      }
      send();
    }

    window.addEventListener("online", function () {
      if (retryTimer !== null && !sending) {
        window.clearTimeout(retryTimer);
        retry();
      }
    });

    function show(html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var receipt = page.querySelector("[data-receipt]");
      if (receipt) {
        discard();
      }
      document.title = page.title;
      // The answer's body replaces this one; the page's scripts (kiosk.js, this file)
      // stay loaded and pick up the new content (kiosk.js looks its elements up lazily).
      document.body.replaceWith(document.adoptNode(page.body));
      window.scrollTo(0, 0);
      var next = document.querySelector("form[data-draft]");
      if (next) {
        setup(next);
      }
    }

    function send() {
      if (sending) {
        return;
      }
      if (retryTimer !== null) {
        window.clearTimeout(retryTimer);
        retryTimer = null;
      }
      sending = true;
      save();
      if (button) {
        button.disabled = true;
      }
      say(form.getAttribute("data-msg-sending"), false);
      // Not form.action: a form with a field named "action" hides the attribute behind it.
      var target = new URL(form.getAttribute("action") || window.location.href, window.location.href).href;
      window
        .fetch(target, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          cache: "no-store",
        })
        .then(function (response) {
          if (response.status >= 500) {
            throw new Error("server " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          sending = false;
          show(html);
        })
        .catch(function () {
          sending = false;
          if (button) {
            button.disabled = false;
          }
          waitForConnection();
        });
    }

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData || !window.DOMParser) {
        return; // an old browser posts the form itself
      }
      event.preventDefault();
      if (typeof form.reportValidity === "function" && !form.reportValidity()) {
        return;
      }
      delay = 2000;
      send();
    });
  }

  document.querySelectorAll("form[data-draft]").forEach(setup);
})();
