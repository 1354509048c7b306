/* OCAPIAT and PartNet, "spa" rendering: every page is built here from the shell's JSON model,
   with Bootstrap-like components (navbar, option cards, cards with header and body, nav tabs,
   drop-down menus built on open). */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  /* ----- components ------------------------------------------------------------------------ */

  /* .card: the title lives in .card-header, the content in the sibling .card-body. */
  function card(options) {
    var titleId = S.uid("card-title");
    return h("div.card" + (options.modifier ? "." + options.modifier : ""),
      { id: options.anchor || null, role: options.region ? "region" : null,
        "aria-labelledby": options.region ? titleId : null },
      h("div.card-header", {}, h((options.level || "h2") + ".card-title", { id: titleId }, options.title)),
      h("div.card-body", {}, options.body),
      options.footer ? h("div.card-footer", {}, options.footer) : null);
  }

  function siteHeader(app) {
    var r = app.routes;
    return h("header.site-header",
      h("nav.navbar.navbar-expand-lg", { "aria-label": "Menu principal" },
        h("div.container-fluid",
          h("a.navbar-brand", { href: r.home }, "OCAPIAT"),
          h("ul.navbar-nav", {},
            [["Qui sommes-nous ?", "#qui"], ["Entreprises", "#entreprises"],
             ["Salariés", "#salaries"], ["Organismes de formation", "#of"]].map(function (item) {
              return h("li.nav-item", {}, h("a.nav-link", { href: r.home + item[1] }, item[0]));
            })),
          h("a.btn.btn-warning.rounded-pill", { href: r.espace }, "Mon espace Ocapiat"))));
  }

  function siteFooter() {
    return h("footer.site-footer", {},
      "OCAPIAT – Opérateur de compétences pour la Coopération agricole, l'Agriculture, la Pêche, " +
      "l'Industrie Agro-alimentaire et les Territoires · Mentions légales · Données personnelles");
  }

  function site(app, content) {
    return h("div.app-shell", {}, siteHeader(app), h("main.container.py-4", {}, content), siteFooter());
  }

  /* PartNet once logged in: top bar with a user drop-down, then the tab bar. */
  function partnet(app, content) {
    var r = app.routes;
    var user = app.user;
    var toggle = h("button.btn.btn-dark.dropdown-toggle", { type: "button" },
      h("span.user-name", {}, user.displayName), h("span.user-org", {}, " – " + user.organisation));
    S.attachMenu(toggle, {
      label: user.displayName, alignRight: true, panelClass: "dropdown-menu show",
      itemTag: "div.dropdown-item",
      items: function () {
        return [{ label: "Mon compte", url: r.compte }, { label: "Déconnexion", url: r.logout }];
      }
    });
    return h("div.app-shell",
      h("header.partnet-navbar",
        h("div.container-fluid",
          h("a.navbar-brand", { href: r.partnet }, "PartNet · OCAPIAT"),
          toggle)),
      h("nav.partnet-tabs", { "aria-label": "Onglets PartNet" },
        h("div.container-fluid",
          h("ul.nav.nav-tabs", { role: "tablist" },
            app.tabs.map(function (tab) {
              return h("li.nav-item", { role: "presentation" },
                h("a.nav-link" + (tab.current ? ".active" : ""), {
                  role: "tab", href: tab.href, "aria-selected": tab.current ? "true" : "false"
                }, tab.label));
            })))),
      h("main.container-fluid.py-4", { role: "tabpanel" }, content));
  }

  /* ----- public site ----------------------------------------------------------------------- */

  S.register("home", function (app) {
    return h("div.app-shell", {}, siteHeader(app),
      h("section.hero", {},
        h("div.container", {},
          h("h1.display-5", {}, "Développer les compétences de nos territoires"),
          h("p.lead", {}, "OCAPIAT accompagne les entreprises et les salariés de la coopération " +
            "agricole, de l'agriculture, de la pêche, de l'industrie agroalimentaire et des territoires."))),
      h("main.container.py-4",
        h("div.row.row-cols-3", {},
          card({ title: "Entreprises", anchor: "entreprises",
                 body: h("p", {}, "Financez la formation de vos salariés et recrutez en alternance.") }),
          card({ title: "Salariés", anchor: "salaries",
                 body: h("p", {}, "Construisez votre parcours professionnel et valorisez vos compétences.") }),
          card({ title: "Organismes de formation et CFA", anchor: "of",
                 body: h("p", {}, "Déposez vos dossiers, suivez vos factures et connectez votre SI à OCAPIAT.") })),
        card({ title: "Qui sommes-nous ?", anchor: "qui", modifier: "mt-4",
               body: h("p", {}, "OCAPIAT est l'opérateur de compétences agréé par l'État pour 49 branches professionnelles.") })),
      siteFooter());
  });

  var PROFILES = [
    { value: "entreprise", label: "Entreprise", hint: "Employeurs adhérents",
      extranets: [["Extranet Entreprise", "aide", "Vos demandes de prise en charge et vos contrats d'alternance."],
                  ["Dépôt Express", "aide", "Déposez une pièce justificative sans vous connecter."]] },
    { value: "salarie", label: "Salarié", hint: "Salariés des entreprises adhérentes",
      extranets: [["Espace Salarié", "aide", "Vos demandes de formation et de Pro-A."]] },
    { value: "of", label: "Organisme de formation ou CFA", hint: "Organismes de formation, CFA",
      extranets: [["PartNet", "login", "L'extranet des organismes de formation et des CFA : dossiers, factures, interfaçage."],
                  ["Offre régionale stages TPE/PME", "aide", "Proposez vos sessions de formation inter-entreprises."],
                  ["Dépôt Express", "aide", "Déposez une facture ou une pièce sans vous connecter."]] }
  ];

  /* "Mon espace Ocapiat": a profile is chosen with option cards (radio buttons); the extranet
     links of that profile are rendered only once it is chosen. */
  S.register("espace", function (app) {
    var results = h("div.extranets", { "aria-live": "polite" },
      h("p.text-muted", {}, "Sélectionnez votre profil pour afficher vos extranets."));
    function show(profile) {
      S.clear(results);
      results.appendChild(h("h2.h5.section-title", {}, "Vos extranets"));
      results.appendChild(h("div.list-group", {},
        profile.extranets.map(function (extranet) {
          return h("div.list-group-item", {},
            h("a.fw-bold.stretched-link", { href: app.routes[extranet[1]] }, extranet[0]),
            h("p.mb-0.small", {}, extranet[2]));
        })));
    }
    var questionId = S.uid("question");
    var options = PROFILES.map(function (profile) {
      var id = S.uid("profil");
      var hintId = S.uid("hint");
      return h("div.option-card.form-check", {},
        h("input.form-check-input", {
          type: "radio", name: "profil", id: id, value: profile.value, "aria-describedby": hintId,
          onchange: function () { show(profile); }
        }),
        h("label.form-check-label", { for: id }, profile.label),
        h("small.form-text", { id: hintId }, profile.hint));
    });
    return site(app, [
      h("h1.page-title", {}, "Mon espace Ocapiat"),
      h("p", { id: questionId }, "Accédez à tous vos extranets et au « Dépôt Express ». Vous êtes :"),
      h("div.option-cards", { role: "radiogroup", "aria-labelledby": questionId }, options),
      results
    ]);
  });

  S.register("aide", function (app) {
    return site(app, card({
      title: "Service indisponible dans cette démonstration", level: "h1",
      body: h("p", {}, "Cette page n'est pas simulée. ",
        h("a", { href: app.routes.espace }, "Retour sur Mon espace OCAPIAT"))
    }));
  });

  /* ----- PartNet ---------------------------------------------------------------------------- */

  S.register("login", function (app, page) {
    var r = app.routes;
    var password = h("input.form-control", {
      type: "password", name: "motdepasse", autocomplete: "current-password",
      placeholder: "Votre mot de passe", required: true
    });
    var eye = S.passwordEye(password, "button.btn.btn-outline-secondary", S.glyph("eye"));
    var form = h("form", { method: "post", action: r.loginSubmit },
      S.csrfInput(app),
      h("div.mb-3", {}, h("input.form-control", {
        type: "text", name: "login", autocomplete: "username", required: true,
        placeholder: "Votre identifiant (login)", value: page.username || ""
      })),
      h("div.mb-3.input-group", {}, password, eye),
      h("button.btn.btn-success.w-100.text-none", { type: "submit" }, "Connexion"));
    return h("div.app-shell",
      h("header.partnet-navbar",
        h("div.container-fluid",
          h("span.navbar-brand", {}, "PartNet · OCAPIAT"),
          h("a.nav-link", { href: r.espace }, "Mon espace OCAPIAT"))),
      h("main.container.py-4",
        h("h1.page-title", {}, "Accès organismes de formation / CFA : PartNet"),
        h("div.row.row-cols-2", {},
          card({
            title: "Connexion",
            body: [
              page.error ? h("div.alert.alert-danger", { role: "alert" }, page.error) : null,
              form
            ],
            footer: h("ul.list-unstyled.mb-0", {},
              h("li", {}, h("a", { href: r.aide }, "Mot de passe oublié ?")),
              h("li", {}, h("a", { href: r.espace },
                "Retour sur Mon espace OCAPIAT (tous vos extranets et \"Dépôt Express\")")))
          }),
          h("div.col", {},
            card({
              title: "Infos de connexion", level: "h2",
              body: h("ul", {},
                h("li", {}, "Saisissez vos codes de connexion : ", h("strong", {}, "identifiant"),
                  " (ex. : OF11111.111) et ", h("strong", {}, "mot de passe"),
                  ". Si vous disposez déjà d'un ", h("strong", {}, "compte utilisateur pour l'OFFRE REGIONALE STAGES TPE/PME"),
                  ", saisissez vos ", h("strong", {}, "identifiants habituels"), "."),
                h("li", {}, "Vous êtes un organisme de formation ou un CFA ayant déjà travaillé avec OCAPIAT et vous n'avez pas d'identifiant de connexion ? ",
                  h("a", { href: r.aide }, "Cliquez ici")),
                h("li", {}, "Vous n'avez jamais travaillé avec OCAPIAT et vous souhaitez un identifiant de connexion : adressez votre demande à votre direction régionale OCAPIAT ",
                  h("a", { href: r.aide }, "en cliquant ici")))
            }),
            card({
              title: "Infos techniques", level: "h2", modifier: "mt-3",
              body: h("ul", {},
                h("li", {}, h("strong", {}, "Tutoriel PartNet"), " : Création d'un compte avec ses codes de connexion pour les organismes de formation et CFA"),
                h("li", {}, "PartNet est optimisé pour Firefox et Google Chrome"),
                h("li", {}, h("strong", {}, "En cas de problèmes de connexion"), ", utiliser la ",
                  h("strong", {}, "navigation en mode Privé"), " de votre navigateur."),
                h("li", {}, h("strong", {}, "Assistance TeamViewer")))
            })))));
  });

  S.register("tab", function (app, page) {
    return partnet(app, [
      h("h1.page-title", {}, page.label),
      page.welcome ? h("p", {}, "Bienvenue sur PartNet, " + app.user.firstName + ".") : null,
      card({
        title: page.welcome ? "À traiter" : "Éléments",
        body: h("p.mb-0", {}, page.welcome
          ? "Vous avez 4 dossiers d'apprentissage en attente de pièces et 1 facture rejetée."
          : "Aucun élément à afficher.")
      })
    ]);
  });

  /* "Interfaçage OCAPIAT": the key is shown ("Afficher ma clé CFA") or generated ("Générer ma
     clé CFA") through the JSON APIs; it appears as plain text in the card body. */
  S.register("interfacage", function (app, page) {
    var r = app.routes;
    var user = app.user;
    var result = h("div.key-result");
    var status = h("p.key-status", { role: "status" });
    var error = h("div.error-slot");
    var intro = page.hasKey
      ? h("p", {}, "Cliquez sur le bouton pour visualiser la clé.")
      : h("p", {}, "Aucune clé CFA n'a encore été générée pour ce CFA. Choisissez sa durée de vie puis cliquez sur « Générer ma clé CFA ».");

    function display(data) {
      S.clear(result).appendChild(h("div.alert.alert-success.key-alert", {},
        h("div.small.fw-bold", {}, "Clé privée du CFA :"),
        h("div.font-monospace.user-select-all.key-text", {}, data.cle),
        h("div.small", {}, "Date d'expiration : ", h("strong", {}, data.expiration || ""))));
    }
    function fail(res) {
      S.clear(error).appendChild(h("div.alert.alert-danger", { role: "alert" },
        (res.data && res.data.error) || "Une erreur est survenue."));
    }

    var busy = false;
    var show = page.hasKey ? S.linkButton("btn.btn-outline-success", "Afficher ma clé CFA", function () {
      if (busy) return;
      busy = true;
      S.clear(error);
      window.Sandbox.postJSON(r.showKey).then(function (res) {
        busy = false;
        if (res.ok) display(res.data); else fail(res);
      });
    }) : null;

    var lifetimeCaptionId = S.uid("duree-label");
    var lifetime = h("select.form-select", { name: "duree", "aria-labelledby": lifetimeCaptionId },
      Array.apply(null, Array(page.maxMonths)).map(function (_, i) {
        var months = i + 1;
        return h("option", { value: String(months), selected: months === page.maxMonths },
          months + " mois");
      }));
    var generate = h("button.btn.btn-success", { type: "button" }, "Générer ma clé CFA");
    generate.addEventListener("click", function () {
      generate.disabled = true;
      S.clear(error);
      status.textContent = "";
      window.Sandbox.postJSON(r.generateKey, { duree: lifetime.value }).then(function (res) {
        generate.disabled = false;
        if (!res.ok) { fail(res); return; }
        intro.hidden = true;
        display(res.data);
        status.textContent = res.data.message;
      });
    });

    return partnet(app, h("div.row.interfacage", {},
      h("section.col-7", {},
        h("h1.page-title", {}, "Interfaçage entre votre CFA et OCAPIAT"),
        h("h2.h4", {}, "Prenez la clé d'échange !"),
        h("p", {}, "OCAPIAT a mis en œuvre le protocole d'accrochage automatisé entre son Système d'Information* et votre Système d'Information (SI)."),
        h("p", {}, "Ce système d'interfaçage permet notamment la transmission automatique des nouveaux contrats d'apprentissage, des factures et des pièces justificatives directement depuis votre SI ; et cela sans vous connecter à PartNet (qui reste entièrement accessible en parallèle à ce protocole)."),
        h("p", {}, "Pour des raisons évidentes de sécurité et de confidentialité, chaque CFA, qui souhaite mettre en place cet interfaçage**, doit obtenir une clé privée et confidentielle de la part chaque OPCO pour autoriser son SI à se connecter à ce protocole."),
        h("p", {}, "La clé de votre CFA, qui permet d'accéder au SI d'OCAPIAT, est disponible ci-contre. Votre système d'information devra être paramétré avec cette clé afin qu'il puisse se connecter au système OCAPIAT en toute sécurité."),
        h("p.small.text-muted", {}, "* Le système d'information (SI) est l'ensemble des ressources personnelles et technologiques (matériel, logiciel et communication) de l'entreprise qui permettent la gestion et la diffusion de l'information."),
        h("p.small.text-muted", {}, "** Votre éditeur ou intégrateur informatique est en mesure de vous renseigner sur la possibilité d'accrochage et sur ses modalités.")),
      h("aside.col-5", {},
        card({
          title: "Clé privée du CFA sélectionné", region: true, modifier: "key-card",
          body: [
            h("h3.h6", {}, "Rappel du CFA sélectionné"),
            h("p.mb-1", {}, "Raison sociale : " + user.organisation),
            h("p", {}, "Siret : " + user.siret),
            h("h3.h6", {}, "Clé privée"),
            intro, show, result, status,
            h("hr"),
            h("h3.h6", {}, "Générer une nouvelle clé"),
            h("p", {}, h("strong", {}, "Attention : la génération d'une nouvelle clé nécessitera le reparamétrage dans votre SI.")),
            h("p", {}, "1 - Choisissez la durée de vie de la nouvelle clé (" + page.maxMonths + " mois maximum)."),
            h("div.mb-3", {},
              h("span.form-label", { id: lifetimeCaptionId },
                "Durée de vie de ma clé CFA en mois, à partir d'aujourd'hui :"),
              lifetime),
            h("p", {}, "2 - Cliquez ci-dessous pour générer une nouvelle clé."),
            generate, error
          ]
        }))));
  });

  S.start("app-root");
})();
