/* OPCO Mobilités / M-Gestion CFA, "spa" rendering: pages built here from the shell's JSON page
   model with Bootstrap-like components. Public site > « M-Gestion CFA » > « Connectez-vous à
   M-Gestion CFA » > login > « Clé d'authentification » > choose the establishment's SIRET >
   « Générer ma clé d'authentification »: the key shows in a dialog once the call returns. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function card(options) {
    var level = options.level || "h2";
    return h("div.card" + (options.className ? "." + options.className : ""),
      h("div.card-header", h(level + ".card-title", options.title)),
      h("div.card-body", options.body));
  }

  /* ----- public site ----------------------------------------------------------------------- */
  function siteLayout(model, content) {
    var site = model.site;
    function item(label, href) {
      return h("li.nav-item", h("a.nav-link", { href: href }, label));
    }
    return h("div.mo-site",
      h("header.navbar.mo-navbar",
        h("div.container",
          h("a.navbar-brand", { href: site.home }, "OPCO ", h("span", "Mobilités")),
          h("nav", { "aria-label": "Menu principal" },
            h("ul.navbar-nav",
              item("Entreprises", site.home + "#entreprises"),
              item("Alternance", site.home + "#alternance"),
              item("M-Gestion CFA", site.mgestion),
              item("Contact", site.home + "#contact"))))),
      h("div.mo-site-body", content),
      h("footer.mo-footer", h("div.container",
        "OPCO Mobilités – L'opérateur de compétences des services de l'automobile et des mobilités · Mentions légales")));
  }

  function homeView(model) {
    function tile(anchor, title, text) {
      var c = card({ title: title, body: h("p.card-text", text), level: "h3" });
      c.setAttribute("id", anchor);
      return h("div.col", c);
    }
    return siteLayout(model, [
      h("div.mo-hero", h("div.container",
        h("h1.display-6", "Ensemble, développons les compétences des mobilités"),
        h("p.lead", "Transport, logistique, services de l'automobile, tourisme : OPCO Mobilités accompagne 20 branches professionnelles."))),
      h("div.container", h("div.row.row-cols-3",
        tile("entreprises", "Entreprises", "Financez vos actions de formation et vos contrats en alternance."),
        tile("alternance", "Alternance", "Tout savoir sur le contrat d'apprentissage et son financement."),
        tile("contact", "Contact", "Nos conseillers vous répondent du lundi au vendredi.")))
    ]);
  }

  function mgestionView(model) {
    return siteLayout(model, h("div.container.mo-narrow-lg",
      card({ title: "M-Gestion CFA", level: "h1", body: [
        h("p", "M-Gestion CFA est le portail d'OPCO Mobilités dédié aux centres de formation d'apprentis : dépôt des contrats, suivi des prises en charge, facturation et connexion de votre logiciel de gestion."),
        h("a.spa-btn.spa-btn-primary", { href: model.site.login }, "Connectez-vous à M-Gestion CFA"),
        h("p.text-muted", "Première visite ? La création d'un compte se fait depuis la page de connexion.")
      ] })));
  }

  function passwordGroup(name, placeholder) {
    var input = h("input.form-control", {
      type: "password", name: name, placeholder: placeholder, autocomplete: "current-password",
      required: true
    });
    return h("div.input-group", input, S.passwordEye(input, "button.btn-icon", S.icon("eye")));
  }

  function loginView(model) {
    var form = model.form;
    return siteLayout(model, h("div.container.mo-narrow",
      card({ title: "Connexion à M-Gestion CFA", level: "h1", body: [
        model.error ? h("div.alert.alert-danger", { role: "alert" }, model.error) : null,
        h("form", { method: "post", action: form.action },
          h("input", { type: "hidden", name: form.csrf_field, value: form.csrf_token }),
          h("div.mb-3", h("input.form-control", {
            type: "email", name: "email", placeholder: "Adresse e-mail", autocomplete: "username",
            required: true, value: model.username || ""
          })),
          h("div.mb-3", passwordGroup("password", "Mot de passe")),
          h("button.spa-btn.spa-btn-primary.w-100", { type: "submit" }, "Se connecter")),
        h("div.mo-login-links",
          h("a", { href: model.site.forgot }, "Mot de passe oublié ?"),
          h("span", "Pas encore de compte ? ", h("a", { href: model.site.signup }, "Créer un compte")))
      ] })));
  }

  function infoView(model) {
    return siteLayout(model, h("div.container.mo-narrow",
      card({ title: model.title, level: "h1", body: [
        h("p", model.text),
        h("a", { href: model.site.login }, "Retour à la connexion")
      ] })));
  }

  /* ----- M-Gestion CFA --------------------------------------------------------------------- */
  function appLayout(model, content) {
    var app = model.app;
    var nav = app.nav;
    var user = app.user;
    var initials = user.name.split(" ").map(function (w) { return w.charAt(0); }).join("");
    function link(route, label, iconName) {
      return h("a.list-group-item.list-group-item-action", {
        href: nav[route], "aria-current": app.current === route ? "page" : null,
        class: app.current === route ? "active" : null
      }, S.icon(iconName), h("span", label));
    }
    var avatar = S.menuTrigger({
      className: "mo-avatar",
      ariaLabel: "Mon compte – " + user.name,
      content: h("span", { "aria-hidden": "true" }, initials),
      alignEnd: true,
      menuLabel: "Mon compte",
      items: function () {
        return [{ label: "Se déconnecter", href: nav.logout, icon: "logout" }];
      }
    });
    return h("div.mo-app",
      h("aside.mo-sidebar",
        h("div.mo-sidebar-brand", "M-Gestion CFA"),
        h("nav", { "aria-label": "Menu M-Gestion CFA" },
          h("div.list-group",
            link("home_cfa", "Accueil", "home"),
            link("dossiers", "Mes dossiers", "folder"),
            link("cle", "Clé d'authentification", "key")))),
      h("div.mo-app-main",
        h("header.mo-topbar",
          h("div.mo-org",
            h("small.mo-org-kind", "Organisme de formation"),
            h("strong.mo-org-name", user.organisation),
            h("span", user.siret)),
          h("span.toolbar-spacer"),
          h("span.text-muted", user.username),
          avatar),
        h("main.mo-content", content)));
  }

  function accueilView(model) {
    return appLayout(model, [
      h("h1.mo-title", "Bienvenue sur M-Gestion CFA"),
      card({ title: "Vos dossiers", body: h("p", "Vous avez 7 contrats en cours d'instruction et 2 demandes de pièces complémentaires.") })
    ]);
  }

  function dossiersView(model) {
    return appLayout(model, [
      h("h1.mo-title", "Mes dossiers"),
      card({ title: "Dossiers", body: h("p", "Aucun dossier à afficher.") })
    ]);
  }

  /* The establishment is chosen among option cards, each a radio button. */
  function siretChoice(sirets) {
    var captionId = S.uid("radio-group-label");
    var group = h("div.mo-option-cards", { role: "radiogroup", "aria-labelledby": captionId });
    sirets.forEach(function (siret, index) {
      var radio = h("input.form-check-input", { type: "radio", name: "siret", value: siret });
      group.appendChild(h("label.mo-option-card", radio,
        h("span.mo-option-text",
          h("span.mo-option-siret", siret), " – ",
          h("small", index === 0 ? "Siège" : "Établissement secondaire"))));
    });
    return {
      element: h("div.mo-siret", h("div.mo-siret-caption", { id: captionId }, "SIRET de l'établissement"), group),
      value: function () {
        var checked = group.querySelector("input:checked");
        return checked ? checked.value : "";
      }
    };
  }

  function popIn(data) {
    var ref = null;
    var close = h("button.spa-btn.spa-btn-primary.mo-uppercase", { type: "button",
      onclick: function () { ref.close(); } }, "Fermer");
    ref = S.dialog({
      title: "Clé d'authentification",
      content: [
        h("p.mo-key", data.cle),
        h("p.text-muted", "SIRET " + data.siret + " – clé valable jusqu'au " + data.expiration +
          ". Conservez-la : elle ne sera plus affichée.")
      ],
      actions: close
    });
    close.focus();
  }

  function cleView(model) {
    var choice = siretChoice(model.sirets);
    var error = h("div.alert.alert-danger", { role: "alert", hidden: true });
    var busy = h("span.mo-busy", { role: "status", hidden: true },
      h("span.spinner-border", { "aria-hidden": "true" }), "Génération en cours…");
    var generate = h("button.spa-btn.spa-btn-primary.mo-uppercase", { type: "button" },
      S.icon("add"), h("span", "Générer ma clé d'authentification"));

    generate.addEventListener("click", function () {
      error.hidden = true;
      generate.disabled = true;
      busy.hidden = false;
      window.Sandbox.postJSON(model.api.generate, { siret: choice.value() }).then(function (result) {
        generate.disabled = false;
        busy.hidden = true;
        if (result.ok) popIn(result.data);
        else {
          error.textContent = result.data.error || "La génération de la clé a échoué.";
          error.hidden = false;
        }
      });
    });

    return appLayout(model, [
      h("h1.mo-title", "Clé d'authentification"),
      card({ title: "Établissement concerné", className: "mo-generate", body: [
        choice.element,
        h("div.mo-generate-actions", generate, busy)
      ] }),
      error,
      card({ title: "Connecter votre logiciel de gestion", body: [
        h("p", "Vous avez désormais la possibilité de connecter votre logiciel de gestion des dossiers de formation au SI back office d'OPCO Mobilités. Pour ce faire, vous devez tout d'abord sélectionner ou saisir le SIRET de l'établissement concerné puis générer votre clé d'authentification en cliquant sur le bouton ci-dessus « Gérer ma clé d'authentification »."),
        h("p", "Pour des raisons de sécurité, la durée de validité de cette clé a été fixée à 365 jours. Ce délai passé, vous devrez re-générer votre clé d'authentification en suivant le même processus."),
        h("p", "Votre DSI devra ensuite intervenir afin de connecter nos deux SI, une documentation technique est à votre disposition en cliquant sur le lien suivant : https://www.cfadock.fr/portail_developpeur"),
        h("p", "Schéma des grands principes de la connexion du logiciel de gestion de dossiers CFA vers le SI interne d'OPCO Mobilités :"),
        h("figure.mo-schema", { role: "img", "aria-label": "Le logiciel du CFA appelle M-Gestion CFA avec sa clé d'authentification, qui transmet au SI d'OPCO Mobilités" },
          ["CFA", "Système d'information du CFA", "M-Gestion CFA", "SI OPCO Mobilités"].map(function (step, i) {
            return h("div.mo-schema-step", h("b", String(i + 1)), h("span", step));
          }))
      ] })
    ]);
  }

  S.boot({
    home: homeView,
    mgestion: mgestionView,
    login: loginView,
    info: infoView,
    accueil: accueilView,
    dossiers: dossiersView,
    cle: cleView
  });
})();
