/* "Mon espace Ocapiat": choosing a profile renders that profile's extranet links. */
(function () {
  "use strict";
  var tabs = document.querySelectorAll('[role="tab"][data-profile]');
  var panel = document.getElementById("profile-panel");
  Array.prototype.forEach.call(tabs, function (tab) {
    tab.addEventListener("click", function () {
      Array.prototype.forEach.call(tabs, function (other) {
        other.setAttribute("aria-selected", other === tab ? "true" : "false");
      });
      var template = document.getElementById("profile-" + tab.getAttribute("data-profile"));
      panel.innerHTML = "";
      panel.setAttribute("aria-label", tab.textContent.trim());
      panel.appendChild(template.content.cloneNode(true));
    });
  });
})();
