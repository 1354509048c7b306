/* Plateforme CFA « Clé d'authentification API CFA »: the current key is loaded after the page,
   « Générer ma clé » asks for a new one (it replaces the previous key). */
(function () {
  "use strict";
  var panel = document.querySelector(".ps-key");
  if (!panel) return;
  var loading = document.getElementById("cle-chargement");
  var absent = document.getElementById("cle-absente");
  var zone = document.getElementById("cle-zone");
  var input = document.getElementById("cle-api");
  var expiry = document.getElementById("cle-expiration-date");
  var message = document.getElementById("cle-message");
  var error = document.getElementById("cle-erreur");
  var button = document.getElementById("generer-cle");

  function display(data) {
    loading.hidden = true;
    if (data.cle) {
      input.value = data.cle;
      expiry.textContent = data.expiration || "";
      zone.hidden = false;
      absent.hidden = true;
    } else {
      zone.hidden = true;
      absent.hidden = false;
    }
  }

  function fail(result) {
    loading.hidden = true;
    error.textContent = (result.data && result.data.error) || "Une erreur est survenue.";
    error.hidden = false;
  }

  window.Sandbox.getJSON(panel.getAttribute("data-key-url")).then(function (result) {
    button.disabled = false;
    if (result.ok) display(result.data); else fail(result);
  });

  button.addEventListener("click", function () {
    button.disabled = true;
    error.hidden = true;
    message.textContent = "";
    window.Sandbox.postJSON(panel.getAttribute("data-generate-url")).then(function (result) {
      button.disabled = false;
      if (!result.ok) { fail(result); return; }
      display(result.data);
      message.textContent = result.data.message;
    });
  });
})();
