/* OPCO EP "Sécurisation des imports": token loaded after the page, generated on demand,
   downloaded as a .txt attachment. */
(function () {
  "use strict";
  var root = document.querySelector(".ep-secu");
  if (!root) return;
  var tokenInput = document.getElementById("token-securite");
  var expiryInput = document.getElementById("token-expiration");
  var download = document.getElementById("telecharger-token");
  var generate = document.getElementById("generer-token");
  var toast = document.getElementById("token-toast");

  function fill(data) {
    tokenInput.value = data.token || "";
    expiryInput.value = data.expiration || "";
    download.disabled = !data.token;
  }

  window.Sandbox.getJSON(root.getAttribute("data-token-url")).then(function (result) {
    if (result.ok) fill(result.data);
  });

  generate.addEventListener("click", function () {
    generate.disabled = true;
    window.Sandbox.postJSON(root.getAttribute("data-token-url")).then(function (result) {
      generate.disabled = false;
      toast.className = result.ok ? "toast" : "toast toast-error";
      toast.textContent = result.ok ? result.data.message :
        (result.data.error || "La génération du token a échoué.");
      toast.hidden = false;
      if (result.ok) fill(result.data);
      setTimeout(function () { toast.hidden = true; }, 4000);
    });
  });

  download.addEventListener("click", function () {
    var link = document.createElement("a");
    link.href = root.getAttribute("data-download-url");
    link.download = "";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
})();
