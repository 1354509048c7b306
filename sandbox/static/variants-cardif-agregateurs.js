/* FINAGORA (variants): « Autoriser un agrégateur ». */
(function () {
  "use strict";
  var root = document.getElementById("fg-agg");
  var status = document.getElementById("fg-status");
  var alertBox = document.getElementById("fg-alert");
  var list = document.getElementById("fg-subscriptions");
  var select = document.getElementById("fg-agregateur");
  var dialog = document.getElementById("fg-confirm");
  var tabs = Array.prototype.slice.call(root.querySelectorAll("[role=tab]"));
  var expiredStatus = root.getAttribute("data-expired");
  var pending = null;  // the aggregator awaiting confirmation

  function tell(text) { FG.say(alertBox, ""); FG.say(status, text); }
  function warn(text) { FG.say(status, ""); FG.say(alertBox, text); }

  function working(element) {
    element.innerHTML = "";
    element.appendChild(FG.fromTemplate("fg-tpl-working"));
    element.hidden = false;
  }

  function selectTab(tab) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    });
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { selectTab(tab); });
    tab.addEventListener("keydown", function (event) {
      var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step) {
        var next = tabs[(index + step + tabs.length) % tabs.length];
        selectTab(next);
        next.focus();
      }
    });
  });

  function draw(rows) {
    list.innerHTML = "";
    list.setAttribute("aria-busy", "false");
    var subscribed = rows.filter(function (row) { return row.abonne; });
    if (!subscribed.length) {
      list.appendChild(FG.fromTemplate("fg-tpl-none"));
      return;
    }
    var table = FG.fromTemplate("fg-tpl-table");
    var tbody = table.querySelector("tbody");
    subscribed.forEach(function (row) {
      var line = FG.fromTemplate("fg-tpl-row");
      var tr = line.querySelector("tr");
      tr.setAttribute("data-agregateur", row.nom);
      tr.querySelector("[data-field=nom]").textContent = row.nom;
      var badge = tr.querySelector("[data-field=statut]");
      badge.textContent = row.statut;
      if (row.statut === expiredStatus) { badge.classList.add("fg-badge-warn"); }
      tr.querySelector("[data-field=validite]").textContent = row.validite || "\u2014";
      tr.querySelector("[data-action=reveal]").addEventListener("click", function (event) {
        reveal(tr, event.currentTarget);
      });
      tr.querySelector("[data-action=renew]").addEventListener("click", function () {
        act("api-renew", row.nom);
      });
      tbody.appendChild(line);
    });
    list.appendChild(table);
  }

  function load() {
    return FG.api(root.getAttribute("data-api-list")).then(function (answer) {
      if (!answer.ok) { warn(answer.data.error); return; }
      draw(answer.data.agregateurs || []);
    });
  }

  /* The TOKEN is asked for when the person wants to see it, never before. */
  function reveal(tr, button) {
    var code = tr.querySelector("[data-field=token]");
    var words = tr.querySelector(".fg-token-words");
    var label = button.querySelector(".fg-sr");
    if (button.getAttribute("aria-pressed") === "true") {
      code.innerHTML = "";
      code.appendChild(FG.fromTemplate("fg-tpl-masked"));
      button.setAttribute("aria-pressed", "false");
      label.textContent = label.getAttribute("data-label-show");
      return;
    }
    button.disabled = true;
    FG.api(root.getAttribute("data-api-list")).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) { warn(answer.data.error); return; }
      var name = tr.getAttribute("data-agregateur");
      var row = (answer.data.agregateurs || []).filter(function (r) { return r.nom === name; })[0];
      if (!row || !row.abonne) { words.textContent = ""; warn(""); load(); return; }
      if (row.statut === expiredStatus) {
        words.textContent = document.getElementById("fg-tpl-expired").innerHTML
          .replace("{date}", row.validite).trim();
        return;
      }
      words.textContent = "";
      code.textContent = row.token;
      button.setAttribute("aria-pressed", "true");
      label.textContent = label.getAttribute("data-label-hide");
    });
  }

  function act(which, name) {
    working(status);
    FG.say(alertBox, "");
    FG.api(root.getAttribute("data-" + which), {agregateur: name}).then(function (answer) {
      if (!answer.ok) { FG.say(status, ""); warn(answer.data.error); return; }
      tell(answer.data.message);
      draw(answer.data.agregateurs || []);
      selectTab(document.getElementById("fg-tab-list"));
    });
  }

  document.getElementById("fg-subscribe").addEventListener("click", function () {
    var name = select.value;
    document.getElementById("fg-choose").hidden = !!name;
    if (!name) { return; }
    pending = name;
    document.getElementById("fg-confirm-text").textContent =
      root.getAttribute("data-confirm-text").replace("{name}", name);
    dialog.hidden = false;
    dialog.querySelector("[data-dialog=confirm]").focus();
  });

  dialog.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dialog]");
    if (!button) { return; }
    dialog.hidden = true;
    if (button.getAttribute("data-dialog") === "confirm" && pending) {
      act("api-subscribe", pending);
    }
    pending = null;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !dialog.hidden) { dialog.hidden = true; pending = null; }
  });

  load();
})();
