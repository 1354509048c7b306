/* O2S « Demande d'agrégation »: « Supprimer » asks for a confirmation before posting. */
(function () {
  "use strict";
  var box = document.getElementById("suppression-confirmation");
  if (!box) return;
  var text = document.getElementById("suppression-texte");
  var yes = document.getElementById("suppression-confirmer");
  var no = document.getElementById("suppression-annuler");
  var pending = null;
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    // Enabled once the confirmation is wired (the page's buttons wait for this script).
    Array.prototype.forEach.call(form.querySelectorAll("button[disabled]"), function (button) {
      button.disabled = false;
    });
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-confirmed") === "yes") return;
      event.preventDefault();
      pending = form;
      text.textContent = form.getAttribute("data-confirm");
      box.hidden = false;
      no.focus();
    });
  });
  no.addEventListener("click", function () { box.hidden = true; pending = null; });
  yes.addEventListener("click", function () {
    if (!pending) return;
    yes.disabled = true;
    pending.setAttribute("data-confirmed", "yes");
    pending.submit();
  });
})();
