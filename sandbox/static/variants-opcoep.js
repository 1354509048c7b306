/* OPCO EP ("variants" rendering): the « Mes services en ligne » drop-down, the portal's menu bar,
   the token page (loaded, revealed, generated, downloaded through fetch) and the cookie banner's
   loader. Words shown to the person come from the page (data-*). */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  /* A button that opens a menu (click, or keyboard); closes on Escape or a click elsewhere. */
  function dropdown(button, menu, container) {
    function items() { return Array.prototype.slice.call(menu.querySelectorAll("a[role=menuitem]")); }
    function open(focus) {
      menu.hidden = false;
      button.setAttribute("aria-expanded", "true");
      if (focus && items()[0]) items()[0].focus();
    }
    function close(focus) {
      menu.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (focus) button.focus();
    }
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      if (menu.hidden) open(false); else close(false);
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); open(true); }
    });
    menu.addEventListener("keydown", function (event) {
      var list = items(), i = list.indexOf(document.activeElement);
      if (event.key === "Escape") close(true);
      else if (event.key === "ArrowDown") { event.preventDefault(); list[(i + 1) % list.length].focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); list[(i - 1 + list.length) % list.length].focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!container.contains(event.target)) close(false);
    });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) throw new Error("session");
        if (!response.ok) throw new Error("failed");
        return response.json();
      });
  }

  /* « Sécurisation des imports de contrat d'apprentissage » */
  function tokenPanel(panel) {
    var field = panel.querySelector("[data-token-value]");
    var expiry = panel.querySelector("[data-token-expiry]");
    var status = panel.querySelector("[data-token-status]");
    var alert = panel.querySelector("[data-token-alert]");
    var reveal = panel.querySelector("[data-token-reveal]");
    var revealText = panel.querySelector("[data-reveal-text]");
    var download = panel.querySelector("[data-token-download]");
    var generate = document.querySelector("[data-token-generate]");
    var msg = function (name, date) { return (panel.getAttribute("data-msg-" + name) || "").replace("{date}", date || ""); };
    var hasToken = false, busy = false;

    function say(text) { status.textContent = text; alert.hidden = true; }
    function fail(error) {
      status.textContent = "";
      alert.textContent = msg(error && error.message === "session" ? "session" : "failed");
      alert.hidden = false;
    }
    function masked() {
      field.value = "";
      reveal.setAttribute("aria-pressed", "false");
      revealText.textContent = revealText.getAttribute("data-show");
    }
    function describe(data) {
      hasToken = !!data.token;
      expiry.value = data.expiration || "";
      if (!hasToken) say(msg("none"));
      else if (data.expire === "oui") say(msg("expired", data.expiration));
      else say(msg("valid", data.expiration));
    }

    // On arrival only the expiry is shown; the token itself stays masked until asked for.
    getJSON(panel.getAttribute("data-api")).then(function (data) { masked(); describe(data); }, fail);

    reveal.addEventListener("click", function () {
      if (reveal.getAttribute("aria-pressed") === "true") { masked(); return; }
      getJSON(panel.getAttribute("data-api")).then(function (data) {
        describe(data);
        if (!data.token) return;
        field.value = data.token;
        reveal.setAttribute("aria-pressed", "true");
        revealText.textContent = revealText.getAttribute("data-hide");
      }, fail);
    });

    generate.addEventListener("click", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      generate.setAttribute("aria-disabled", "true");
      say(msg("working"));
      fetch(panel.getAttribute("data-generate"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json",
                   "X-CSRF-Token": panel.getAttribute("data-csrf") },
        body: "{}"
      }).then(function (response) {
        if (response.status === 401) throw new Error("session");
        if (!response.ok) throw new Error("failed");
        return response.json();
      }).then(function (data) {
        describe(data);
        field.value = data.token;
        reveal.setAttribute("aria-pressed", "true");
        revealText.textContent = revealText.getAttribute("data-hide");
        toast(data.message);
      }, fail).then(function () {
        busy = false;
        generate.removeAttribute("aria-disabled");
      });
    });

    download.addEventListener("click", function (event) {
      if (!hasToken) { event.preventDefault(); say(msg("nodownload")); }
    });
  }

  /* A pop-in in the corner after the answer came. */
  function toast(text) {
    if (!text) return;
    var old = document.querySelector(".ep-toast");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "ep-toast";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "ep-toast__close";
    close.innerHTML = '<span aria-hidden="true">×</span><span class="ep-sr">Fermer le message</span>';
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(p);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  function consentLoader() {
    var template = document.getElementById("ep-consent");
    if (!template) return;
    var name = template.getAttribute("data-cookie");
    var answered = document.cookie.split(";").some(function (c) { return c.trim().indexOf(name + "=") === 0; });
    if (answered) return;
    var script = document.createElement("script");
    script.src = template.getAttribute("data-script");
    document.body.appendChild(script);
  }

  onReady(function () {
    document.querySelectorAll("[data-dropdown]").forEach(function (box) {
      dropdown(box.querySelector("[aria-haspopup]"), box.querySelector("[role=menu]"), box);
    });
    document.querySelectorAll("[data-menubar] .ep-has-sub").forEach(function (item) {
      dropdown(item.querySelector("[aria-haspopup]"), item.querySelector("[role=menu]"), item);
    });
    document.querySelectorAll("[data-token-panel]").forEach(tokenPanel);
  });
  if (document.readyState === "complete") consentLoader();
  else window.addEventListener("load", consentLoader);
})();
