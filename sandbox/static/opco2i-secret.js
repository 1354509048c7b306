/* « Copier le Mot de Passe » of the classic one-time-secret page: copies the box's value to the
   clipboard, and does nothing else. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-from]"), function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById(button.getAttribute("data-copy-from"));
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(box.value);
    });
  });
})();
