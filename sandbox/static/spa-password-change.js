/* The password change after the login in the spa rendering, the same on every portal: built here
   from the shell's #app-state ({app, page}; page.change comes from web._password_change_page).
   Unlike the classic page: the heading is an ARIA heading, the current password is named by its
   aria-label only, the new one and its confirmation by their placeholders only, and the button is
   a link with role=button (Enter in a field submits too). It mounts itself (the portal's own
   script finds no view of its own to render here). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function view(app, page) {
    var c = page.change;
    var form = h("form.sf-form.pc-form", { method: "post", action: c.action, novalidate: true },
      S.csrfInput(app),
      h("input", { type: "text", name: "username", value: c.username, autocomplete: "username", hidden: true }));
    function submit() { form.submit(); }
    var rulesId = S.uid("pc-rules");
    var fields = [
      h("input.pc-input", { type: "password", name: c.current_field, autocomplete: "current-password", "aria-label": c.current_label }),
      h("input.pc-input", { type: "password", name: c.new_field, autocomplete: "new-password", placeholder: c.new_label, "aria-describedby": rulesId }),
      h("input.pc-input", { type: "password", name: c.confirm_field, autocomplete: "new-password", placeholder: c.confirm_label })
    ];
    fields.forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); submit(); }
      });
    });
    // A caption drawn beside the field, not tied to it: the field's name is its aria-label.
    form.appendChild(h("div.pc-caption", { "aria-hidden": "true" }, c.current_label));
    form.appendChild(fields[0]);
    form.appendChild(fields[1]);
    form.appendChild(h("div.sf-hint.pc-rules", { id: rulesId }, c.rules));
    form.appendChild(fields[2]);
    form.appendChild(h("div.sf-actions",
      h("a.sf-action", {
        href: "#", role: "button",
        onclick: function (event) { event.preventDefault(); submit(); }
      }, c.submit)));
    return h("div.sf-panel",
      h("div.sf-brand", {}, app.brand),
      h("div.sf-title", { role: "heading", "aria-level": "1" }, page.heading),
      page.error ? h("div.sf-alert", { role: "alert" }, page.error) : null,
      h("div.sf-text", {}, c.text),
      form,
      h("div.sf-footer", {}, h("a", { href: c.login }, "Retour à la connexion")));
  }

  function run() {
    var node = document.getElementById("app-state");
    var root = document.getElementById("password-change-root");
    if (!node || !root) return;
    var model = JSON.parse(node.textContent);
    if (model.page.view !== "password-change") return;
    S.clear(root).appendChild(view(model.app, model.page));
    document.title = model.page.title;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
