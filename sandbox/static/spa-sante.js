/* OPCO Santé plateforme CFA, "spa" rendering: every page is built here from the shell's JSON
   model, with Ant-Design-like components (layout header, cards with head and body, a select
   choosing the rubrique, an avatar drop-down built on open, links styled as buttons). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  var SUPPORT = "En cas de problématique technique, vous pouvez contacter le Centre de Relation " +
    "Client au 04.13.68.00.15 ou à l'adresse centrerelationclient@opco-sante.fr";

  /* ----- components ------------------------------------------------------------------------ */

  /* .ant-card: the title lives in .ant-card-head, the content in the sibling .ant-card-body. */
  function card(options) {
    var titleId = S.uid("ant-card-title");
    return h("div.ant-card.ant-card-bordered" + (options.modifier ? "." + options.modifier : ""),
      { role: options.region ? "region" : null, "aria-labelledby": options.region ? titleId : null },
      h("div.ant-card-head",
        h("div.ant-card-head-wrapper",
          h((options.level || "h2") + ".ant-card-head-title", { id: titleId }, options.title))),
      h("div.ant-card-body", options.body));
  }

  function descriptions(rows) {
    return h("div.ant-descriptions",
      h("table", h("tbody", rows.map(function (row) {
        return h("tr.ant-descriptions-row",
          h("th.ant-descriptions-item-label", { scope: "row" }, row[0]),
          h("td.ant-descriptions-item-content", row[1]));
      }))));
  }

  function alert(type, content, role) {
    return h("div.ant-alert.ant-alert-" + type, { role: role || null },
      h("div.ant-alert-content", h("div.ant-alert-message", content)));
  }

  function brand() {
    return h("div.ps-brand", h("span.ps-brand-name", "OPCO Santé"), h("span.ps-brand-sub", "Plateforme CFA"));
  }

  function footer() {
    return h("footer.ant-layout-footer", "OPCO Santé – Opérateur de compétences du secteur privé de la santé · " + SUPPORT);
  }

  /* The platform once logged in: header with the tabs (links styled as buttons) and the avatar
     drop-down, whose items exist only while it is open. */
  function platform(app, content) {
    var r = app.routes;
    var user = app.user;
    var avatar = h("button.ant-dropdown-trigger.ps-avatar-trigger", {
      type: "button", "aria-label": "Compte utilisateur"
    }, h("span.ant-avatar", { "aria-hidden": "true" }, user.initials),
       h("span.ps-user-name", user.displayName));
    S.attachMenu(avatar, {
      label: user.displayName, alignRight: true, panelClass: "ant-dropdown-menu",
      itemTag: "div.ant-dropdown-menu-item",
      header: function () {
        return h("div.ant-dropdown-menu-header", h("strong", user.displayName), h("div", user.organisation));
      },
      items: function () {
        return [{ label: "Mon profil", url: r.organisme }, { label: "Se déconnecter", url: r.logout }];
      }
    });
    return h("section.ant-layout",
      h("header.ant-layout-header",
        brand(),
        h("nav.ps-nav", { "aria-label": "Navigation principale" },
          app.tabs.map(function (tab) {
            return h("a.ant-btn.ant-btn-text" + (tab.current ? ".ps-nav-active" : ""), {
              href: tab.href, "aria-current": tab.current ? "page" : null
            }, tab.label);
          })),
        avatar),
      h("main.ant-layout-content", content),
      footer());
  }

  function publicPage(app, content) {
    return h("section.ant-layout.ps-public",
      h("header.ant-layout-header", brand()),
      h("main.ant-layout-content", content),
      footer());
  }

  /* ----- login and « Pas de compte ? » --------------------------------------------------------- */

  S.register("login", function (app, page) {
    var r = app.routes;
    var password = h("input.ant-input", {
      type: "password", name: "motDePasse", autocomplete: "current-password",
      placeholder: "Mot de passe", required: true
    });
    var eye = S.passwordEye(password, "button.ant-input-suffix-btn", S.glyph("eye"));
    var form = h("form.ant-form.ant-form-vertical", { method: "post", action: r.loginSubmit },
      S.csrfInput(app),
      h("div.ant-form-item", h("span.ant-input-affix-wrapper", h("input.ant-input", {
        type: "text", name: "identifiant", autocomplete: "username", required: true,
        placeholder: "Identifiant", value: page.username || ""
      }))),
      h("div.ant-form-item", h("span.ant-input-affix-wrapper", password, eye)),
      h("button.ant-btn.ant-btn-primary.ant-btn-block", { type: "submit" }, "Me connecter"));
    return publicPage(app, h("div.ps-login",
      card({
        title: "Connexion à la plateforme CFA", level: "h1",
        body: [
          h("p", "Renseignez votre identifiant de connexion et votre mot de passe."),
          page.error ? alert("error", page.error, "alert") : null,
          form,
          h("div.ps-signup", h("a.ant-btn.ant-btn-default", { href: r.inscription }, "Pas de compte ?"))
        ]
      }),
      card({ title: "Besoin d'aide ?", body: h("p", SUPPORT) })));
  });

  S.register("inscription", function (app, page) {
    var r = app.routes;
    var form = h("form.ant-form", { method: "post", action: r.inscriptionSubmit },
      S.csrfInput(app),
      h("div.ant-form-item", h("input.ant-input", {
        type: "text", name: "siret", inputmode: "numeric", maxlength: "17", required: true,
        placeholder: "N° de Siret", value: page.siret || ""
      })),
      h("button.ant-btn.ant-btn-primary", { type: "submit" }, "Valider"));
    return publicPage(app, h("div.ps-narrow", card({
      title: "Pas de compte ?", level: "h1",
      body: [
        h("p", "Renseignez le n° de Siret de votre organisme puis validez."),
        page.error ? alert("error", page.error, "alert") : null,
        page.outcome ? alert("info", [page.outcome, " ",
          h("em", "(La création de compte n'est pas simulée dans cette démonstration.)")], "status") : null,
        form,
        h("p", h("a", { href: r.login }, "Retour à la connexion"))
      ]
    })));
  });

  /* ----- the platform ------------------------------------------------------------------------ */

  S.register("tab", function (app, page) {
    return platform(app, [
      h("h1.ps-page-title", page.label),
      page.welcome ? h("p", "Bienvenue sur la plateforme CFA, " + app.user.firstName + ".") : null,
      card({
        title: page.welcome ? "À traiter" : "Éléments",
        body: h("p", page.welcome
          ? "Votre compte est validé. Vous avez 3 contrats d'apprentissage en cours d'instruction et 2 factures à déposer."
          : "Aucun élément à afficher.")
      })
    ]);
  });

  /* « Clé d'authentification API CFA »: loaded after render; « Générer ma clé » replaces it. */
  function keyPanel(app, page) {
    var r = app.routes;
    var state = h("div.ps-key-state", h("div.ant-spin", h("span.ant-spin-dot", { "aria-hidden": "true" }),
      h("span.ant-spin-text", "Chargement de votre clé…")));
    var error = h("div.ps-key-error");
    var generate = h("button.ant-btn.ant-btn-primary.ps-upper", { type: "button", disabled: true },
      S.icon("key"), h("span", "Générer ma clé"));

    function display(data) {
      S.clear(state);
      if (!data.cle && data.active) {  // shown only when generated
        state.appendChild(h("div.ant-alert.ant-alert-info", h("p", data.message),
          h("p.ps-key-expiry", "Date d'expiration : ", h("strong", data.expiration || ""))));
        return;
      }
      if (!data.cle) {
        state.appendChild(h("div.ant-empty", h("p.ant-empty-description", page.noKey)));
        return;
      }
      state.appendChild(h("div.ps-key-box",
        h("input.ant-input.ps-key-input", {
          type: "text", readonly: true, value: data.cle, "aria-label": "Clé d'authentification",
          spellcheck: "false"
        }),
        h("p.ps-key-expiry", "Date d'expiration : ", h("strong", data.expiration || ""))));
    }
    function fail(res) {
      S.clear(error).appendChild(alert("error",
        (res.data && res.data.error) || "Une erreur est survenue.", "alert"));
    }
    function toast(message) {
      var note = h("div.ant-message", h("div.ant-message-notice",
        h("span.ant-message-success", { role: "status" }, message)));
      document.body.appendChild(note);
      setTimeout(function () { note.remove(); }, 4000);
    }

    window.Sandbox.getJSON(r.apiKey + "?affichage=masque").then(function (res) {
      generate.disabled = false;
      if (res.ok) display(res.data); else { S.clear(state); fail(res); }
    });
    generate.addEventListener("click", function () {
      generate.disabled = true;
      S.clear(error);
      window.Sandbox.postJSON(r.apiGenerate).then(function (res) {
        generate.disabled = false;
        if (!res.ok) { fail(res); return; }
        display(res.data);
        toast(res.data.message);
      });
    });

    return card({
      title: "Clé d'authentification API CFA", region: true, modifier: "ps-key-card",
      body: [
        descriptions([["Raison sociale", app.user.organisation], ["SIREN", app.user.siren]]),
        state,
        alert("info", page.sharedNote),
        h("div.ps-actions", generate),
        error,
        h("p.ps-muted", "La clé d'authentification qui apparaît peut alors être copiée et insérée dans votre SI pour rendre opérationnel l'interfaçage entre votre SI et celui de l'OPCO.")
      ]
    });
  }

  function rubriqueView(app, page, name) {
    var user = app.user;
    if (name === "organisme") {
      return card({ title: "Informations générales", body: descriptions([
        ["Raison sociale", user.organisation], ["SIRET", user.siret], ["SIREN", user.siren],
        ["UAI", user.uai]]) });
    }
    if (name === "etablissements") {
      return card({ title: "Établissements", body: h("table.ant-table",
        h("thead", h("tr", h("th", { scope: "col" }, "SIRET"), h("th", { scope: "col" }, "Établissement"))),
        h("tbody", user.sirets.map(function (siret, i) {
          return h("tr", h("td", siret), h("td", user.organisation + (i === 0 ? " (siège)" : "")));
        }))) });
    }
    if (name === "contacts") {
      return card({ title: "Contacts", body: descriptions([
        ["Contact principal", user.displayName], ["Identifiant", user.username]]) });
    }
    return keyPanel(app, page);
  }

  /* « Mon organisme »: the rubrique is chosen in a select; its content appears once chosen. */
  S.register("organisme", function (app, page) {
    var captionId = S.uid("rubrique-label");
    var content = h("div.ps-rubrique", { "aria-live": "polite" },
      h("div.ant-empty", h("p.ant-empty-description", "Sélectionnez une rubrique pour afficher son contenu.")));
    var select = h("select.ant-select", { name: "rubrique", "aria-labelledby": captionId },
      h("option", { value: "", disabled: true, selected: !page.rubrique }, "Sélectionnez une rubrique"),
      app.rubriques.map(function (rubrique) {
        return h("option", { value: rubrique.name, selected: rubrique.name === page.rubrique }, rubrique.label);
      }));
    function show(name, push) {
      var rubrique = app.rubriques.filter(function (item) { return item.name === name; })[0];
      if (!rubrique) return;
      S.clear(content).appendChild(rubriqueView(app, page, name));
      if (push && window.location.pathname !== rubrique.href) {
        window.history.pushState({ rubrique: name }, "", rubrique.href);
      }
    }
    select.addEventListener("change", function () { show(select.value, true); });
    window.addEventListener("popstate", function () { window.location.reload(); });
    if (page.rubrique) show(page.rubrique, false);
    return platform(app, [
      h("h1.ps-page-title", "Mon organisme"),
      h("div.ps-rubrique-picker",
        h("span.ps-caption", { id: captionId }, "Rubrique"),
        select),
      content
    ]);
  });

  S.start("app-root");
})();
