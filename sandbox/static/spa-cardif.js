/* FINAGORA (BNP Paribas Cardif), "spa" rendering: every page is built here from the shell's JSON
   model. Cards whose heading sits in a header block apart from their body, tabs and actions as
   links styled as buttons, a user menu built on open, aggregators chosen among option cards
   (radio buttons), dialogs named by their heading, extractions polled while being prepared. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  /* ----- components ------------------------------------------------------------------------ */

  function card(options) {
    var titleId = S.uid("fx-card-title");
    return h("div.fx-card" + (options.modifier ? "." + options.modifier : ""),
      { role: options.region ? "region" : null, "aria-labelledby": options.region ? titleId : null },
      h("div.fx-card__header",
        h((options.level || "h2") + ".fx-card__title", { id: titleId }, options.title)),
      h("div.fx-card__body", options.body));
  }

  function alert(kind, content, role) {
    return h("div.fx-alert.fx-alert--" + kind, { role: role || null }, content);
  }

  function brand() {
    return h("div.fx-brand", h("span.fx-brand-group", "BNP PARIBAS"), h("span.fx-brand-name", "CARDIF"),
      h("span.fx-brand-app", "FINAGORA"));
  }

  function footer(app) {
    return h("footer.fx-footer", "BNP Paribas Cardif – Extranet partenaires FINAGORA" +
      (app.support ? " · " + app.support : ""));
  }

  /* Once logged in: the tabs (links styled as buttons) and the user menu, whose items exist only
     while it is open. */
  function platform(app, content) {
    var r = app.routes;
    var user = app.user;
    var trigger = h("button.fx-user", { type: "button", "aria-label": "Mon compte" },
      h("span.fx-avatar", { "aria-hidden": "true" }, user.initials), h("span", user.displayName));
    S.attachMenu(trigger, {
      label: "Mon compte", alignRight: true, panelClass: "fx-menu",
      header: function () {
        return h("div.fx-menu-header", h("strong", user.displayName), h("div", user.organisation));
      },
      items: function () {
        return [{ label: "Mon portefeuille", url: r.portefeuille }, { label: "Se déconnecter", url: r.logout }];
      }
    });
    return h("div.fx-app",
      h("header.fx-header", brand(), h("span.fx-spacer"), trigger),
      h("nav.fx-tabs", { "aria-label": "Menu principal" }, app.tabs.map(function (tab) {
        return h("a.fx-btn.fx-btn--tab" + (tab.current ? ".fx-btn--active" : ""),
          { href: tab.href, "aria-current": tab.current ? "page" : null }, tab.label);
      })),
      h("main.fx-main", content),
      footer(app));
  }

  /* ----- login ------------------------------------------------------------------------------ */

  S.register("login", function (app, page) {
    var password = h("input.fx-input", {
      type: "password", name: "motdepasse", autocomplete: "current-password",
      placeholder: "Mot de passe", required: true
    });
    var form = h("form.fx-form", { method: "post", action: app.routes.loginSubmit },
      S.csrfInput(app),
      h("div.fx-field", h("input.fx-input", {
        type: "text", name: "identifiant", autocomplete: "username", placeholder: "Identifiant",
        required: true, value: page.username || ""
      })),
      h("div.fx-field.fx-field--password", password, S.passwordEye(password, "button.fx-eye", S.glyph("eye"))),
      h("button.fx-btn.fx-btn--primary.fx-btn--block", { type: "submit" }, "Se connecter"));
    return h("div.fx-public",
      h("header.fx-header", brand()),
      h("main.fx-login", card({
        title: "Espace partenaires", level: "h1",
        body: [
          h("p", "Connectez-vous avec vos identifiants personnels."),
          page.error ? alert("error", page.error, "alert") : null,
          form,
          h("p.fx-muted", h("a", { href: "#" }, "Identifiant ou mot de passe oublié ?"))
        ]
      })),
      footer(app));
  });

  /* ----- tabs ------------------------------------------------------------------------------- */

  S.register("tab", function (app, page) {
    return platform(app, [
      h("h1.fx-title", page.label),
      page.welcome ? h("p", "Bienvenue sur FINAGORA, " + app.user.firstName + ".") : null,
      card({
        title: page.welcome ? "Actualités" : page.label,
        body: h("p", page.welcome
          ? "Les nouvelles conditions de l'offre Cardif Elite sont disponibles dans l'espace Documentation."
          : "Aucun élément à afficher.")
      })
    ]);
  });

  /* ----- « Suivi d'activité » --------------------------------------------------------------- */

  /* A download started from a button, as single-page apps do. */
  function download(url) {
    var link = h("a", { href: url, download: "" });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  S.register("suivi", function (app, page) {
    var r = app.routes;
    var feedback = h("div.fx-feedback");
    var list = h("div.fx-extractions", { "aria-live": "polite" },
      h("p.fx-muted", h("span.fx-spin", { "aria-hidden": "true" }), "Chargement de vos extractions…"));
    var actions = h("div.fx-actions");
    var timer = null;

    function say(kind, text) {
      S.clear(feedback);
      if (text) feedback.appendChild(alert(kind, text, kind === "error" ? "alert" : "status"));
    }

    var actionsShown = false;

    function render(data) {
      S.clear(list);
      if (!data.abonne) {
        list.appendChild(alert("info", page.notSubscribed));
        return;
      }
      if (!actionsShown) {  // built once: the polling below re-renders the list only
        actionsShown = true;
        actions.appendChild(S.linkButton("fx-btn.fx-btn--outline", "Lancer l'extraction", function () {
          launch("v1");
        }));
        actions.appendChild(S.linkButton("fx-btn.fx-btn--primary", "Lancer l'extraction V2", function () {
          launch("v2");
        }));
      }
      var captionId = S.uid("fx-extractions-caption");
      list.appendChild(h("h3.fx-subtitle", { id: captionId }, "Vos extractions"));
      if (!data.extractions.length) {
        list.appendChild(h("p.fx-muted", "Aucune extraction."));
      }
      var items = h("ul.fx-extraction-list", { "aria-labelledby": captionId });
      list.appendChild(items);
      var pending = false;
      data.extractions.forEach(function (item) {
        pending = pending || !item.pret;
        items.appendChild(h("li.fx-extraction",
          h("div.fx-extraction__what",
            h("strong", "Extraction " + item.version),
            h("span.fx-muted", "Demandée le " + item.demande)),
          item.pret
            ? h("span.fx-badge.fx-badge--done", item.statut)
            : h("span.fx-badge.fx-badge--pending", { role: "status" },
                h("span.fx-spin", { "aria-hidden": "true" }), item.statut),
          item.pret
            ? h("button.fx-btn.fx-btn--primary", { type: "button", onclick: function () { download(item.fichier); } },
                S.icon("download"), h("span", "Télécharger le fichier"))
            : null));
      });
      if (timer) clearTimeout(timer);
      timer = pending ? setTimeout(refresh, 600) : null;
    }

    function refresh() {
      window.Sandbox.getJSON(r.apiExtractions).then(function (res) {
        if (res.ok) render(res.data); else say("error", (res.data && res.data.error) || "Une erreur est survenue.");
      });
    }

    function launch(version) {
      say(null, "");
      window.Sandbox.postJSON(r.apiExtract, { version: version }).then(function (res) {
        if (!res.ok) { say("error", (res.data && res.data.error) || "Une erreur est survenue."); return; }
        say("success", res.data.message);
        refresh();
      });
    }

    refresh();
    return platform(app, [
      h("h1.fx-title", "Suivi d'activité"),
      h("div.fx-grid",
        card({ title: "Production", body: [
          h("p", "Retrouvez votre production du mois et l'évolution des encours de votre portefeuille."),
          h("a.fx-btn.fx-btn--outline", { href: r.portefeuille }, "Consulter ma production")
        ] }),
        card({ title: "Agrégateurs", body: [
          h("p", "Autorisez la mise à disposition de vos données pour un des agrégateurs partenaires."),
          h("a.fx-btn.fx-btn--outline", { href: r.agregateurs }, "Autoriser un agrégateur")
        ] })),
      card({ title: "Extraction progestor", region: true, body: [
        h("p", page.intro), actions, feedback, list
      ] })
    ]);
  });

  /* ----- « Autoriser un agrégateur » -------------------------------------------------------- */

  S.register("agregateurs", function (app, page) {
    var r = app.routes;
    var captionId = S.uid("fx-aggregator-caption");
    var group = h("div.fx-options", { role: "radiogroup", "aria-labelledby": captionId },
      h("p.fx-muted", h("span.fx-spin", { "aria-hidden": "true" }), "Chargement des agrégateurs…"));
    var error = h("div.fx-feedback");
    var hint = h("p.fx-hint");
    var subscribe = h("button.fx-btn.fx-btn--primary", { type: "button", disabled: true }, "S'abonner");
    var rows = [];
    var selected = null;

    function fail(res) {
      S.clear(error).appendChild(alert("error", (res.data && res.data.error) || "Une erreur est survenue.", "alert"));
    }

    function current() {
      return rows.filter(function (row) { return row.nom === selected; })[0] || null;
    }

    function update() {
      var row = current();
      subscribe.disabled = !row || row.abonne;
      hint.textContent = row && row.abonne ? "Vous êtes déjà abonné à l'agrégateur " + row.nom + "." : "";
      Array.prototype.forEach.call(group.querySelectorAll(".fx-option"), function (node) {
        var radio = node.querySelector("input[type=radio]");
        node.classList.toggle("fx-option--selected", !!radio && radio.value === selected);
      });
    }

    function renew(name) {
      S.clear(error);
      window.Sandbox.postJSON(r.apiRenew, { agregateur: name }).then(function (res) {
        if (!res.ok) { fail(res); return; }
        render(res.data.agregateurs);
        S.snackBar(res.data.message);
      });
    }

    function option(row) {
      var id = S.uid("fx-radio");
      var input = h("input.fx-radio", { type: "radio", id: id, name: "agregateur", value: row.nom,
        checked: row.nom === selected, onchange: function () { selected = row.nom; update(); } });
      var details = null;
      if (row.abonne) {
        details = h("div.fx-option__details",
          h("dl.fx-token",
            h("dt", "Token"), h("dd", h("code.fx-token__value", row.token)),
            h("dt", "Date de fin de validité"), h("dd", row.validite || "")),
          S.linkButton("fx-btn.fx-btn--link", "Renouveler le token", function () { renew(row.nom); }));
      }
      return h("div.fx-option" + (row.abonne ? ".fx-option--subscribed" : "") + (row.nom === selected ? ".fx-option--selected" : ""),
        h("div.fx-option__head", input,
          h("label.fx-option__label", { for: id }, row.nom),
          h("span.fx-badge" + (row.abonne ? ".fx-badge--done" : ""), row.statut)),
        details);
    }

    function render(list) {
      rows = list;
      S.clear(group);
      rows.forEach(function (row) { group.appendChild(option(row)); });
      update();
    }

    subscribe.addEventListener("click", function () {
      var row = current();
      if (!row || row.abonne) return;
      var confirmButton = h("button.fx-btn.fx-btn--primary", { type: "button" }, "Confirmer l'abonnement");
      var ref = S.dialog({
        title: page.confirmTitle,
        content: h("p", page.confirmText.replace("{name}", row.nom)),
        actions: [
          h("button.fx-btn.fx-btn--outline", { type: "button", onclick: function () { ref.close(); } }, "Annuler"),
          confirmButton
        ]
      });
      confirmButton.addEventListener("click", function () {
        confirmButton.disabled = true;
        S.clear(error);
        window.Sandbox.postJSON(r.apiSubscribe, { agregateur: row.nom }).then(function (res) {
          ref.close();
          if (!res.ok) { fail(res); return; }
          render(res.data.agregateurs);
          S.snackBar(res.data.message);
        });
      });
    });

    window.Sandbox.getJSON(r.apiAgregateurs).then(function (res) {
      if (res.ok) render(res.data.agregateurs); else { S.clear(group); fail(res); }
    });

    return platform(app, [
      h("nav.fx-crumbs", { "aria-label": "Fil d'Ariane" },
        h("a", { href: r.suivi }, "Suivi d'activité"), " › ", h("span", "Autoriser un agrégateur")),
      h("h1.fx-title", "Autoriser un agrégateur"),
      card({ title: "Liste des abonnements aux agrégateurs", region: true, body: [
        h("p", "Sélectionnez l'agrégateur partenaire et abonnez-vous à l'application concernée, puis récupérez le token associé et communiquez-le à l'agrégateur."),
        h("p.fx-caption", { id: captionId }, "Agrégateur partenaire"),
        group,
        h("div.fx-actions", subscribe),
        hint,
        error,
        h("p.fx-muted", page.tokenNote)
      ] })
    ]);
  });

  S.start("app-root");
})();
