/* A form with data-confirm asks first, in the page's confirmation dialog (the macro
   confirm_dialog of _macros.html, whose ids start with this script tag's data-dialog): Cardif's
   « S'abonner », O2S's « Supprimer ». The confirmed form is then posted. */
(function () {
  "use strict";
  var prefix = document.currentScript.getAttribute("data-dialog");
  var box = document.getElementById(prefix + "-confirmation");
  if (!box) return;
  var text = document.getElementById(prefix + "-texte");
  var yes = document.getElementById(prefix + "-confirmer");
  var no = document.getElementById(prefix + "-annuler");
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
