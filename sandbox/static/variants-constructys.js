/* Constructys (variants): the theme's menu, the form's « Envoyer » and the late cookie banner.
   No words here: the page carries them. */
(function () {
  "use strict";

  var burger = document.querySelector(".cy-burger");
  if (burger) {
    burger.addEventListener("click", function () {
      var open = burger.getAttribute("aria-expanded") !== "true";
      burger.setAttribute("aria-expanded", String(open));
      document.getElementById("cy-menu").classList.toggle("is-open", open);
    });
  }

  var form = document.getElementById("cy-form");
  if (form) {
    var send = form.querySelector("[data-submit]");
    var sending = form.querySelector(".cy-sending");
    var go = function () {
      if (send.getAttribute("aria-disabled") === "true") return;
      send.setAttribute("aria-disabled", "true");
      sending.hidden = false;
      form.submit();
    };
    send.addEventListener("click", go);
    send.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        go();
      }
    });
    var summary = document.getElementById("cy-summary");
    if (summary) summary.focus();
  }

  /* tarteaucitron is loaded once the page is complete */
  var root = document.getElementById("cy-consent-root");
  function answered() {
    return document.cookie.split(";").some(function (c) {
      return c.trim().indexOf(root.dataset.cookie + "=") === 0;
    });
  }
  function loadConsent() {
    if (window.cyConsent) { window.cyConsent.show(); return; }
    var script = document.createElement("script");
    script.src = root.dataset.script;
    document.body.appendChild(script);
  }
  window.addEventListener("load", function () {
    if (root && !answered()) loadConsent();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-cy-cookies-open]")) {
      event.preventDefault();
      loadConsent();
    }
  });
}());
