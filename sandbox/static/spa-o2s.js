/* O2S (Harvest), "spa" rendering: every page is built here from the shell's JSON model with
   Material-like components: a toolbar whose « Modules » menu exists only once opened, cards whose
   title sits in the header apart from the content, fields captioned by their placeholder only,
   requests deleted from a link styled as a button after a dialog named by its heading. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function card(options) {
    var titleId = S.uid("o2-card-title");
    return h("mat-card.mat-mdc-card.o2-card" + (options.modifier ? "." + options.modifier : ""),
      { role: options.region ? "region" : null, "aria-labelledby": options.region ? titleId : null },
      h("mat-card-header.mat-mdc-card-header",
        h((options.level || "h2") + ".mat-mdc-card-title", { id: titleId }, options.title),
        options.subtitle ? h("div.mat-mdc-card-subtitle", options.subtitle) : null),
      h("mat-card-content.mat-mdc-card-content", options.body),
      options.actions ? h("mat-card-actions.mat-mdc-card-actions", options.actions) : null);
  }

  function logo() {
    return h("span.o2-logo", "O2S", h("small", "by Harvest"));
  }

  function shell(app, content) {
    var r = app.routes;
    var modules = S.menuTrigger({
      className: "o2-modules",
      menuLabel: "Modules",
      content: [S.icon("folder"), h("span", "Modules"), S.icon("chevron")],
      items: function () {
        return app.modules.map(function (item) { return { label: item.label, href: item.href }; });
      }
    });
    var current = app.modules.filter(function (item) { return item.current; })[0];
    return h("div.o2-app",
      h("mat-toolbar.mat-toolbar.o2-toolbar",
        logo(), modules,
        current ? h("span.o2-current", current.label) : null,
        h("span.toolbar-spacer"),
        h("span.o2-user", S.icon("user"), h("span", app.user.displayName)),
        h("a.mat-mdc-button.o2-logout", { href: r.logout }, S.icon("logout"), h("span", "Déconnexion"))),
      h("main.o2-content", content),
      h("footer.o2-footer", "O2S – Harvest" + (app.support ? " · " + app.support : "")));
  }

  /* ----- login ------------------------------------------------------------------------------ */

  S.register("login", function (app, page) {
    var password = h("input.mdc-text-field__input", {
      type: "password", name: "password", autocomplete: "current-password",
      placeholder: "Mot de passe", required: true
    });
    var form = h("form", { method: "post", action: app.routes.loginSubmit },
      S.csrfInput(app),
      h("div.mdc-text-field.mdc-text-field--outlined", h("input.mdc-text-field__input", {
        type: "email", name: "email", autocomplete: "username", placeholder: "Adresse e-mail",
        required: true, value: page.username || ""
      })),
      h("div.mdc-text-field.mdc-text-field--outlined", password,
        S.passwordEye(password, "button.mdc-icon-button", S.icon("eye"))),
      h("button.spa-btn.spa-btn-primary.o2-wide", { type: "submit" }, "Connexion"));
    return h("div.o2-public", h("main.o2-login", card({
      title: "Connexion à O2S", level: "h1",
      body: [
        logo(),
        page.error ? h("div.o2-alert.o2-alert-error", { role: "alert" }, page.error) : null,
        form,
        h("p.o2-muted", "Mot de passe oublié ? Contactez le support O2S.")
      ]
    })));
  });

  S.register("module", function (app, page) {
    return shell(app, [
      h("h1.o2-title", page.label),
      page.welcome ? h("p", "Bonjour " + app.user.firstName + ", bienvenue dans O2S.") : null,
      card({ title: page.welcome ? "Synthèse" : page.label,
             body: h("p", page.welcome ? "42 clients suivis · 3 synchronisations en attente." : "Aucun élément à afficher.") })
    ]);
  });

  /* ----- « Demande d'agrégation » ----------------------------------------------------------- */

  S.register("agregation", function (app, page) {
    var r = app.routes;
    var formError = h("div.o2-feedback");
    var listError = h("div.o2-feedback");
    var list = h("div.o2-requests", { "aria-live": "polite" },
      h("div.mat-mdc-progress-bar", { role: "progressbar", "aria-label": "Chargement des demandes" }));
    var code = h("input.mdc-text-field__input", {
      type: "text", name: "codeApporteur", inputmode: "numeric", placeholder: "Code Apporteur",
      autocomplete: "off"
    });
    var token = h("input.mdc-text-field__input", {
      type: "text", name: "token", placeholder: "TOKEN", autocomplete: "off", spellcheck: "false"
    });
    var submit = h("button.spa-btn.spa-btn-primary", { type: "submit" }, "Envoyer la demande");

    function fail(slot, res) {
      S.clear(slot).appendChild(h("div.o2-alert.o2-alert-error", { role: "alert" },
        (res.data && res.data.error) || "Une erreur est survenue."));
    }

    function confirmDelete(item) {
      var confirmButton = h("button.spa-btn.o2-danger", { type: "button" }, "Confirmer la suppression");
      var ref = S.dialog({
        title: page.deleteTitle,
        content: h("p", page.deleteText.replace("{code}", item.code)),
        actions: [
          h("button.spa-btn.spa-btn-outline", { type: "button", onclick: function () { ref.close(); } }, "Annuler"),
          confirmButton
        ]
      });
      confirmButton.addEventListener("click", function () {
        confirmButton.disabled = true;
        S.clear(listError);
        window.Sandbox.postJSON(r.apiDelete, { id: item.id }).then(function (res) {
          ref.close();
          if (!res.ok) { fail(listError, res); return; }
          render(res.data.demandes);
          S.snackBar(res.data.message);
        });
      });
    }

    function render(items) {
      S.clear(list);
      if (!items.length) {
        list.appendChild(h("p.o2-empty", page.noRequest));
        return;
      }
      items.forEach(function (item) {
        list.appendChild(h("article.o2-request",
          h("h3.o2-request-title", item.compagnie + " – Code Apporteur " + item.code),
          h("div.o2-request-details",
            h("span", "TOKEN : " + item.token),
            h("span", "Demandée le " + item.date),
            h("span.o2-chip", item.statut)),
          S.linkButton("spa-btn.spa-btn-outline.o2-delete", "Supprimer", function () { confirmDelete(item); })));
      });
    }

    var form = h("form.o2-form", {
      onsubmit: function (event) {
        event.preventDefault();
        submit.disabled = true;
        S.clear(formError);
        window.Sandbox.postJSON(r.apiCreate, { codeApporteur: code.value, token: token.value }).then(function (res) {
          submit.disabled = false;
          if (!res.ok) { fail(formError, res); return; }
          code.value = "";
          token.value = "";
          render(res.data.demandes);
          S.snackBar(res.data.message);
        });
      }
    },
      h("div.mdc-text-field.mdc-text-field--outlined", code),
      h("div.mdc-text-field.mdc-text-field--outlined", token),
      formError,
      submit);

    window.Sandbox.getJSON(r.apiRequests).then(function (res) {
      if (res.ok) render(res.data.demandes); else { S.clear(list); fail(listError, res); }
    });

    return shell(app, [
      h("h1.o2-title", "Demande d'agrégation"),
      card({ title: "Nouvelle demande", subtitle: "Compagnie : " + page.company, region: true,
             body: [h("p", page.intro), form] }),
      card({ title: "Mes demandes d'agrégation", region: true,
             body: [h("p.o2-muted", page.changeNote), listError, list] })
    ]);
  });

  S.start("app-root");
})();
