/* A Microsoft Forms form in the "spa" rendering (OPCO 2i, Constructys), built the way Forms builds
   its React DOM: the title a role=heading span, the description plain lines, each question a title
   box (ordinal, text, star apart) that names its box through aria-labelledby, the error an alert
   under the box, « Envoyer » a plain button posting JSON; the thanks replace the form in place. */
(function () {
  "use strict";
  var S = window.Spa;
  var h = S.h;

  function description(blocks) {
    return h("div.office-form-description", blocks.map(function (block) {
      if (block.kind === "ul") {
        return block.content.map(function (item) {
          return h("div.office-form-description-line", "\u2022 " + item);
        });
      }
      return h("div.office-form-description-line", block.content);
    }));
  }

  function thanks(form, app) {
    return h("div.office-form-thank-you",
      h("span.thank-you-page-title", { role: "heading", "aria-level": "2" }, form.texts.thanksTitle),
      h("div.thank-you-page-text", form.texts.thanksText),
      h("a.thank-you-page-another", { href: app.routes.form }, form.texts.another));
  }

  S.register("msform", function (app, page) {
    var form = page.form;
    var body = h("div.office-form-body");
    var questions = form.questions.map(function (q) {
      var titleId = S.uid("QuestionTitle");
      var errorId = S.uid("QuestionError");
      var input = h("input.office-form-question-textbox", {
        type: "text", "data-automation-id": "textInput", "aria-labelledby": titleId,
        "aria-required": "true", placeholder: form.texts.placeholder, autocomplete: "off"
      });
      var error = h("div.office-form-question-error", { id: errorId, role: "alert", hidden: true });
      var node = h("div.office-form-question", { "data-automation-id": "questionItem" },
        h("div.office-form-question-title",
          h("span.ordinal-number", q.number + "."),
          h("span.text-format-content", { id: titleId }, q.title),
          h("span.office-form-question-required", { "aria-hidden": "true" }, "*")),
        h("div.office-form-question-element", input),
        error);
      return { q: q, input: input, error: error, errorId: errorId, node: node };
    });

    function show(errors) {
      var first = null;
      questions.forEach(function (item) {
        var message = errors[item.q.field];
        item.error.textContent = message || "";
        item.error.hidden = !message;
        item.node.classList.toggle("office-form-question-invalid", !!message);
        if (message) {
          item.input.setAttribute("aria-invalid", "true");
          item.input.setAttribute("aria-describedby", item.errorId);
          first = first || item.input;
        } else {
          item.input.removeAttribute("aria-invalid");
          item.input.removeAttribute("aria-describedby");
        }
      });
      if (first) first.focus();
    }

    var submit = h("button.office-form-bottom-button", {
      type: "button", "data-automation-id": "submitButton",
      onclick: function () {
        var answers = {};
        questions.forEach(function (item) { answers[item.q.field] = item.input.value; });
        submit.disabled = true;
        window.Sandbox.postJSON(app.routes.submit, answers).then(function (res) {
          submit.disabled = false;
          if (res.ok) {
            S.clear(body).appendChild(thanks(form, app));
          } else if (res.data && res.data.errors) {
            show(res.data.errors);
          } else {
            S.snackBar((res.data && res.data.error) || "Une erreur est survenue. Réessayez.", true);
          }
        });
      }
    }, h("span", form.texts.submit));

    body.appendChild(h("div.office-form-question-list",
      h("div.office-form-required-hint",
        h("span.office-form-question-required", "*"), h("span", " " + form.texts.required)),
      questions.map(function (item) { return item.node; }),
      h("div.office-form-navigation", submit)));

    return h("div.office-form-container",
      h("div.office-form-theme-banner"),
      h("div.office-form",
        h("div.office-form-title-container",
          h("span.office-form-title", { role: "heading", "aria-level": "1" }, form.title)),
        description(form.description),
        body),
      h("div.office-form-footer",
        h("div", form.texts.footer),
        h("div.office-form-brand", "Microsoft Forms")));
  });
})();
