/* myAtlas, "spa" rendering: every page is built here from the shell's JSON model, with
   Lightning-like components (global header with an avatar menu, cards whose title sits in the
   card header and whose content sits in the card body). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  /* ----- components ------------------------------------------------------------------------ */

  /* slds-card: header (title + optional actions) and body are siblings; optional footer. */
  function card(options) {
    var titleId = S.uid("card-title");
    var level = options.level || "h2";
    return h("article.slds-card" + (options.modifier ? "." + options.modifier : ""),
      { "aria-labelledby": titleId, id: options.anchor || null },
      h("div.slds-card__header.slds-grid",
        h("header.slds-media.slds-media_center",
          options.icon ? h("div.slds-media__figure", h("span.slds-icon_container", { "aria-hidden": "true" }, options.icon)) : null,
          h("div.slds-media__body",
            h(level + ".slds-card__header-title", { id: titleId },
              options.href ? h("a.slds-card__header-link", { href: options.href }, h("span", {}, options.title))
                           : h("span", {}, options.title))))),
      h("div.slds-card__body.slds-card__body_inner", {}, options.body),
      options.footer ? h("footer.slds-card__footer", {}, options.footer) : null);
  }

  /* A read-only field: a caption and a static value (no form control). */
  function staticField(caption, value) {
    return h("div.slds-form-element.slds-form-element_readonly",
      h("span.slds-form-element__label", {}, caption),
      h("div.slds-form-element__control", h("div.slds-form-element__static", {}, value)));
  }

  function pageHeader(title, meta) {
    return h("div.slds-page-header",
      h("div.slds-page-header__row",
        h("div.slds-page-header__col-title",
          h("h1.slds-page-header__title", { title: title }, title),
          meta ? h("p.slds-page-header__meta-text", {}, meta) : null)));
  }

  function brand(suffix, href) {
    var content = [h("span.brand-my", {}, "my"), h("span.brand-atlas", {}, "Atlas"),
      suffix ? h("span.brand-suffix", {}, " " + suffix) : null];
    return href ? h("a.slds-global-header__logo", { href: href }, content)
                : h("span.slds-global-header__logo", {}, content);
  }

  /* The avatar at the top right: initials only; its menu is built when it is opened. */
  function avatarMenu(app) {
    var user = app.user;
    var initials = user.firstName.charAt(0) + user.lastName.charAt(0);
    var trigger = h("button.slds-button.slds-global-actions__avatar", {
      type: "button", title: user.displayName
    },
      h("span.slds-avatar.slds-avatar_circle", { "aria-hidden": "true" },
        h("abbr.slds-avatar__initials", {}, initials)),
      h("span.slds-assistive-text", {}, "Menu utilisateur"));
    S.attachMenu(trigger, {
      label: "Menu utilisateur",
      alignRight: true,
      panelClass: "slds-dropdown",
      header: function () {
        return h("div.slds-dropdown__header", { role: "presentation" },
          h("span.slds-avatar.slds-avatar_circle.slds-avatar_large", { "aria-hidden": "true" },
            h("abbr.slds-avatar__initials", {}, initials)),
          h("div", {}, h("div.slds-text-heading_small", {}, user.displayName),
            h("div.slds-text-body_small", {}, user.email)));
      },
      items: function () {
        return [
          { label: "Mon profil", url: app.routes.profil },
          { label: "Mes paramètres", url: app.routes.parametres },
          { label: "Se déconnecter", url: app.routes.logout }
        ];
      }
    });
    return trigger;
  }

  /* Layout of the "myAtlas Prestataire" space. */
  function prestataire(app, content) {
    var r = app.routes;
    return h("div.one-app__frame",
      h("header.slds-global-header_container",
        h("div.slds-global-header.slds-grid.slds-grid_align-spread",
          h("div.slds-global-header__item", {}, brand("Prestataire", r.home)),
          h("div.slds-global-header__item",
            h("ul.slds-global-actions", {},
              h("li.slds-global-actions__item", {}, avatarMenu(app)))))),
      h("div.slds-context-bar",
        h("nav.slds-context-bar__secondary", { "aria-label": "Navigation principale" },
          h("ul.slds-grid", {},
            [["Accueil", r.home], ["Mes dossiers", r.home + "#dossiers"],
             ["Mes factures", r.home + "#factures"], ["Changer d'espace", r.espaces]]
              .map(function (item) {
                return h("li.slds-context-bar__item", {},
                  h("a.slds-context-bar__label-action", { href: item[1] },
                    h("span.slds-truncate", {}, item[0])));
              })))),
      h("div.one-app__body", {}, content),
      h("footer.one-app__footer", {},
        "© Opco Atlas – myAtlas Prestataire · Support : webassistance@opcoatlas.fr"));
  }

  /* The login and information pages: a centred card on the blue gradient. */
  function loginShell(headerTitle, body, footer) {
    return h("div.login-shell",
      h("div.login-shell__panel",
        h("div.login-shell__brand", {}, brand()),
        card({ title: headerTitle, level: "h1", body: body, footer: footer, modifier: "login-card" })));
  }

  /* ----- views ----------------------------------------------------------------------------- */

  S.register("login", function (app, page) {
    var r = app.routes;
    var userInput = h("input.slds-input", {
      type: "email", name: "username", autocomplete: "username",
      placeholder: "xyz@example.com", required: true, value: page.username || ""
    });
    var passwordInput = h("input.slds-input", {
      type: "password", name: "password", autocomplete: "current-password",
      placeholder: "Mot de passe", required: true
    });
    var eye = S.passwordEye(passwordInput,
      "button.slds-button.slds-button_icon.slds-input__icon.slds-input__icon_right",
      S.glyph("eye", "slds-button__icon"));
    return loginShell("Se connecter", [
      h("p.slds-m-bottom_small", {}, "Vous êtes un nouvel utilisateur MyAtlas ? ",
        h("a", { href: r.signup }, "Créer un compte")),
      page.error ? h("div.slds-notify.slds-notify_alert.slds-alert_error", { role: "alert" },
        h("h2", {}, page.error)) : null,
      h("form.slds-form", { method: "post", action: r.loginSubmit, novalidate: true },
        S.csrfInput(app),
        /* Captions shown above the inputs are plain text: the inputs carry only placeholders. */
        h("div.slds-form-element",
          h("div.slds-form-element__label", {}, "Compte d'utilisateur"),
          h("div.slds-form-element__control", {}, userInput)),
        h("div.slds-form-element",
          h("div.slds-form-element__label", {}, "Mot de passe"),
          h("div.slds-form-element__control.slds-input-has-icon.slds-input-has-icon_right", {},
            passwordInput, eye)),
        h("button.slds-button.slds-button_brand.slds-button_stretch", { type: "submit" }, "Connexion"))
    ], h("a", { href: r.forgot }, "Mot de passe Oublié?"));
  });

  S.register("info", function (app, page) {
    return loginShell(page.heading, h("p", {}, page.text),
      h("a", { href: app.routes.login }, "Retour à la connexion"));
  });

  S.register("espaces", function (app) {
    var r = app.routes;
    function space(title, href, text) {
      return h("li.slds-col", {}, card({
        title: title, href: href, body: h("p", {}, text),
        footer: S.linkButton("slds-button.slds-button_neutral", "Sélectionner", function () { S.go(href); })
      }));
    }
    return h("div.one-app__frame",
      h("header.slds-global-header_container",
        h("div.slds-global-header.slds-grid.slds-grid_align-spread",
          h("div.slds-global-header__item", {}, brand()),
          h("div.slds-global-header__item", {},
            S.linkButton("slds-button.slds-button_inverse", "Se déconnecter",
              function () { S.go(r.logout); })))),
      h("div.one-app__body",
        pageHeader("Bonjour " + app.user.firstName + ", sur quel espace souhaitez-vous vous rendre ?",
          "Votre compte donne accès aux espaces suivants."),
        h("ul.slds-grid.slds-gutters.spaces", {},
          space("myAtlas entreprise", r.entreprise,
            "Déclarez vos besoins de formation, suivez vos contrats d'alternance et vos financements."),
          space("myAtlas prestataire", r.home,
            "Organismes de formation et CFA : suivez vos dossiers, vos factures et vos paramètres."))));
  });

  S.register("entreprise", function (app) {
    return h("div.one-app__frame",
      h("header.slds-global-header_container",
        h("div.slds-global-header", {}, brand("Entreprise"))),
      h("div.one-app__body",
        card({
          title: "myAtlas entreprise", level: "h1",
          body: h("div.slds-scoped-notification", { role: "status" },
            "Aucune entreprise adhérente n'est rattachée à votre compte."),
          footer: h("a", { href: app.routes.espaces }, "Revenir au choix de l'espace")
        })));
  });

  S.register("home", function (app) {
    var user = app.user;
    return prestataire(app, [
      pageHeader("Bienvenue " + user.firstName, user.organisation + " – SIRET " + user.siret),
      h("div.slds-grid.slds-gutters.spaces", {},
        card({ title: "Mes dossiers", anchor: "dossiers",
               body: h("p", {}, "12 contrats d'apprentissage en cours d'instruction, 3 dossiers à compléter.") }),
        card({ title: "Mes factures", anchor: "factures",
               body: h("p", {}, "2 factures en attente de paiement.") }),
        card({ title: "Actualités",
               body: h("p", {}, "Nouveau : la transmission des factures par API est disponible pour tous les CFA.") }))
    ]);
  });

  S.register("profil", function (app) {
    var user = app.user;
    return prestataire(app, [
      pageHeader("Mon profil"),
      card({ title: "Identité", body: h("div.slds-form.field-grid", {},
        staticField("Prénom", user.firstName), staticField("Nom", user.lastName),
        staticField("Email", user.email), staticField("Organisme", user.organisation)) })
    ]);
  });

  function radioGroup(caption, name, options) {
    var captionId = S.uid("radio-group");
    return h("div.slds-form-element",
      h("span.slds-form-element__legend", { id: captionId }, caption),
      h("div.slds-form-element__control", { role: "radiogroup", "aria-labelledby": captionId },
        options.map(function (option) {
          var id = S.uid("radio");
          return h("span.slds-radio", {},
            h("input", { type: "radio", id: id, name: name, value: option[0], checked: option[2] }),
            h("label.slds-radio__label", { for: id },
              h("span.slds-radio_faux", { "aria-hidden": "true" }),
              h("span.slds-form-element__label", {}, option[1])));
        })));
  }

  /* "Ma clé CFA": the key arrives by fetch once the page is up; until then a spinner. */
  function keyCard(app) {
    var slot = h("div.key-slot", { "aria-busy": "true" },
      h("span.ao-spinner", { "aria-hidden": "true" }), "Chargement de votre clé CFA…");
    var status = h("p.slds-text-color_weak", { "aria-live": "polite" });
    window.Sandbox.getJSON(app.routes.apiKey).then(function (result) {
      S.clear(slot).removeAttribute("aria-busy");
      if (!result.ok) {
        status.textContent = result.data.error || "Impossible de charger votre clé CFA.";
        return;
      }
      var value = result.data.cleCfa || "";
      var input = h("input.slds-input.key-value", {
        type: "text", readonly: true, "aria-label": "Ma clé CFA", value: value
      });
      var copy = S.linkButton("slds-button.slds-button_brand.button-normalcase",
        "Copier dans le presse-papier", function () {
          if (!input.value) return;
          S.copyText(input.value).then(function () {
            status.textContent = "Clé copiée dans le presse-papier.";
          }, function () {
            input.select();
            status.textContent = "La copie a été refusée par le navigateur : sélectionnez la clé puis Ctrl+C.";
          });
        });
      slot.appendChild(h("div.slds-form-element__control.key-row", {}, input, copy));
      if (!value) status.textContent = "Votre clé CFA est en cours de génération.";
    });
    return card({
      title: "Ma clé CFA", modifier: "key-card",
      body: [
        h("div.slds-scoped-notification.slds-m-bottom_small", {},
          h("span.slds-text-title_bold", {}, "A NOTER:"),
          " La dernière version de votre clé sera automatiquement générée ici."),
        slot, status
      ]
    });
  }

  S.register("parametres", function (app, page) {
    var user = app.user;
    var toast = page.saved ? h("div.slds-notify.slds-notify_toast.slds-theme_success", { role: "status" },
      "Vos préférences ont été enregistrées.") : null;
    var subscriptions = h("form", { method: "post", action: app.routes.subscriptions },
      S.csrfInput(app),
      h("div.slds-grid.slds-gutters.radio-groups", {},
        radioGroup("Abonnement newsletter", "newsletter", [["oui", "Oui"], ["non", "Non", true]]),
        radioGroup("Abonnement notification", "notification", [["oui", "Oui", true], ["non", "Non"]]),
        radioGroup("Fréquence", "frequence",
          [["quotidienne", "Quotidienne", true], ["hebdomadaire", "Hebdomadaire"]])),
      h("button.slds-button.slds-button_outline-brand", { type: "submit" }, "Enregistrer"));
    return prestataire(app, [
      pageHeader("Mes paramètres"),
      toast,
      h("div.settings-stack", {},
        card({ title: "Abonnement", body: subscriptions }),
        card({ title: "Mes informations", body: h("div.slds-form.field-grid", {},
          staticField("Civilité", "M"), staticField("Prénom", user.firstName),
          staticField("Nom", user.lastName), staticField("Email", user.email),
          staticField("Téléphone fixe", "01 84 25 63 10"),
          staticField("Téléphone portable", "06 91 93 62 22"),
          staticField("Titre", "DIRECTEUR")) }),
        keyCard(app))
    ]);
  });

  S.start(".one-app");
})();
