/* MyA « Mon compte »: the « Identifiant API CFA » is read after the page loads; a head office
   generates it (confirming first when one exists, since the new one overwrites it). */
(function () {
  "use strict";
  var section = document.querySelector(".mya-api");
  if (!section) return;
  var field = document.getElementById("identifiant-api-cfa");
  var loading = document.getElementById("identifiant-chargement");
  var message = document.getElementById("identifiant-message");
  var error = document.getElementById("identifiant-erreur");
  var button = document.getElementById("generer-identifiant");
  var CONFIRM = "Vous disposez déjà d'un identifiant API CFA. La génération d'un nouvel " +
    "identifiant écrase le précédent : le nouvel identifiant remplacera l'identifiant actuel " +
    "dans tous les établissements de votre SIREN. Voulez-vous continuer ?";

  function fail(result) {
    error.textContent = (result.data && result.data.error) || "Une erreur est survenue.";
    error.hidden = false;
  }

  window.Sandbox.getJSON(section.getAttribute("data-identifier-url")).then(function (result) {
    loading.hidden = true;
    section.removeAttribute("aria-busy");
    if (!result.ok) { fail(result); return; }
    field.value = result.data.identifiant || "";
    if (button) button.disabled = false;
  });

  if (!button) return;
  button.addEventListener("click", function () {
    if (field.value && !window.confirm(CONFIRM)) return;
    button.disabled = true;
    error.hidden = true;
    message.textContent = "";
    window.Sandbox.postJSON(section.getAttribute("data-generate-url")).then(function (result) {
      button.disabled = false;
      if (!result.ok) { fail(result); return; }
      field.value = result.data.identifiant;
      message.textContent = result.data.message;
    });
  });
})();
