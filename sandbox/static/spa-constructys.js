/* Constructys, "spa" rendering: the public page of the experimental phase, built from the model:
   the title a role=heading div, each step a numbered block (not a list), the form's link inside
   the first one (the form itself is spa-msforms.js). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  S.register("article", function (app, page) {
    var steps = page.steps.map(function (step, index) {
      var text = step.length === 3
        ? [step[0], h("a.cy-link", { href: app.routes.form }, step[1]), step[2]]
        : [step[0]];
      return h("div.cy-step",
        h("span.cy-step-number", { "aria-hidden": "true" }, String(index + 1)),
        h("div.cy-step-text", text));
    });
    return h("div.cy-site",
      h("div.cy-topbar", h("span.cy-brand", "Constructys"), h("span.cy-baseline", "L'OPCO de la construction")),
      h("div.cy-page",
        h("div.cy-crumbs", "Accueil / Actualités / CFA"),
        h("div.cy-heading", { role: "heading", "aria-level": "1" }, page.heading),
        h("div.cy-lead", page.intro),
        h("div.cy-steps", steps)),
      h("div.cy-foot", "Constructys – Opérateur de compétences de la construction"));
  });

  S.start("app-root");
})();
