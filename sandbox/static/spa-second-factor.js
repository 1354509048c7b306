/* The second factor's page in the spa rendering, the same on every portal: built here from the
   shell's #app-state ({app, page}; page.factor comes from web._factor_page). Unlike the classic
   page: the heading is an ARIA heading, the code field has only a placeholder, the buttons are
   links with role=button and « Se souvenir de cet appareil » is a switch. It mounts itself (the
   portal's own script finds no view of its own to render here). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function actionLink(text, onActivate, secondary) {
    return h("a.sf-action" + (secondary ? ".sf-action--secondary" : ""), {
      href: "#", role: "button",
      onclick: function (event) { event.preventDefault(); onActivate(); }
    }, text);
  }

  /* role=switch with aria-checked; the caption beside it names it and toggles it too. */
  function rememberSwitch(initial, hidden) {
    var on = initial;
    var captionId = S.uid("sf-remember");
    var knob = h("span.sf-switch", {
      role: "switch", tabindex: "0", "aria-checked": on ? "true" : "false",
      "aria-labelledby": captionId
    }, h("span.sf-switch__thumb"));
    function toggle() {
      on = !on;
      knob.setAttribute("aria-checked", on ? "true" : "false");
      hidden.value = on ? "1" : "";
    }
    knob.addEventListener("click", toggle);
    knob.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(); }
    });
    return h("div.sf-remember", knob,
      h("span.sf-remember__caption", { id: captionId, onclick: toggle }, "Se souvenir de cet appareil"));
  }

  function view(app, page) {
    var f = page.factor;
    var remember = h("input", { type: "hidden", name: f.remember_field, value: f.remember ? "1" : "" });
    var form = h("form.sf-form", { method: "post", action: f.action, novalidate: true },
      S.csrfInput(app), remember);
    function submit(action) {
      form.action = action;
      form.submit();
    }
    if (f.code_label) {
      form.appendChild(h("input.sf-code", {
        type: "text", name: f.code_field, inputmode: "numeric", autocomplete: "one-time-code",
        placeholder: f.code_label
      }));
    }
    if (f.waiting) {
      form.appendChild(h("div.sf-waiting", { role: "status" },
        h("span.ao-spinner", { "aria-hidden": "true" }), f.waiting));
    }
    form.appendChild(rememberSwitch(f.remember, remember));
    form.appendChild(h("div.sf-hint", {}, f.remember_hint));
    var actions = h("div.sf-actions");
    if (f.submit) actions.appendChild(actionLink(f.submit, function () { submit(f.action); }));
    if (f.resend) actions.appendChild(actionLink(f.resend, function () { submit(f.send); }, true));
    form.appendChild(actions);
    if (f.poll) poll(f, form);
    return h("div.sf-panel",
      h("div.sf-brand", {}, app.brand),
      h("div.sf-title", { role: "heading", "aria-level": "1" }, page.heading),
      page.error ? h("div.sf-alert", { role: "alert" }, page.error) : null,
      h("div.sf-text", {}, f.text),
      form,
      h("div.sf-footer", {}, h("a", { href: f.login }, "Retour à la connexion")));
  }

  /* The app's request is out: ask until approved, then post the form by itself. */
  function poll(f, form) {
    function ask() {
      fetch(f.poll, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.statut === "approuvee") form.submit();
          else if (answer.statut === "expiree") S.go(f.here);
          else setTimeout(ask, f.poll_ms);
        })
        .catch(function () { setTimeout(ask, f.poll_ms * 2); });
    }
    setTimeout(ask, f.poll_ms);
  }

  function run() {
    var node = document.getElementById("app-state");
    var root = document.getElementById("second-factor-root");
    if (!node || !root) return;
    var model = JSON.parse(node.textContent);
    if (model.page.view !== "second-factor") return;
    S.clear(root).appendChild(view(model.app, model.page));
    document.title = model.page.title;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
