/* FINAGORA (variants): « Extraction progestor ». */
(function () {
  "use strict";
  var root = document.getElementById("fg-progestor");
  var status = document.getElementById("fg-status");
  var alertBox = document.getElementById("fg-alert");
  var list = document.getElementById("fg-extractions");
  var api = root.getAttribute("data-api");
  var POLL_MS = 1000;  // the page asks again while an extraction is being prepared
  var timer = null;

  function draw(rows) {
    list.innerHTML = "";
    list.setAttribute("aria-busy", "false");
    if (!rows.length) {
      list.appendChild(FG.fromTemplate("fg-tpl-none"));
      return;
    }
    var table = FG.fromTemplate("fg-tpl-table");
    var tbody = table.querySelector("tbody");
    rows.forEach(function (row) {
      var line = FG.fromTemplate("fg-tpl-row");
      line.querySelector("[data-field=demande]").textContent = row.demande;
      line.querySelector("[data-field=version]").textContent = row.version;
      var state = line.querySelector("[data-field=statut]");
      var file = line.querySelector("[data-field=fichier]");
      if (row.pret) {
        state.textContent = row.statut;
        var link = FG.fromTemplate("fg-tpl-download");
        link.querySelector("a").href = row.fichier;
        file.appendChild(link);
      } else {
        state.appendChild(FG.fromTemplate("fg-tpl-pending"));
        file.textContent = "\u2014";
      }
      tbody.appendChild(line);
    });
    list.appendChild(table);
  }

  function refresh(rows) {
    draw(rows);
    clearTimeout(timer);
    if (rows.some(function (row) { return !row.pret; })) {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  function poll() {
    FG.api(api).then(function (answer) {
      if (!answer.ok) { FG.say(alertBox, answer.data.error); return; }
      refresh(answer.data.extractions || []);
    });
  }

  Array.prototype.forEach.call(root.querySelectorAll("[data-version]"), function (button) {
    button.addEventListener("click", function () {
      FG.say(alertBox, "");
      status.innerHTML = "";
      status.appendChild(FG.fromTemplate("fg-tpl-working"));
      status.hidden = false;
      button.disabled = true;
      FG.api(api, {version: button.getAttribute("data-version")}).then(function (answer) {
        button.disabled = false;
        if (!answer.ok) {
          FG.say(status, "");
          FG.say(alertBox, answer.data.error);
          return;
        }
        FG.say(status, answer.data.message);
        refresh(answer.data.extractions || []);
      });
    });
  });

  poll();
})();
