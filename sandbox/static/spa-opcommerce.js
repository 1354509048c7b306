/* L'Opcommerce, portail « Web Services Partenaire », "spa" rendering: every page is built here
   from the shell's JSON model with Material-like components (toolbar, cards whose title sits in
   the header and content in a sibling block, a menu pane built on open, a side nav, dialogs and
   snack-bars in the overlay container). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  /* ----- components ------------------------------------------------------------------------ */

  function card(options) {
    var titleId = S.uid("mat-card-title");
    return h("mat-card.mat-mdc-card" + (options.modifier ? "." + options.modifier : ""),
      { role: options.region ? "region" : null, "aria-labelledby": options.region ? titleId : null },
      h("mat-card-header.mat-mdc-card-header",
        h((options.level || "h2") + ".mat-mdc-card-title", { id: titleId }, options.title)),
      h("mat-card-content.mat-mdc-card-content", options.body),
      options.actions ? h("mat-card-actions.mat-mdc-card-actions", options.actions) : null);
  }

  function logo(href) {
    var content = ["l", h("span", "opcommerce")];
    return href ? h("a.wsp-logo", { href: href }, content) : h("span.wsp-logo", content);
  }

  function publicShell(content) {
    return h("div.wsp-public",
      h("mat-toolbar.mat-toolbar.wsp-toolbar", logo(null),
        h("span.wsp-portal", "Web Services Partenaire")),
      h("main.wsp-public-main", content));
  }

  /* Once logged in: toolbar (logo, « Mes coordonnées », the user, the menu at the top right);
     the administration pages add a side nav. */
  function appShell(app, content) {
    var r = app.routes;
    var menu = S.menuTrigger({
      className: "mdc-icon-button",
      ariaLabel: "Menu",
      menuLabel: "Menu",
      alignEnd: true,
      content: h("span.wsp-burger", { "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      items: function () {
        return app.menu.map(function (item) { return { label: item.label, href: item.href }; })
          .concat([{ label: "Se déconnecter", href: r.logout, icon: "logout" }]);
      }
    });
    var toolbar = h("mat-toolbar.mat-toolbar.wsp-toolbar",
      logo(r.accueil),
      h("span.toolbar-spacer"),
      h("a.mat-mdc-button", { href: r.coordonnees }, "Mes coordonnées"),
      h("span.wsp-user", S.icon("user"), h("span", app.user.displayName)),
      menu);
    var main = h("main.wsp-content", content);
    if (!app.admin) return h("div.wsp-app", toolbar, main);
    var sidenav = h("mat-sidenav.wsp-sidenav",
      h("div.wsp-sidenav-title", "Administration des Utilisateurs"),
      h("mat-nav-list.wsp-nav-list", { role: "navigation", "aria-label": "Administration" },
        app.sidebar.map(function (item) {
          return h("a.mat-mdc-list-item" + (item.current ? ".active" : ""), {
            href: item.href, "aria-current": item.current ? "page" : null
          }, item.label);
        })));
    return h("div.wsp-app", toolbar,
      h("mat-sidenav-container.wsp-sidenav-container", sidenav,
        h("mat-sidenav-content", main)));
  }

  /* ----- public pages ----------------------------------------------------------------------- */

  S.register("login", function (app, page) {
    var r = app.routes;
    var password = h("input.mdc-text-field__input", {
      type: "password", name: "MotDePasse", autocomplete: "current-password",
      placeholder: "Mot de Passe", required: true
    });
    var form = h("form", { method: "post", action: r.loginSubmit },
      S.csrfInput(app),
      h("div.mdc-text-field.mdc-text-field--outlined",
        h("input.mdc-text-field__input", {
          type: "email", name: "Email", autocomplete: "username", placeholder: "Email",
          required: true, value: page.username || ""
        })),
      h("div.mdc-text-field.mdc-text-field--outlined", password,
        S.passwordEye(password, "button.mdc-icon-button", S.icon("eye"))),
      h("button.spa-btn.spa-btn-primary.wsp-wide.wsp-upper", { type: "submit" }, "Se connecter"));
    return publicShell(card({
      title: "Connexion", level: "h1", modifier: "wsp-login-card",
      body: [
        h("p.wsp-hint", "Portail Web Services Partenaire de L'Opcommerce"),
        page.error ? h("div.alert.alert-danger", { role: "alert" }, page.error) : null,
        form
      ],
      actions: h("div.wsp-login-links",
        h("a.spa-btn.spa-btn-outline.wsp-signup", { href: r.signup }, "Créer un Compte"),
        h("a.spa-btn.spa-btn-outline", { href: r.help }, "Besoin d'aide pour vous connecter ?"))
    }));
  });

  S.register("public", function (app, page) {
    return publicShell(card({
      title: page.heading, level: "h1", modifier: "wsp-login-card",
      body: [
        h("p", "Cette page n'est pas simulée dans cette démonstration."),
        h("p", "Pour toute question, contactez le Service Support API : supportapi@lopcommerce.com"),
        h("a.spa-btn.spa-btn-outline", { href: app.routes.login }, "Retour à la connexion")
      ]
    }));
  });

  /* ----- inner pages ------------------------------------------------------------------------ */

  S.register("accueil", function (app) {
    return appShell(app, [
      h("h1.wsp-title", "Bienvenue sur le portail Web Services Partenaire"),
      card({
        title: "Votre espace",
        body: [
          h("p", "Bonjour " + app.user.displayName + ", vous êtes connecté pour le compte de " +
            app.user.organisation + "."),
          h("p", "Ce portail permet aux CFA et à leurs éditeurs de logiciels de gérer les échanges " +
            "de données (CERFA, factures) avec L'Opcommerce par API.")
        ]
      })
    ]);
  });

  S.register("coordonnees", function (app) {
    var u = app.user;
    return appShell(app, [
      h("h1.wsp-title", "Mes coordonnées"),
      card({
        title: "Informations du compte",
        body: h("div.wsp-details",
          [["Nom", u.displayName], ["Email", u.email], ["Organisme", u.organisation],
           ["SIRET", u.siret]].map(function (row) {
            return h("div.wsp-detail", h("span.wsp-detail-label", row[0]), h("span", row[1]));
          }))
      })
    ]);
  });

  S.register("section", function (app, page) {
    return appShell(app, [
      h("h1.wsp-title", page.heading),
      card({ title: page.heading, body: h("p", "Aucun élément à afficher.") })
    ]);
  });

  /* « Accrochage API »: the key comes from the JSON API after the view is built; it is shown in
     a read-only input named by the caption « Votre clé d'API : » (aria-labelledby). */
  S.register("accrochage", function (app, page) {
    var r = app.routes;
    var keySlot = h("div.wsp-key-slot", { "aria-live": "polite" },
      h("div.mat-mdc-progress-bar", { role: "progressbar", "aria-label": "Chargement de votre clé d'API" }));
    var errorSlot = h("div.wsp-error-slot");

    function fail(res) {
      S.clear(errorSlot).appendChild(h("div.alert.alert-danger", { role: "alert" },
        (res.data && res.data.error) || "Une erreur est survenue."));
    }

    function confirmRevoke() {
      var confirmButton = h("button.spa-btn.wsp-red", { type: "button" }, "Confirmer la révocation");
      var ref = S.dialog({
        title: "Révoquer l'accès",
        content: h("p", "Votre clé d'API actuelle ne sera plus valide et le SI du CFA ne pourra " +
          "plus appeler les API de L'Opcommerce. Confirmez-vous la révocation ?"),
        actions: [
          h("button.spa-btn.spa-btn-outline", { type: "button", onclick: function () { ref.close(); } },
            "Annuler"),
          confirmButton
        ]
      });
      confirmButton.addEventListener("click", function () {
        confirmButton.disabled = true;
        S.clear(errorSlot);
        window.Sandbox.postJSON(r.revoke).then(function (res) {
          ref.close();
          if (!res.ok) { fail(res); return; }
          render(res.data);
          S.snackBar(res.data.message);
        });
      });
    }

    function render(data) {
      S.clear(keySlot);
      if (!data.cle) {
        keySlot.appendChild(h("p.wsp-no-key", data.absence || ""));
        return;
      }
      var captionId = S.uid("cle-caption");
      var input = h("input.wsp-key-input", {
        type: "text", readonly: true, "aria-labelledby": captionId, value: data.cle
      });
      var copy = h("button.mdc-icon-button.wsp-copy", {
        type: "button", "aria-label": "Copier la clé d'API", title: "Copier la clé d'API",
        onclick: function () {
          S.copyText(data.cle).then(function () {
            S.snackBar("Clé d'API copiée dans le presse-papier.");
          }, function () {});
        }
      }, h("span.wsp-copy-glyph", { "aria-hidden": "true" }));
      keySlot.appendChild(h("div.wsp-key-box",
        h("div.wsp-key-main",
          h("span.wsp-key-caption", { id: captionId }, "Votre clé d'API :"),
          h("div.wsp-key-line", input, copy),
          h("div.wsp-expiry", "Date d'expiration : ", h("span.wsp-expiry-date", data.expiration || ""))),
        h("button.spa-btn.wsp-red.wsp-upper", { type: "button", onclick: confirmRevoke },
          "Révoquer l'accès")));
    }

    var generate = h("button.spa-btn.wsp-green.wsp-upper", { type: "button" },
      "Générer une nouvelle clé d'API");
    generate.addEventListener("click", function () {
      generate.disabled = true;
      S.clear(errorSlot);
      window.Sandbox.postJSON(r.generate).then(function (res) {
        generate.disabled = false;
        if (!res.ok) { fail(res); return; }
        render(res.data);
        S.snackBar(res.data.message);
      });
    });

    window.Sandbox.getJSON(r.apiKey).then(function (res) {
      if (res.ok) render(res.data); else { S.clear(keySlot); fail(res); }
    });

    return appShell(app, [
      h("h1.wsp-title.wsp-upper", "Accrochage API"),
      card({
        title: "Obtenir une clé d'API", region: true,
        body: [
          h("p", "La clé d'API permet au SI du CFA de s'authentifier auprès des API de " +
            "L'Opcommerce. Elle est valable un an."),
          generate, errorSlot, keySlot,
          h("p.wsp-support", "Pour tout problème rencontré pendant la génération de la clé, " +
            "contactez le Service Support API : " + page.support)
        ]
      }),
      h("div.wsp-docs",
        h("a.spa-btn.spa-btn-outline", { href: r.docOpcommerce },
          "Accéder à la documentation API de l'Opcommerce"),
        h("a.spa-btn.spa-btn-outline", { href: r.docConvergence },
          "Accéder à la documentation API Convergence CFA"))
    ]);
  });

  S.start("app-root");
})();
