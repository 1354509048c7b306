/* myAtlas ("variants" rendering): user menu, space tiles, password toggle, « Ma clé CFA » card,
   and the cookie banner's loader. Words shown to the person come from the page (data-*). */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  /* ----- the user menu (avatar at the top right) ----- */
  function userMenu(root) {
    var button = root.querySelector("[aria-haspopup]");
    var panel = root.querySelector("[role=menu]");
    var items = function () { return Array.prototype.slice.call(panel.querySelectorAll("[role=menuitem]")); };
    function open(focusFirst) {
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      if (focusFirst && items()[0]) items()[0].focus();
    }
    function close(focusButton) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (focusButton) button.focus();
    }
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      if (panel.hidden) open(false); else close(false);
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); open(true); }
    });
    panel.addEventListener("keydown", function (event) {
      var list = items(), i = list.indexOf(document.activeElement);
      if (event.key === "Escape") close(true);
      else if (event.key === "ArrowDown") { event.preventDefault(); list[(i + 1) % list.length].focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); list[(i - 1 + list.length) % list.length].focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!root.contains(event.target)) close(false);
    });
  }

  /* ----- the space tiles: whole cards acting as buttons ----- */
  function tile(el) {
    function go() { window.location.assign(el.getAttribute("data-href")); }
    el.addEventListener("click", go);
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); go(); }
    });
  }

  function passwordToggle(button) {
    var input = document.getElementById(button.getAttribute("data-toggle-password"));
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
  }

  /* ----- « Ma clé CFA »: the key arrives after the page, from the JSON API ----- */
  function keyCard(card) {
    var loading = card.querySelector("[data-key-loading]");
    var field = card.querySelector("[data-key-value]");
    var status = card.querySelector("[data-key-status]");
    var copy = card.querySelector("[data-copy-key]");
    var msg = function (name) { return card.getAttribute("data-msg-" + name) || ""; };
    var say = function (text) { status.textContent = text; };

    fetch(card.getAttribute("data-api"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) throw new Error("session");
        if (!response.ok) throw new Error("failed");
        return response.json();
      })
      .then(function (data) {
        loading.hidden = true;
        if (!data.cleCfa) { say(msg("none")); return; }
        if (data.expiree) { say(msg("expired").replace("{date}", data.expireLe || "")); return; }
        field.value = data.cleCfa;
        field.hidden = false;
      })
      .catch(function (error) {
        loading.hidden = true;
        say(msg(error.message === "session" ? "session" : "failed"));
      });

    copy.addEventListener("click", function () {
      if (field.hidden || !field.value) { say(msg("nothing")); return; }
      var done = function () { say(msg("copied")); };
      var fallback = function () {
        field.select();
        try { document.execCommand("copy"); } catch (e) { /* the selection is still there */ }
        done();
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  /* ----- the cookie banner: its script comes once everything else has loaded ----- */
  function consentLoader() {
    var template = document.getElementById("va-consent");
    if (!template) return;
    var name = template.getAttribute("data-cookie");
    var answered = document.cookie.split(";").some(function (c) { return c.trim().indexOf(name + "=") === 0; });
    if (answered) return;
    var script = document.createElement("script");
    script.src = template.getAttribute("data-script");
    document.body.appendChild(script);
  }

  onReady(function () {
    document.querySelectorAll("[data-usermenu]").forEach(userMenu);
    document.querySelectorAll("[data-tiles] [data-href]").forEach(tile);
    document.querySelectorAll("[data-toggle-password]").forEach(passwordToggle);
    document.querySelectorAll("[data-key-card]").forEach(keyCard);
  });
  if (document.readyState === "complete") consentLoader();
  else window.addEventListener("load", consentLoader);
})();
