/* OPCO 2i, "spa" rendering: the one-time-secret page the mail's link opens (the form itself is
   spa-msforms.js). The key arrives as JSON and is written as text beside its caption; once shown,
   or when the server says the link is spent, there is no button left. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  S.register("secret", function (app, page) {
    var texts = page.texts;
    var panel = h("div.ots-panel");

    function fill(nodes) {
      S.clear(panel);
      nodes.forEach(function (node) { panel.appendChild(node); });
    }

    function title(text) {
      return h("div.ots-title", { role: "heading", "aria-level": "1" }, text);
    }

    function expired() {
      fill([title(texts.expiredTitle), h("div.ots-text", texts.expiredText)]);
    }

    function shown(key) {
      fill([
        title(texts.title),
        h("div.ots-secret",
          h("span.ots-secret-caption", texts.password),
          h("span.ots-secret-value", { translate: "no" }, key)),
        h("div.ots-actions", h("button.ots-copy", {
          type: "button", onclick: function () { S.copyText(key).catch(function () {}); }
        }, h("span", texts.copy))),
        h("div.ots-note", texts.shownNote)
      ]);
    }

    var reveal = h("button.ots-reveal", {
      type: "button",
      onclick: function () {
        reveal.disabled = true;
        window.Sandbox.postJSON(app.routes.reveal, {}).then(function (res) {
          if (res.ok && res.data.motDePasse) shown(res.data.motDePasse); else expired();
        });
      }
    }, h("span", texts.reveal));

    if (page.expired) expired();
    else fill([title(texts.title), h("div.ots-text", texts.text), h("div.ots-actions", reveal)]);
    return h("div.ots-app", h("div.ots-topbar", "Partage sécurisé"), panel);
  });

  S.start("app-root");
})();
