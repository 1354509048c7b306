/* OPCO EP, "spa" rendering: every page is built here from the JSON page model of the shell.
   Public site (toolbar with the « Mes services en ligne » overlay menu), the CFA portal's login
   card, its app bar (« Mon cfa » overlay menu, avatar menu) and the « Sécurisation des imports
   de contrat d'apprentissage » page whose token is fetched after the page has loaded. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function go(url) { return function () { window.location.assign(url); }; }

  /* A card: a header block holding the heading, and a sibling body block holding the content. */
  function card(options) {
    var level = options.level || "h2";
    return h("mat-card.mat-mdc-card" + (options.className ? "." + options.className : ""),
      h("mat-card-header.mat-mdc-card-header",
        h("div.mat-mdc-card-header-text",
          h(level + ".mat-mdc-card-title", options.title),
          options.subtitle ? h("div.mat-mdc-card-subtitle", options.subtitle) : null)),
      h("mat-card-content.mat-mdc-card-content", options.body),
      options.actions ? h("mat-card-actions.mat-mdc-card-actions", options.actions) : null);
  }

  /* ----- public site ----------------------------------------------------------------------- */
  function siteLayout(model, content) {
    var site = model.site;
    var services = S.menuTrigger({
      className: "ep-services-trigger",
      content: [h("span.mdc-button__label", "Mes services en ligne"), S.icon("chevron")],
      alignEnd: true,
      items: function () {
        return [
          { label: "Entreprise", action: go(site.info) },
          { label: "centre de formation d'apprentis – CFA", action: go(site.login) },
          { label: "Organisme de formation", action: go(site.info) },
          { label: "Salarié", action: go(site.info) }
        ];
      }
    });
    return h("div.ep-site",
      h("mat-toolbar.mat-toolbar.ep-site-toolbar",
        h("a.ep-brand", { href: site.home }, "OPCO ", h("b", "EP")),
        h("span.toolbar-spacer"),
        h("nav.ep-site-links", { "aria-label": "Menu principal" },
          h("a.mat-mdc-button", { href: site.home + "#entreprises" }, "Entreprises"),
          h("a.mat-mdc-button", { href: site.home + "#alternance" }, "Alternance"),
          h("a.mat-mdc-button", { href: site.home + "#actualites" }, "Actualités")),
        services),
      h("div.ep-site-content", content),
      h("footer.ep-site-footer",
        h("span", "OPCO EP – Opérateur de compétences des entreprises de proximité"),
        h("span", "Mentions légales"), h("span", "Accessibilité")));
  }

  function homeView(model) {
    function tile(anchor, title, text) {
      var c = card({ title: title, body: h("p", text), level: "h3" });
      c.setAttribute("id", anchor);
      return c;
    }
    return siteLayout(model, [
      h("div.ep-banner",
        h("div.ep-banner-inner",
          h("h1.ep-banner-title", "Les compétences au cœur des entreprises de proximité"),
          h("p", "Artisanat, professions libérales, services de proximité : OPCO EP accompagne plus de 500 000 entreprises."))),
      h("div.ep-grid-3",
        tile("entreprises", "Former vos salariés", "Plan de développement des compétences, Pro-A, financements."),
        tile("alternance", "Recruter en alternance", "Contrat d'apprentissage et contrat de professionnalisation."),
        tile("actualites", "Actualités", "Les niveaux de prise en charge des contrats d'apprentissage évoluent."))
    ]);
  }

  function infoView(model) {
    return siteLayout(model, h("div.ep-narrow",
      card({ title: "Espace non simulé", level: "h1",
             body: h("p", "Cet espace n'existe pas dans la démonstration. ",
                     h("a", { href: model.site.home }, "Retour à l'accueil")) })));
  }

  function passwordInput(name, placeholder) {
    var input = h("input.mdc-text-field__input", {
      type: "password", name: name, placeholder: placeholder,
      autocomplete: "current-password", required: true
    });
    return h("div.mdc-text-field.mdc-text-field--outlined.with-suffix", input,
      S.passwordEye(input, "button.mdc-icon-button.pw-eye", S.icon("eye")));
  }

  function loginView(model) {
    var form = model.form;
    var body = [
      model.error ? h("div.alert.alert-danger", { role: "alert" }, model.error) : null,
      h("form.ep-login-form", { method: "post", action: form.action, novalidate: null },
        h("input", { type: "hidden", name: form.csrf_field, value: form.csrf_token }),
        h("div.mdc-text-field.mdc-text-field--outlined",
          h("input.mdc-text-field__input", {
            type: "text", name: "j_username", placeholder: "Login", autocomplete: "username",
            required: true, value: model.username || ""
          })),
        passwordInput("j_password", "Mot de passe"),
        h("div.ep-login-actions",
          h("button.spa-btn.spa-btn-primary", { type: "submit" }, "Se connecter"),
          h("a.spa-btn.spa-btn-outline", { href: model.site.inscription }, "S'inscrire")))
    ];
    return siteLayout(model, h("div.ep-narrow",
      card({ title: "Portail des centres de formation d'apprentis", level: "h1",
             subtitle: "Connectez-vous pour gérer vos contrats d'apprentissage.",
             body: body, className: "ep-login-card" })));
  }

  function inscriptionView(model) {
    return siteLayout(model, h("div.ep-narrow",
      card({ title: "Inscription au portail CFA", level: "h1",
             body: [h("p", "Munissez-vous de votre numéro UAI et du SIRET de votre CFA. Votre demande sera validée par OPCO EP sous 48 heures."),
                    h("p", h("a", { href: model.site.login }, "Retour à la connexion"))] })));
  }

  /* ----- CFA portal ------------------------------------------------------------------------ */
  function appLayout(model, content) {
    var app = model.app;
    var nav = app.nav;
    var user = app.user;
    var initials = user.name.split(" ").map(function (w) { return w.charAt(0); }).join("");
    var avatar = S.menuTrigger({
      className: "ep-avatar",
      ariaLabel: "Mon compte – " + user.name,
      content: h("span.ep-avatar-initials", { "aria-hidden": "true" }, initials),
      alignEnd: true,
      menuLabel: "Mon compte",
      items: function () {
        return [{ label: "Se déconnecter", href: nav.logout, icon: "logout" }];
      }
    });
    var monCfa = S.menuTrigger({
      className: "ep-tab",
      content: [h("span.mdc-tab__text-label", "Mon cfa"), S.icon("chevron")],
      menuLabel: "Mon cfa",
      items: function () {
        return [
          { label: "Mes informations", href: nav.informations },
          { label: "Mes utilisateurs", href: nav.utilisateurs },
          { label: "Sécurisation des imports de contrat d'apprentissage", href: nav.securisation }
        ];
      }
    });
    function tab(label, href) {
      return h("a.ep-tab", { href: href }, h("span.mdc-tab__text-label", label));
    }
    return h("div.ep-app",
      h("mat-toolbar.mat-toolbar.ep-app-toolbar",
        h("a.ep-brand", { href: nav.dashboard }, "OPCO ", h("b", "EP")),
        h("div.ep-identity",
          h("span.ep-identity-name", user.name),
          h("span.ep-identity-org", user.organisation + " - " + user.uai + " - " + user.siret)),
        h("span.toolbar-spacer"),
        avatar),
      h("nav.ep-tabs", { "aria-label": "Navigation CFA" },
        monCfa,
        tab("Mes contrats stockés", nav.contrats_stockes),
        tab("Mes contrats", nav.contrats),
        tab("Mes apprentis sans contrat", nav.apprentis)),
      h("div.ep-app-content", content));
  }

  function legend(rows) {
    return h("div.ep-legend", rows.map(function (row) {
      return h("div.ep-legend-row", h("i", { style: "background:" + row[1] }), h("span", row[0]));
    }));
  }

  function dashboardView(model) {
    var stock = card({
      title: "Stock de reprise de contrats d'apprentissage", level: "h3", className: "ep-chart",
      body: [
        h("div.ep-pie", { role: "img", "aria-label": "Rupture 31, En cours 9, Complet 83",
          style: "background:conic-gradient(#e4572e 0 25.2%,#f3a712 25.2% 32.5%,#29bf12 32.5% 100%)" }),
        legend([["Rupture : 31", "#e4572e"], ["En cours : 9", "#f3a712"], ["Complet : 83", "#29bf12"]])
      ]
    });
    var contrats = card({
      title: "Contrats d'apprentissage", level: "h3", className: "ep-chart",
      body: [
        h("div.ep-pie", { role: "img", "aria-label": "Répartition des 220 contrats",
          style: "background:conic-gradient(#5b2a86 0 50.9%,#00a19a 50.9% 62.3%,#e4572e 62.3% 73.6%,#f3a712 73.6% 80%,#888 80% 100%)" }),
        legend([["Engagé : 112", "#5b2a86"], ["Rupture : 25", "#e4572e"], ["Refusé : 14", "#f3a712"],
                ["En cours de traitement : 10", "#00a19a"], ["Solde : 8", "#888"],
                ["Forcément : 6", "#888"], ["Emprunt : 4", "#888"], ["Non Conforme : 1", "#888"],
                ["Annulé : 0", "#888"]]),
        h("p", h("b", "220"), " contrats dont 1 de type signature électronique")
      ]
    });
    return appLayout(model, h("div.ep-dashboard",
      card({ title: "Actions sur mes contrats stockés", className: "ep-steps",
             body: h("div.ep-stepper",
               ["Vérifier mes contrats stockés", "Générer mes pro-formas", "Joindre mes factures"]
                 .map(function (label, i) {
                   return h("div.ep-step", h("span.ep-step-index", String(i + 1)), h("span", label));
                 })) }),
      h("div.ep-dashboard-main",
        h("h1.ep-page-title", "Tableau de bord"),
        h("div.ep-grid-2", stock, contrats))));
  }

  function placeholderView(model) {
    return appLayout(model, h("div.ep-page",
      h("h1.ep-page-title", model.title),
      card({ title: "Résultats", body: h("p", "Aucun élément à afficher.") })));
  }

  /* A read-only form field whose caption is a <span>, tied to the input by aria-labelledby. */
  function labelledByField(caption) {
    var labelId = S.uid("mat-mdc-form-field-label");
    var input = h("input.mdc-text-field__input.ep-mono", {
      type: "text", readonly: true, "aria-labelledby": labelId, value: ""
    });
    var field = h("mat-form-field.mat-mdc-form-field",
      h("div.mdc-text-field.mdc-text-field--filled",
        h("span.mdc-floating-label", { id: labelId }, caption),
        input));
    return { field: field, input: input };
  }

  /* A read-only field named by aria-label; its visible caption is not tied to it. */
  function ariaLabelField(caption) {
    var input = h("input.mdc-text-field__input", {
      type: "text", readonly: true, "aria-label": caption, value: ""
    });
    var field = h("mat-form-field.mat-mdc-form-field.ep-expiry",
      h("div.mdc-text-field.mdc-text-field--filled",
        h("div.mdc-floating-label", { "aria-hidden": "true" }, caption),
        input));
    return { field: field, input: input };
  }

  function securisationView(model) {
    var token = labelledByField("Token de sécurité");
    var expiry = ariaLabelField("Date d'expiration du token");
    var download = h("a.ep-icon-link", {
      "aria-label": "Télécharger le token de sécurité au format txt",
      title: "Télécharger le token de sécurité au format txt",
      "aria-disabled": "true"
    }, S.icon("download"));
    var loading = h("div.mat-mdc-progress-bar", { role: "progressbar", "aria-label": "Chargement du token" });
    var generate = h("button.spa-btn.spa-btn-primary.ep-generate", { type: "button" },
      S.icon("refresh"), h("span.mdc-button__label", "Génération du token"));

    function fill(data) {
      token.input.value = data.token || "";
      expiry.input.value = data.expiration || "";
      if (data.token) {
        download.setAttribute("href", model.api.download);
        download.setAttribute("download", "");
        download.removeAttribute("aria-disabled");
      } else {
        download.removeAttribute("href");
        download.setAttribute("aria-disabled", "true");
      }
    }

    generate.addEventListener("click", function () {
      generate.disabled = true;
      window.Sandbox.postJSON(model.api.token).then(function (result) {
        generate.disabled = false;
        if (result.ok) fill(result.data);
        S.snackBar(result.ok ? result.data.message :
          (result.data.error || "La génération du token a échoué."), !result.ok);
      });
    });

    var view = appLayout(model, h("div.ep-page",
      h("h1.ep-page-title", "Sécurisation des imports de contrat d'apprentissage"),
      h("div.ep-secu-grid",
        card({
          title: "Informations",
          body: [
            h("p", "Afin de sécuriser l'import des contrats d'apprentissage depuis votre logiciel de gestion, chaque envoi doit être accompagné d'un jeton (token) de sécurité propre à votre CFA."),
            h("p", "Pour obtenir votre jeton/token de sécurité, cliquez sur le bouton « Génération du token » dans le menu de droite. La génération d'un nouveau token rend le précédent inutilisable : pensez à mettre à jour votre logiciel."),
            h("p", "Le jeton/token de sécurité a une date d'expiration. Vous pouvez le télécharger au format txt à l'aide du pictogramme prévu à cet effet."),
            loading,
            token.field,
            h("div.ep-expiry-row", expiry.field, download)
          ]
        }),
        card({ title: "Actions", className: "ep-right-menu", body: generate }))));

    /* The token is not in the page: it is asked for once the page has loaded. */
    function load() {
      window.Sandbox.getJSON(model.api.token).then(function (result) {
        loading.remove();
        if (result.ok) fill(result.data);
        else S.snackBar(result.data.error || "Le token n'a pas pu être chargé.", true);
      });
    }
    if (document.readyState === "complete") load();
    else window.addEventListener("load", load);
    return view;
  }

  S.boot({
    home: homeView,
    info: infoView,
    login: loginView,
    inscription: inscriptionView,
    dashboard: dashboardView,
    placeholder: placeholderView,
    securisation: securisationView
  });
})();
