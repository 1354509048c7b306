"""An online form as Microsoft Forms serves it (OPCO 2i and Constructys ask for their key there):
a title, a description, numbered required questions and « Envoyer »; each question left empty or
answered in the wrong shape gets its message under it, and a valid answer gives « Merci ! ».

Both portals use it; the classic rendering posts the form and gets the page back, the spa one
posts JSON and builds the messages or the thanks itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .web import Handler, PortalContext, json_body

REQUIRED = "Cette question est obligatoire."
BAD_EMAIL = "Entrez une adresse e-mail valide."
PLACEHOLDER = "Entrez votre réponse"
REQUIRED_NOTE = "Obligatoire"
THANKS_TITLE = "Merci !"
THANKS_TEXT = "Vos réponses ont été envoyées."
ANOTHER = "Envoyer une autre réponse"
SUBMIT = "Envoyer"
FOOTER = ("Ce contenu est créé par le propriétaire du formulaire. Les données que vous soumettez "
          "sont envoyées au propriétaire du formulaire. Ne communiquez jamais votre mot de passe.")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Kinds of answer with a shape: (digits, message).
_NUMBERS = {
    "siren": (9, "Le N° SIREN doit comporter 9 chiffres."),
    "siret": (14, "Le SIRET doit comporter 14 chiffres."),
}


@dataclass(frozen=True)
class Question:
    field: str  # the answer's key (the key of the demo accounts' "request")
    title: str  # as shown, without its number and the required star
    kind: str = "text"  # "text", "email", "siren" or "siret"


@dataclass(frozen=True)
class Form:
    title: str
    # The description's blocks in order: ("p", text) or ("ul", (item, ...)).
    description: tuple[tuple[str, Any], ...]
    questions: tuple[Question, ...]

    def model(self) -> dict[str, Any]:
        """What the templates and the spa view show."""
        return {
            "title": self.title,
            "description": [{"kind": kind, "content": content}
                            for kind, content in self.description],
            "questions": [{"number": i, "field": q.field, "title": q.title}
                          for i, q in enumerate(self.questions, start=1)],
            "texts": {"required": REQUIRED_NOTE, "placeholder": PLACEHOLDER,
                      "submit": SUBMIT, "thanksTitle": THANKS_TITLE,
                      "thanksText": THANKS_TEXT, "another": ANOTHER, "footer": FOOTER},
        }


def validate(form: Form, answers: dict[str, str]) -> dict[str, str]:
    """The message of each question answered wrong, by field (none: the answer is valid)."""
    errors = {}
    for question in form.questions:
        value = answers.get(question.field, "").strip()
        if not value:
            errors[question.field] = REQUIRED
        elif question.kind in _NUMBERS:
            digits, message = _NUMBERS[question.kind]
            if not re.fullmatch(rf"\d{{{digits}}}", value):
                errors[question.field] = message
        elif question.kind == "email" and not _EMAIL.fullmatch(value):
            errors[question.field] = BAD_EMAIL
    return errors


# Called with the request and the valid answers (as typed); records them and sends the mail.
OnAnswers = Callable[[web.Request, dict[str, str]], None]


def form_handlers(portal: PortalContext, form: Form, *, page: str, submit: str,
                  api_submit: str, on_answers: OnAnswers) -> tuple[Handler, Handler, Handler]:
    """The form's page, the classic form's POST and the spa's JSON POST; `page`, `submit` and
    `api_submit` are the route names they are registered under."""

    def render(request: web.Request, answers: dict[str, str], errors: dict[str, str],
               done: bool = False) -> web.Response:
        return portal.render(request, "msforms/form.html", form=form.model(), answers=answers,
                             errors=errors, done=done, page_route=page, submit_route=submit,
                             api_route=api_submit)

    def answers_of(values: dict[str, Any]) -> dict[str, str]:
        return {q.field: str(values.get(q.field) or "") for q in form.questions}

    async def show(request: web.Request) -> web.Response:
        portal.ensure_session(request)  # the form's POST carries a CSRF token
        return render(request, answers_of({}), {})

    async def post(request: web.Request) -> web.Response:
        answers = answers_of(dict(await request.post()))
        errors = validate(form, answers)
        if errors:
            # The page comes back with the answers kept and a message under each wrong one.
            return render(request, answers, errors)
        await portal.think()
        on_answers(request, answers)
        return render(request, answers_of({}), {}, done=True)

    async def post_json(request: web.Request) -> web.Response:
        answers = answers_of(await json_body(request))
        errors = validate(form, answers)
        if errors:
            return web.json_response({"errors": errors}, status=422)
        await portal.think()
        on_answers(request, answers)
        return web.json_response({"ok": True})

    return show, post, post_json
