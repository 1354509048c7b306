/* MyA – espace prestataire: user menu, then the consent manager loaded once the page is up. */
(function () {
  "use strict";
  var toggle = document.getElementById("mya-user-toggle");
  var menu = document.getElementById("mya-user-menu");
  if (toggle && menu) {
    var close = function () { menu.hidden = true; toggle.setAttribute("aria-expanded", "false"); };
    toggle.addEventListener("click", function (event) {
      event.stopPropagation();
      var open = menu.hidden;
      menu.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { var first = menu.querySelector("[role=menuitem]"); if (first) first.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) close();
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); toggle.focus(); }
    });
  }
  // The consent manager is a third-party tag: it is only fetched once the page has loaded.
  window.addEventListener("load", function () {
    var me = document.getElementById("mya-script");
    var tag = document.createElement("script");
    tag.src = me.getAttribute("data-consent");
    document.body.appendChild(tag);
  });
})();
