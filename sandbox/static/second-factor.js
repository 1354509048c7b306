/* The second factor's page while the app's request is out: asks the server until the login is
   approved, then posts the page's form (with « Se souvenir de cet appareil ») by itself; a lost
   challenge reloads the page, which sends the visitor back to the login. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-poll]");
  if (!form) return;
  var every = Number(form.getAttribute("data-poll-ms")) || 1000;

  function poll() {
    fetch(form.getAttribute("data-poll"), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (answer.statut === "approuvee") form.submit();
      else if (answer.statut === "expiree") window.location.assign(form.getAttribute("data-lost"));
      else setTimeout(poll, every);
    }).catch(function () { setTimeout(poll, every * 2); });
  }

  setTimeout(poll, every);
})();
