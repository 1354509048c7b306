/* « Liste des abonnements aux agrégateurs »: « S'abonner » asks for a confirmation first; the
   confirmed form is then posted. */
(function () {
  "use strict";
  var box = document.getElementById("abonnement-confirmation");
  if (!box) return;
  var text = document.getElementById("abonnement-texte");
  var yes = document.getElementById("abonnement-confirmer");
  var no = document.getElementById("abonnement-annuler");
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
