/* The small view layer every portal of the "spa" rendering shares.

   The server sends a thin shell (templates/spa/_shell.html): a mount point and the page's model
   as JSON. This file reads the model, builds DOM nodes from small functions (h()) and renders the
   view the portal's script registered for the page. It also gives the views their widgets: menus
   built on open and destroyed on close, dialogs, snack-bars, password eyes, link-buttons, icons.
   The look of each portal (Lightning, Bootstrap, Material) stays in its own script; the CSRF-aware
   fetch helpers come from sandbox.js (window.Sandbox). Vanilla JS, light DOM only. */
(function () {
  "use strict";

  var sequence = 0;

  /* A generated id, as component frameworks hand out ("menu-3"): only for ARIA wiring. */
  function uid(prefix) {
    sequence += 1;
    return (prefix || "c") + "-" + sequence;
  }

  function append(parent, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) append(parent, child);
      else parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return parent;
  }

  /* h("div.card.card--x", {attr: value, onclick: fn}, child, [children], "text"): class names
     after dots, "on<event>" keys become listeners, `value` is set as the property (so it works
     for every control); the attributes may be left out: h("div.row", child, child). */
  function h(spec, props) {
    var parts = spec.split(".");
    var node = document.createElement(parts[0] || "div");
    var children = Array.prototype.slice.call(arguments, 2);
    if (parts.length > 1) node.className = parts.slice(1).join(" ");
    if (props === null || typeof props !== "object" || props instanceof Node || Array.isArray(props)) {
      children.unshift(props);
      props = {};
    }
    Object.keys(props).forEach(function (name) {
      var value = props[name];
      if (value === null || value === undefined || value === false) return;
      if (name.slice(0, 2) === "on" && typeof value === "function") {
        node.addEventListener(name.slice(2).toLowerCase(), value);
      } else if (name === "class") {
        node.className = (node.className ? node.className + " " : "") + value;
      } else if (name === "value") {
        node.value = value;
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    return append(node, children);
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function go(url) { window.location.assign(url); }

  /* A hidden CSRF field for the forms the views build (the server checks it on every POST). */
  function csrfInput(app) {
    return h("input", { type: "hidden", name: app.csrf.field, value: app.csrf.token });
  }

  /* An <a href="#"> styled as a button: what many component libraries render for actions. */
  function linkButton(className, text, action) {
    return h("a." + className, {
      href: "#",
      onclick: function (event) { event.preventDefault(); action(event); }
    }, text);
  }

  /* Eye button next to a password input; `spec` gives the portal's look of the button. */
  function passwordEye(input, spec, iconNode) {
    var button = h(spec, {
      type: "button", "aria-label": "Afficher le mot de passe", title: "Afficher le mot de passe",
      "aria-pressed": "false"
    }, iconNode);
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
      var label = show ? "Masquer le mot de passe" : "Afficher le mot de passe";
      button.setAttribute("aria-label", label);
      button.title = label;
    });
    return button;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text);
    }
    return Promise.reject(new Error("clipboard unavailable"));
  }

  /* ----- icons -----------------------------------------------------------------------------
     Two sets, as the portals draw them: line icons of the Material portals (icon(), sized by
     the .spa-icon class) and the 18px glyph of the Lightning and Bootstrap ones (glyph()). */
  var PATHS = {
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

  function svgNode(tag, attributes) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  /* Decorative (hidden from the accessibility tree, as <mat-icon> is). */
  function icon(name) {
    var svg = svgNode("svg", { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false", class: "spa-icon" });
    svg.appendChild(svgNode("path", {
      d: PATHS[name] || "", fill: "none", stroke: "currentColor", "stroke-width": "2",
      "stroke-linecap": "round", "stroke-linejoin": "round"
    }));
    return svg;
  }

  var GLYPHS = {
    eye: '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" ' +
      'stroke-width="2"><path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12z"/>' +
      '<circle cx="12" cy="12" r="3"/></svg>'
  };

  function glyph(name, className) {
    var span = h("span" + (className ? "." + className : ""), { "aria-hidden": "true" });
    span.innerHTML = GLYPHS[name];
    return span;
  }

  /* ----- menus -----------------------------------------------------------------------------
     A menu's panel exists only while it is open. Two looks share the bookkeeping below:
     attachMenu() (a transparent backdrop takes the click that closes it, focus moves into the
     panel) and menuTrigger() (Material: panes in the overlay container, a click elsewhere closes
     them and still reaches the page). Escape closes whatever is open. */
  var openMenus = [];  // [{close, trigger, pane, byOutsideClick}]

  function closeMenus() {
    openMenus.slice().forEach(function (menu) { menu.close(); });
  }

  function forget(close) {
    openMenus = openMenus.filter(function (menu) { return menu.close !== close; });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus();
  });
  document.addEventListener("click", function (event) {
    openMenus.slice().forEach(function (menu) {
      if (menu.byOutsideClick && !menu.pane.contains(event.target)) menu.close();
    });
  });

  /* Items: [{label, action}] or [{label, url}]; header: an optional node. */
  function attachMenu(trigger, options) {
    var container = null;
    function close() {
      if (!container) return;
      container.remove();
      container = null;
      forget(close);
      trigger.setAttribute("aria-expanded", "false");
      trigger.focus();
    }
    trigger.setAttribute("aria-haspopup", "true");
    trigger.setAttribute("aria-expanded", "false");
    trigger.addEventListener("click", function (event) {
      event.preventDefault();
      if (container) { close(); return; }
      closeMenus();
      var panelId = uid("menu");
      var items = options.items().map(function (item) {
        function activate() {
          close();
          if (item.url) go(item.url); else item.action();
        }
        return h(options.itemTag || "div.ao-menu__item", {
          role: "menuitem",
          tabindex: "-1",
          onclick: activate,
          onkeydown: function (e) {
            if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); }
          }
        }, item.label);
      });
      var panel = h("div.ao-menu " + (options.panelClass || ""), {
        id: panelId, role: "menu", "aria-label": options.label
      }, options.header ? options.header() : null, items);
      container = h("div.ao-overlay", {}, h("div.ao-overlay__backdrop", { onclick: close }), panel);
      document.body.appendChild(container);
      var box = trigger.getBoundingClientRect();
      panel.style.top = Math.round(box.bottom + 6) + "px";
      if (options.alignRight) panel.style.right = Math.round(window.innerWidth - box.right) + "px";
      else panel.style.left = Math.round(box.left) + "px";
      trigger.setAttribute("aria-expanded", "true");
      trigger.setAttribute("aria-controls", panelId);
      openMenus.push({ close: close, trigger: trigger, pane: container, byOutsideClick: false });
      if (items.length) items[0].focus();
    });
  }

  /* Overlay container of the Material portals: menus, dialogs and snack-bars end up here. */
  function overlayContainer() {
    var existing = document.querySelector("body > .cdk-overlay-container");
    if (existing) return existing;
    var container = h("div.cdk-overlay-container");
    document.body.appendChild(container);
    return container;
  }

  /* A trigger button whose menu pane is built on open. items: [{label, href} | {label, action}] */
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
      forget(close);
      trigger.setAttribute("aria-expanded", "false");
      trigger.removeAttribute("aria-controls");
    }

    trigger.addEventListener("click", function (event) {
      event.stopPropagation();  // the document's click handler would close it again
      if (pane) { close(); return; }
      closeMenus();
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
      pane = h("div.cdk-overlay-pane", h("div.mat-mdc-menu-panel", {
        role: "menu", id: menuId, tabindex: "-1",
        "aria-label": options.menuLabel || trigger.textContent.trim()
      }, h("div.mat-mdc-menu-content", items)));
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
      openMenus.push({ close: close, trigger: trigger, pane: pane, byOutsideClick: true });
    });
    return trigger;
  }

  /* ----- dialogs and snack-bars (Material portals) ------------------------------------------ */
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
    var bar = h("div.mat-mdc-snack-bar-container" + (failed ? ".snack-error" : ""),
      h("div.mat-mdc-snack-bar-label", { role: "status", "aria-live": "polite" }, message));
    overlayContainer().appendChild(bar);
    setTimeout(function () { bar.remove(); }, 4000);
  }

  /* ----- consent sheet of the Material portals ----------------------------------------------
     (The other portals show sandbox.js's banner: their shell carries #sandbox-config.) */
  function answered(name) {
    return document.cookie.split("; ").some(function (pair) {
      return pair.indexOf(name + "=") === 0 && pair.length > name.length + 1;
    });
  }

  function consentSheet(consent) {
    if (!consent || answered(consent.cookie)) return;
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
    }, 300 + Math.floor(Math.random() * 300));
  }

  /* ----- boot ------------------------------------------------------------------------------
     The shell embeds the model one of two ways: #app-state ({app, page}, views called with
     both; myAtlas, PartNet) or [data-page-model] (one flat model; OPCO EP, Mobilités). */
  var views = {};

  function register(name, view) { views[name] = view; }

  function mount(rootSelector, view, args) {
    var root = document.querySelector(rootSelector);
    if (!root || !view) return null;
    clear(root);
    append(root, [view.apply(null, args)]);
    return root;
  }

  /* #app-state pages: render once the document is parsed. */
  function start(rootSelector) {
    function run() {
      var node = document.getElementById("app-state");
      var model = node ? JSON.parse(node.textContent) : { app: {}, page: {} };
      if (mount(rootSelector, views[model.page.view], [model.app, model.page]) && model.page.title) {
        document.title = model.page.title;
      }
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  /* [data-page-model] pages: render right away into <app-root>, then the consent sheet. */
  function boot(pageViews) {
    var node = document.querySelector('script[type="application/json"][data-page-model]');
    var model = node ? JSON.parse(node.textContent) : {};
    var root = mount("app-root", pageViews[model.view], [model]);
    if (root) root.setAttribute("ng-version", "17.3.12");
    var consent = model.config && model.config.consent;
    if (document.readyState === "complete") consentSheet(consent);
    else window.addEventListener("load", function () { consentSheet(consent); });
    return model;
  }

  window.Spa = {
    h: h, uid: uid, clear: clear, go: go, csrfInput: csrfInput, linkButton: linkButton,
    passwordEye: passwordEye, copyText: copyText, icon: icon, glyph: glyph,
    attachMenu: attachMenu, closeMenus: closeMenus, menuTrigger: menuTrigger,
    dialog: dialog, snackBar: snackBar, register: register, start: start, boot: boot
  };
})();
