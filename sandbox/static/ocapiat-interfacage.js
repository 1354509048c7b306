/* PartNet "Interfaçage OCAPIAT": show or generate the CFA key through asynchronous calls. */
(function () {
  "use strict";
  var panel = document.querySelector(".key-panel");
  if (!panel) return;
  var zone = document.getElementById("cle-zone");
  var input = document.getElementById("cle-privee");
  var expiry = document.getElementById("cle-expiration-date");
  var message = document.getElementById("cle-message");
  var error = document.getElementById("cle-erreur");
  var showButton = document.getElementById("afficher-cle");
  var generateButton = document.getElementById("generer-cle");

  function display(data) {
    input.value = data.cle;
    expiry.textContent = data.expiration || "";
    zone.hidden = false;
  }

  function fail(result) {
    error.textContent = (result.data && result.data.error) || "Une erreur est survenue.";
    error.hidden = false;
  }

  if (showButton) {
    showButton.addEventListener("click", function () {
      showButton.disabled = true;
      error.hidden = true;
      window.Sandbox.postJSON(panel.getAttribute("data-show-url")).then(function (result) {
        showButton.disabled = false;
        if (result.ok) display(result.data); else fail(result);
      });
    });
  }

  generateButton.addEventListener("click", function () {
    generateButton.disabled = true;
    error.hidden = true;
    message.textContent = "";
    var months = document.getElementById("duree-cle").value;
    window.Sandbox.postJSON(panel.getAttribute("data-generate-url"), { duree: months }).then(
      function (result) {
        generateButton.disabled = false;
        if (!result.ok) { fail(result); return; }
        var absent = document.getElementById("cle-absente");
        if (absent) absent.hidden = true;
        display(result.data);
        message.textContent = result.data.message;
      });
  });
})();
