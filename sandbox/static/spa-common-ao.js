/* The little view layer of the "spa" rendering of myAtlas and PartNet.

   The server sends a thin shell: a mount point and the page's model as JSON. This file reads the
   model, builds DOM nodes from small functions (h()), renders the view a portal script registered
   for that page, and gives the views a few widgets: overlay menus built on open, password eyes,
   link-buttons and the clipboard. The cookie banner and the CSRF-aware fetch helpers still come
   from sandbox.js (window.Sandbox). Vanilla JS, light DOM only. */
(function () {
  "use strict";

  var sequence = 0;

  /* A generated id, as component frameworks hand out ("input-12", "menu-3"). */
  function uid(prefix) {
    sequence += 1;
    return (prefix || "c") + "-" + sequence;
  }

  function append(parent, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) { append(parent, child); return; }
      parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return parent;
  }

  /* h("div.card.card--x", {attr: value, onclick: fn}, child, [children], "text");
     the attributes object may be left out: h("div.row", child, child). */
  function h(spec, props) {
    var parts = spec.split(".");
    var node = document.createElement(parts[0]);
    var children = Array.prototype.slice.call(arguments, 2);
    if (parts.length > 1) node.className = parts.slice(1).join(" ");
    if (props === null || typeof props !== "object" || props instanceof Node || Array.isArray(props)) {
      children.unshift(props);  // h("div", child, ...): no attributes
      props = {};
    }
    Object.keys(props).forEach(function (name) {
      var value = props[name];
      if (value === null || value === undefined || value === false) return;
      if (name.slice(0, 2) === "on" && typeof value === "function") {
        node.addEventListener(name.slice(2).toLowerCase(), value);
      } else if (name === "class") {
        node.className = (node.className ? node.className + " " : "") + value;
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

  /* The model the server embedded in the shell. */
  function readModel() {
    var node = document.getElementById("app-state");
    return node ? JSON.parse(node.textContent) : { app: {}, page: {} };
  }

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

  function go(url) { window.location.assign(url); }

  /* Eye button next to a password input. */
  function passwordEye(input, build) {
    var button = build();
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

  /* ----- overlay menus ---------------------------------------------------------------------
     The panel is created in an overlay container at the end of <body> when the trigger is
     clicked and destroyed when it closes (item chosen, backdrop clicked, Escape), like CDK
     overlays. Items: [{label, action}] or [{label, url}]; header: an optional node. */
  var openMenu = null;

  function closeMenu() {
    if (!openMenu) return;
    var current = openMenu;
    openMenu = null;
    current.container.remove();
    current.trigger.setAttribute("aria-expanded", "false");
    current.trigger.focus();
  }

  function attachMenu(trigger, options) {
    trigger.setAttribute("aria-haspopup", "true");
    trigger.setAttribute("aria-expanded", "false");
    trigger.addEventListener("click", function (event) {
      event.preventDefault();
      if (openMenu && openMenu.trigger === trigger) { closeMenu(); return; }
      closeMenu();
      var panelId = uid("menu");
      var items = options.items().map(function (item) {
        function activate() {
          closeMenu();
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
      var backdrop = h("div.ao-overlay__backdrop", { onclick: closeMenu });
      var container = h("div.ao-overlay", {}, backdrop, panel);
      document.body.appendChild(container);
      var box = trigger.getBoundingClientRect();
      panel.style.top = Math.round(box.bottom + 6) + "px";
      if (options.alignRight) panel.style.right = Math.round(window.innerWidth - box.right) + "px";
      else panel.style.left = Math.round(box.left) + "px";
      trigger.setAttribute("aria-expanded", "true");
      trigger.setAttribute("aria-controls", panelId);
      openMenu = { trigger: trigger, container: container };
      if (items.length) items[0].focus();
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenu();
  });

  /* An inline SVG icon (decorative). */
  var ICONS = {
    eye: '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" ' +
      'stroke-width="2"><path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12z"/>' +
      '<circle cx="12" cy="12" r="3"/></svg>'
  };

  function icon(name, className) {
    var span = h("span" + (className ? "." + className : ""), { "aria-hidden": "true" });
    span.innerHTML = ICONS[name];
    return span;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text);
    }
    return Promise.reject(new Error("clipboard unavailable"));
  }

  /* ----- boot ------------------------------------------------------------------------------ */
  var views = {};

  function register(name, view) { views[name] = view; }

  function boot(rootSelector) {
    var model = readModel();
    var root = document.querySelector(rootSelector);
    var view = views[model.page.view];
    if (!root || !view) return;
    clear(root);
    append(root, [view(model.app, model.page)]);
    if (model.page.title) document.title = model.page.title;
  }

  window.AO = {
    h: h,
    uid: uid,
    clear: clear,
    csrfInput: csrfInput,
    linkButton: linkButton,
    go: go,
    passwordEye: passwordEye,
    icon: icon,
    attachMenu: attachMenu,
    closeMenu: closeMenu,
    copyText: copyText,
    register: register,
    start: function (rootSelector) {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { boot(rootSelector); });
      } else {
        boot(rootSelector);
      }
    }
  };
})();
