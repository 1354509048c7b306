/* A tiny component runtime shared by the "spa" renderings of OPCO EP and OPCO Mobilités.
   The server sends a thin shell (an empty <app-root> and a JSON page model); the portal's script
   declares its views and this runtime builds the DOM from the model, the way a client-side
   framework would: generated ids, overlay menus attached to <body>, dialogs, snack-bars and a
   consent banner of its own. Light DOM only, vanilla JS, no network beyond the page's API. */
(function () {
  "use strict";

  var counter = 0;

  /* Generated ids, like a framework's "mat-mdc-form-field-label-3": only for ARIA wiring. */
  function uid(prefix) {
    counter += 1;
    return (prefix || "ng") + "-" + counter;
  }

  /* h("div.card-header", {attrs}, children...): class names after dots, attributes in an
     object, "on<event>" keys become listeners, children may be strings, nodes, arrays or null. */
  function h(spec, attrs) {
    var parts = spec.split(".");
    var node = document.createElement(parts[0] || "div");
    if (parts.length > 1) node.className = parts.slice(1).join(" ");
    var children = Array.prototype.slice.call(arguments, 2);
    if (attrs && (typeof attrs !== "object" || attrs.nodeType || Array.isArray(attrs))) {
      children.unshift(attrs);
      attrs = null;
    }
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key.slice(0, 2) === "on" && typeof value === "function") {
          node.addEventListener(key.slice(2), value);
        } else if (key === "class") {
          node.className = (node.className ? node.className + " " : "") + value;
        } else if (key === "value") {
          node.value = value;
        } else if (key === "text") {
          node.textContent = value;
        } else if (key === "html") {
          node.innerHTML = value;
        } else {
          node.setAttribute(key, value === true ? "" : String(value));
        }
      });
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) append(node, child);
      else if (typeof child === "string" || typeof child === "number") {
        node.appendChild(document.createTextNode(String(child)));
      } else node.appendChild(child);
    });
  }

  var ICONS = {
    download: "M12 3v12m0 0l-5-5m5 5l5-5M4 19h16",
    add: "M12 5v14M5 12h14",
    eye: "M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12z M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6",
    chevron: "M6 9l6 6 6-6",
    refresh: "M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7",
    logout: "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11",
    key: "M14 10a4 4 0 1 1 0 .1M10.5 13.5L3 21m3-3l2 2",
    home: "M3 11l9-7 9 7v9h-6v-6H9v6H3z",
    folder: "M3 6h6l2 2h10v11H3z",
    user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9c0-4 4-6 8-6s8 2 8 6"
  };

  /* Decorative SVG icon (hidden from the accessibility tree, as <mat-icon> is). */
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "spa-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name] || "");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }

  /* ----- overlay container: menus, dialogs and snack-bars live at the end of <body> --------- */
  function overlayContainer() {
    var existing = document.querySelector("body > .cdk-overlay-container");
    if (existing) return existing;
    var container = h("div.cdk-overlay-container");
    document.body.appendChild(container);
    return container;
  }

  /* A trigger button whose menu is built in the overlay container when opened and destroyed
     when closed. items: [{label, href} | {label, action}] */
  var openMenus = [];

  function closeAllMenus() {
    openMenus.slice().forEach(function (close) { close(); });
  }

  function menuTrigger(options) {
    var trigger = h("button.mat-mdc-menu-trigger" + (options.className ? "." + options.className : ""),
      { type: "button", "aria-haspopup": "menu", "aria-expanded": "false",
        "aria-label": options.ariaLabel || null },
      options.content);
    var pane = null;

    function close() {
      if (!pane) return;
      pane.remove();
      pane = null;
      trigger.setAttribute("aria-expanded", "false");
      trigger.removeAttribute("aria-controls");
      openMenus = openMenus.filter(function (fn) { return fn !== close; });
    }

    function open() {
      closeAllMenus();
      var menuId = uid("mat-menu-panel");
      var items = options.items().map(function (item) {
        var label = h("span.mat-mdc-menu-item-text", item.label);
        if (item.href) {
          return h("a.mat-mdc-menu-item", { role: "menuitem", href: item.href, tabindex: "0" },
            item.icon ? icon(item.icon) : null, label);
        }
        return h("button.mat-mdc-menu-item", {
          role: "menuitem", type: "button",
          onclick: function () { close(); item.action(); }
        }, item.icon ? icon(item.icon) : null, label);
      });
      var menu = h("div.mat-mdc-menu-panel", {
        role: "menu", id: menuId, tabindex: "-1",
        "aria-label": options.menuLabel || trigger.textContent.trim()
      }, h("div.mat-mdc-menu-content", items));
      pane = h("div.cdk-overlay-pane", menu);
      var rect = trigger.getBoundingClientRect();
      pane.style.top = (rect.bottom + 4) + "px";  /* the container is position: fixed */
      if (options.alignEnd) {
        pane.style.right = Math.max(8, document.documentElement.clientWidth - rect.right) + "px";
      } else {
        pane.style.left = rect.left + "px";
      }
      overlayContainer().appendChild(pane);
      trigger.setAttribute("aria-expanded", "true");
      trigger.setAttribute("aria-controls", menuId);
      openMenus.push(close);
    }

    trigger.addEventListener("click", function (event) {
      event.stopPropagation();
      if (pane) close(); else open();
    });
    document.addEventListener("click", function (event) {
      if (pane && !pane.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    return trigger;
  }

  /* ----- dialogs and snack-bars -------------------------------------------------------------- */
  function dialog(options) {
    var titleId = uid("mat-mdc-dialog-title");
    var backdrop = h("div.cdk-overlay-backdrop.cdk-overlay-dark-backdrop");
    var surface = h("div.mat-mdc-dialog-surface",
      h("h2.mat-mdc-dialog-title", { id: titleId }, options.title),
      h("div.mat-mdc-dialog-content", options.content),
      h("div.mat-mdc-dialog-actions", options.actions));
    var container = h("div.mat-mdc-dialog-container", {
      role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, tabindex: "-1"
    }, surface);
    var wrapper = h("div.cdk-global-overlay-wrapper", h("div.cdk-overlay-pane", container));
    var host = overlayContainer();
    host.appendChild(backdrop);
    host.appendChild(wrapper);
    return {
      element: container,
      close: function () { backdrop.remove(); wrapper.remove(); }
    };
  }

  function snackBar(message, failed) {
    var host = overlayContainer();
    var bar = h("div.mat-mdc-snack-bar-container" + (failed ? ".snack-error" : ""),
      h("div.mat-mdc-snack-bar-label", { role: "status", "aria-live": "polite" }, message));
    host.appendChild(bar);
    setTimeout(function () { bar.remove(); }, 4000);
  }

  /* ----- HTTP: CSRF token from the shell's meta tag, sent as a header on writes -------------- */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function http(method, url, body) {
    var headers = { "Accept": "application/json" };
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = csrfToken();
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body || {});
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { error: "Le service est momentanément indisponible." } };
    });
  }

  /* ----- consent banner: the portal's wording, our own markup ------------------------------- */
  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  function consentBanner(consent) {
    if (!consent || readCookie(consent.cookie)) return;
    var delay = 300 + Math.floor(Math.random() * 300);
    setTimeout(function () {
      var titleId = uid("consent-title");
      var shade;
      function answer(value) {
        document.cookie = consent.cookie + "=" + value + "; path=" + consent.path +
          "; max-age=" + (60 * 60 * 24 * 180) + "; SameSite=Lax";
        shade.remove();
      }
      shade = h("div.consent-shade",
        h("section.consent-sheet", { role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
          h("div.consent-sheet-header", h("p.consent-title", { id: titleId }, consent.title)),
          h("div.consent-sheet-body", h("span", consent.text)),
          h("div.consent-sheet-footer",
            h("button.spa-btn.spa-btn-outline", { type: "button", onclick: function () { answer("refused"); } },
              consent.refuse),
            h("button.spa-btn.spa-btn-primary", { type: "button", onclick: function () { answer("accepted"); } },
              consent.accept))));
      document.body.appendChild(shade);
    }, delay);
  }

  /* ----- boot: read the page model, render the view into <app-root> ------------------------- */
  function boot(views) {
    var node = document.querySelector('script[type="application/json"][data-page-model]');
    var model = node ? JSON.parse(node.textContent) : {};
    var root = document.querySelector("app-root");
    var view = views[model.view];
    if (root && view) {
      root.textContent = "";
      append(root, [view(model)]);
      root.setAttribute("ng-version", "17.3.12");
    }
    var consent = model.config && model.config.consent;
    if (document.readyState === "complete") consentBanner(consent);
    else window.addEventListener("load", function () { consentBanner(consent); });
    return model;
  }

  window.EmSpa = {
    h: h, icon: icon, uid: uid, menuTrigger: menuTrigger, dialog: dialog, snackBar: snackBar,
    getJSON: function (url) { return http("GET", url); },
    postJSON: function (url, body) { return http("POST", url, body); },
    boot: boot
  };
})();
