/* M-Gestion CFA "Clé d'authentification": the key exists only in the pop-in built after the
   generation call returns; closing it is the last time it can be seen. */
(function () {
  "use strict";
  var root = document.querySelector(".mg-generate");
  if (!root) return;
  var select = document.getElementById("siret-etablissement");
  var button = document.getElementById("generer-cle");
  var busy = document.getElementById("generation-en-cours");
  var error = document.getElementById("cle-erreur");

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }

  function popIn(data) {
    var backdrop = document.createElement("div");
    backdrop.className = "modal-backdrop";
    var dialog = document.createElement("div");
    dialog.className = "modal";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "cle-dialog-titre");
    var title = document.createElement("h2");
    title.id = "cle-dialog-titre";
    title.textContent = "Clé d'authentification";
    var key = document.createElement("input");
    key.type = "text";
    key.readOnly = true;
    key.className = "key-display";
    key.setAttribute("aria-labelledby", "cle-dialog-titre");
    key.value = data.cle;
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "SIRET " + data.siret + " – clé valable jusqu'au " + data.expiration +
      ". Conservez-la : elle ne sera plus affichée.";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn";
    close.textContent = "Fermer";
    close.addEventListener("click", function () { backdrop.remove(); });
    dialog.appendChild(title);
    dialog.appendChild(key);
    dialog.appendChild(note);
    dialog.appendChild(close);
    backdrop.appendChild(dialog);
    document.body.appendChild(backdrop);
    close.focus();
  }

  button.addEventListener("click", function () {
    error.hidden = true;
    if (!select.value) { showError("Veuillez sélectionner le SIRET de l'établissement concerné."); return; }
    button.disabled = true;
    busy.hidden = false;
    window.Sandbox.postJSON(root.getAttribute("data-generate-url"), { siret: select.value })
      .then(function (result) {
        button.disabled = false;
        busy.hidden = true;
        if (result.ok) popIn(result.data);
        else showError(result.data.error || "La génération de la clé a échoué.");
      });
  });
})();
