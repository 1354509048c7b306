/* « Accrochage API »: the key and its expiry are fetched after the page loads; « Générer une
   nouvelle clé d'API » and « Révoquer l'accès » (after a confirmation) call the JSON APIs. */
(function () {
  "use strict";
  var panel = document.querySelector(".wsp-api");
  if (!panel) return;
  var loading = document.getElementById("cle-chargement");
  var absent = document.getElementById("cle-absente");
  var zone = document.getElementById("cle-zone");
  var input = document.getElementById("cle-api");
  var expiry = document.getElementById("cle-expiration");
  var message = document.getElementById("cle-message");
  var error = document.getElementById("cle-erreur");
  var generate = document.getElementById("generer-cle");
  var revoke = document.getElementById("revoquer-cle");
  var copy = document.getElementById("copier-cle");
  var confirmBox = document.getElementById("revoquer-confirmation");
  var confirmYes = document.getElementById("revoquer-confirmer");
  var confirmNo = document.getElementById("revoquer-annuler");

  function display(data) {
    loading.hidden = true;
    if (data.cle) {
      input.value = data.cle;
      expiry.textContent = data.expiration || "";
      zone.hidden = false;
      absent.hidden = true;
    } else {
      input.value = "";
      expiry.textContent = "";
      zone.hidden = true;
      absent.textContent = data.absence || "";
      absent.hidden = false;
    }
  }

  function fail(result) {
    loading.hidden = true;
    error.textContent = (result.data && result.data.error) || "Une erreur est survenue.";
    error.hidden = false;
  }

  window.Sandbox.getJSON(panel.getAttribute("data-key-url")).then(function (result) {
    if (result.ok) display(result.data); else fail(result);
  });

  generate.addEventListener("click", function () {
    generate.disabled = true;
    error.hidden = true;
    message.textContent = "";
    window.Sandbox.postJSON(panel.getAttribute("data-generate-url")).then(function (result) {
      generate.disabled = false;
      if (!result.ok) { fail(result); return; }
      display(result.data);
      message.textContent = result.data.message || "";
    });
  });

  copy.addEventListener("click", function () {
    input.select();
    var done = function () { message.textContent = "Clé d'API copiée dans le presse-papier."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    }
  });

  revoke.addEventListener("click", function () {
    confirmBox.hidden = false;
    confirmNo.focus();
  });
  confirmNo.addEventListener("click", function () { confirmBox.hidden = true; });
  confirmYes.addEventListener("click", function () {
    confirmYes.disabled = true;
    error.hidden = true;
    message.textContent = "";
    window.Sandbox.postJSON(panel.getAttribute("data-revoke-url")).then(function (result) {
      confirmYes.disabled = false;
      confirmBox.hidden = true;
      if (!result.ok) { fail(result); return; }
      display(result.data);
      message.textContent = result.data.message || "";
    });
  });
})();
