/* myAtlas "Mes paramètres": the CFA key is loaded after the page, then can be copied. */
(function () {
  "use strict";
  var input = document.getElementById("cle-cfa");
  var status = document.getElementById("cle-etat");
  if (!input) return;
  window.Sandbox.getJSON(input.getAttribute("data-source")).then(function (result) {
    input.removeAttribute("placeholder");
    if (!result.ok) {
      status.textContent = result.data.error || "Impossible de charger votre clé CFA.";
      return;
    }
    input.value = result.data.cleCfa || "";
    if (!input.value) status.textContent = "Votre clé CFA est en cours de génération.";
  });
  document.getElementById("copier-cle").addEventListener("click", function () {
    if (!input.value) return;
    var done = function () { status.textContent = "Clé copiée dans le presse-papier."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        status.textContent = "La copie a été refusée par le navigateur.";
      });
    } else {
      input.select();
      document.execCommand("copy");
      done();
    }
  });
})();
