"""Cardif's extranet for wealth advisers, FINAGORA (seed 004). Login (« Identifiant », « Mot de
passe », « Se connecter ») > tab « Suivi d'activité » > « Autoriser un agrégateur »: the « Liste
des abonnements aux agrégateurs », where O2S is one aggregator among others; subscribing to one
(after a confirmation) creates its TOKEN, shown with its validity date in the aggregator's row.
Back on « Suivi d'activité », the section « Extraction progestor » has « Lancer l'extraction V2 »:
the extraction is prepared in the background (pending, then « Terminée » after a delay), then
« Télécharger le fichier » downloads the Progestor file (CSV or XLSX, per account).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import openpyxl
from aiohttp import web

from .. import clock
from ..clock import frdatetime
from ..state import CARDIF_KEY_AGGREGATOR, Extraction, ProgestorSettings
from ..web import (
    Handler,
    PortalContext,
    PortalSpec,
    json_body,
    json_outcome,
    login_handlers,
    login_required,
    logout_handler,
    outcome_redirect,
    shown_outcome,
    template_page,
)

SPEC = PortalSpec(
    id="cardif",
    title="FINAGORA – Extranet partenaires BNP Paribas Cardif",
    session_cookie="FINAGORA_SESSION",
    consent_cookie="cardif_consentement_cookies",
    consent_title="Vos préférences en matière de cookies",
    consent_text=(
        "BNP Paribas Cardif utilise des cookies nécessaires au fonctionnement de l'extranet "
        "FINAGORA et, avec votre consentement, des cookies de mesure d'audience."
    ),
    consent_accept="Accepter les cookies",
    consent_refuse="Refuser les cookies",
)

# The aggregators of the list, in the order the page shows them. "O2 Patrimoine" is there on
# purpose: a near-name of O2S that a loose match would pick.
AGGREGATORS: tuple[str, ...] = (
    "Patrimonia Data", "O2 Patrimoine", "O2S", "Wealthview", "AgrégaFlux",
)

INVALID_LOGIN = "Identifiant ou mot de passe incorrect."
LOCKED_LOGIN = (
    "Votre accès est bloqué suite à plusieurs tentatives de connexion infructueuses. "
    "Contactez le service client Cardif."
)
SUPPORT = "Service client partenaires Cardif : 01 41 42 84 00"
STATUS_SUBSCRIBED = "Abonné"
STATUS_NOT_SUBSCRIBED = "Non abonné"
STATUS_EXPIRED = "Token expiré"
CONFIRM_TITLE = "Autoriser la mise à disposition de vos données"
CONFIRM_TEXT = ("En vous abonnant à l'agrégateur {name}, vous autorisez BNP Paribas Cardif à "
                "mettre vos données à sa disposition.")
SUBSCRIBED = ("Votre abonnement à l'agrégateur {name} est enregistré. Vous pouvez récupérer le "
              "token associé et le communiquer à l'agrégateur.")
ALREADY = "Vous êtes déjà abonné à l'agrégateur {name}."
RENEWED = "Le token de l'agrégateur {name} a été renouvelé."
NOT_SUBSCRIBED_RENEW = "Vous n'êtes pas abonné à l'agrégateur {name}."
UNKNOWN_AGGREGATOR = "Agrégateur inconnu."
TOKEN_NOTE = ("Le token est personnel et sensible ; sa durée de validité est limitée. Pensez à "
              "le renouveler avant son expiration.")
PROGESTOR_INTRO = ("Le fichier Progestor contient vos codes apporteurs et le détail des contrats "
                   "de votre portefeuille.")
PROGESTOR_NOT_SUBSCRIBED = ("Vous n'êtes pas abonné au fichier Progestor. Contactez votre "
                            "interlocuteur commercial Cardif pour vous y abonner.")
V1_GONE = ("L'extraction V1 n'est plus disponible. Utilisez « Lancer l'extraction V2 ».")
EXTRACTION_LAUNCHED = ("Votre demande d'extraction a été prise en compte. Le fichier sera "
                       "disponible dans quelques instants.")
EXTRACTION_PENDING = "En cours de traitement"
EXTRACTION_READY = "Terminée"
NOT_READY = "Le fichier n'est pas encore disponible : l'extraction est en cours de traitement."
EXTRACTIONS_SHOWN = 5

Action = Callable[[str, str], Awaitable[tuple[int, str]]]  # (username, aggregator) -> answer

# The platform's tabs: (route name, label).
TABS = [
    ("accueil", "Accueil"),
    ("portefeuille", "Mon portefeuille"),
    ("suivi", "Suivi d'activité"),
    ("documentation", "Documentation"),
]

# ----- the Progestor file --------------------------------------------------------------------

OTHER_HEADERS = ["Nom apporteur", "N° de contrat", "Souscripteur", "Produit", "Date d'effet",
                 "Montant de l'encours"]
_SUBSCRIBERS = ["DUPONT Françoise", "LEFÈVRE Jérôme", "GARÇON Anaïs", "MARTIN Noël",
                "BÉRANGER Loïc", "NGUYEN Thérèse", "ROUX Benoît"]
_PRODUCTS = ["Cardif Elite", "Cardif Multi-Plus 3", "Cardif Essentiel Retraite",
             "Cardif Lux Vie"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(settings: ProgestorSettings, organisation: str) -> list[list[object]]:
    """One contract per code; a final « Total » row with no code."""
    rows: list[list[object]] = []
    total = 0.0
    for i, code in enumerate(settings.codes):
        amount = round(12_000 + (i * 7_919.37) % 95_000, 2)
        total += amount
        effect = datetime(2019, 1, 15) + timedelta(days=137 * i)
        rows.append([code, organisation.upper(), f"{40_118_230 + i * 9_173:010d}",
                     _SUBSCRIBERS[i % len(_SUBSCRIBERS)], _PRODUCTS[i % len(_PRODUCTS)],
                     effect.strftime("%d/%m/%Y"), amount])
    rows.append(["", "Total", "", "", "", "", round(total, 2)])
    return rows


def _french_amount(value: object) -> object:
    return f"{value:.2f}".replace(".", ",") if isinstance(value, float) else value


def progestor_file(settings: ProgestorSettings, organisation: str) -> tuple[bytes, str]:
    """The file's bytes and content type, in the account's format."""
    xlsx = settings.format == "xlsx"
    if settings.broken:
        # Unreadable: not a workbook despite its name, and NUL bytes no CSV reader takes.
        garbage = b"PK\x03\x04\x00\x00" + os.urandom(700) + b"\x00\xff\xfe\x00"
        return garbage, XLSX_TYPE if xlsx else "text/csv"
    headers = [settings.header, *OTHER_HEADERS]
    rows = _rows(settings, organisation)
    if xlsx:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Extraction Progestor"
        sheet.append(headers)
        for row in rows:
            code = row[0]
            # Excel keeps digit-only codes as numbers, and blank cells empty.
            cell: object = int(code) if isinstance(code, str) and code.isdigit() else (code or None)
            sheet.append([cell, *[value if value != "" else None for value in row[1:]]])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), XLSX_TYPE
    text = io.StringIO(newline="")
    if settings.format == "csv-utf8":
        # Excel's « CSV UTF-8 »: commas, a byte-order mark, amounts with a decimal comma (quoted).
        writer = csv.writer(text, delimiter=",", lineterminator="\r\n")
        encoding = "utf-8-sig"
    else:
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        encoding = "latin-1"
    writer.writerow(headers)
    writer.writerows([[_french_amount(value) for value in row] for row in rows])
    content_type = f"text/csv; charset={'utf-8' if encoding == 'utf-8-sig' else 'iso-8859-1'}"
    return text.getvalue().encode(encoding, errors="replace"), content_type


def file_name(extraction: Extraction, username: str) -> str:
    extension = "xlsx" if extraction.settings.format == "xlsx" else "csv"
    stamp = extraction.requested_at.astimezone(clock.PARIS).strftime("%Y%m%d_%H%M%S")
    return f"Progestor_V2_{username}_{stamp}.{extension}"


# ----- pages ---------------------------------------------------------------------------------


def setup(portal: PortalContext) -> None:
    page = login_required(portal)
    api = login_required(portal, api=True)
    state = portal.state

    login, login_submit = login_handlers(
        portal, "cardif/login.html", user_field="identifiant", password_field="motdepasse",
        landing="accueil", invalid=INVALID_LOGIN, locked=LOCKED_LOGIN)

    def aggregator_rows(username: str) -> list[dict[str, object]]:
        subscribed = state.cardif_subscriptions(username)
        now = clock.now()
        rows = []
        for name in AGGREGATORS:
            record = state.cardif_token(username, name) if name in subscribed else None
            if record is None:
                rows.append({"nom": name, "abonne": False, "statut": STATUS_NOT_SUBSCRIBED,
                             "token": None, "validite": None})
                continue
            rows.append({"nom": name, "abonne": True,
                         "statut": STATUS_SUBSCRIBED if record.is_valid(now) else STATUS_EXPIRED,
                         "token": record.value, "validite": clock.frdate(record.expires_at)})
        return rows

    def extraction_rows(username: str) -> list[dict[str, object]]:
        return [{
            "id": extraction.id,
            "demande": frdatetime(extraction.requested_at),
            "version": "V2",
            "pret": extraction.ready(),
            "statut": EXTRACTION_READY if extraction.ready() else EXTRACTION_PENDING,
            "fichier": portal.url("extraction_file") + f"?id={extraction.id}",
        } for extraction in state.extractions(username)[:EXTRACTIONS_SHOWN]]

    async def subscribe(username: str, name: str) -> tuple[int, str]:
        if name not in AGGREGATORS:
            return 404, UNKNOWN_AGGREGATOR
        if name in state.cardif_subscriptions(username):
            return 409, ALREADY.format(name=name)
        await portal.think()
        record = state.mint("cardif", username, None, None)
        if not state.cardif_subscribe(username, name, record, generated_by_user=True):
            return 409, ALREADY.format(name=name)
        if name == CARDIF_KEY_AGGREGATOR:
            await portal.key_replaced()
        return 200, SUBSCRIBED.format(name=name)

    async def renew(username: str, name: str) -> tuple[int, str]:
        if name not in AGGREGATORS:
            return 404, UNKNOWN_AGGREGATOR
        if name not in state.cardif_subscriptions(username):
            return 409, NOT_SUBSCRIBED_RENEW.format(name=name)
        await portal.think()
        record = state.mint("cardif", username, None, None)
        state.cardif_store_token(username, name, record, generated_by_user=True)
        if name == CARDIF_KEY_AGGREGATOR:
            await portal.key_replaced()
        return 200, RENEWED.format(name=name)

    async def launch(username: str, version: str) -> tuple[int, str]:
        if version != "v2":
            state.cardif.v1_attempts[username] += 1
            return 410, V1_GONE
        if not state.progestor_settings(username).subscribed:
            return 403, PROGESTOR_NOT_SUBSCRIBED
        await portal.think()
        state.launch_extraction(username)
        return 200, EXTRACTION_LAUNCHED

    def tab(name: str, label: str) -> Handler:
        return page(template_page(portal, "cardif/tab.html", tabs=TABS, current=name,
                                  label=label, support=SUPPORT))

    # Classic pages: server-rendered, forms posting back, a message carried in the query.
    @page
    async def suivi(request: web.Request) -> web.Response:
        username = portal.username(request)
        rows = extraction_rows(username)
        return portal.render(
            request, "cardif/suivi.html", tabs=TABS, current="suivi", support=SUPPORT,
            progestor_subscribed=state.progestor_settings(username).subscribed,
            extractions=rows, pending=any(not row["pret"] for row in rows),
            intro=PROGESTOR_INTRO, not_subscribed=PROGESTOR_NOT_SUBSCRIBED,
            **shown_outcome(request))

    @page
    async def agregateurs(request: web.Request) -> web.Response:
        return portal.render(
            request, "cardif/agregateurs.html", tabs=TABS, current="suivi", support=SUPPORT,
            rows=aggregator_rows(portal.username(request)), confirm_title=CONFIRM_TITLE,
            confirm_text=CONFIRM_TEXT, token_note=TOKEN_NOTE, **shown_outcome(request))

    def aggregator_form(action: Action) -> Handler:
        """« S'abonner » or « Renouveler le token »: the row's form posts the aggregator."""

        @page
        async def handler(request: web.Request) -> web.Response:
            form = await request.post()
            status, text = await action(portal.username(request),
                                        str(form.get("agregateur", "")))
            return outcome_redirect(portal, "agregateurs", status, text)

        return handler

    @page
    async def launch_form(request: web.Request) -> web.Response:
        form = await request.post()
        status, text = await launch(portal.username(request), str(form.get("version", "")))
        return outcome_redirect(portal, "suivi", status, text)

    # The spa's JSON API.
    @api
    async def api_agregateurs(request: web.Request) -> web.Response:
        return web.json_response({"agregateurs": aggregator_rows(portal.username(request))})

    def aggregator_api(action: Action) -> Handler:
        @api
        async def handler(request: web.Request) -> web.Response:
            username = portal.username(request)
            name = str((await json_body(request)).get("agregateur", ""))
            status, text = await action(username, name)
            return json_outcome(status, text, agregateurs=aggregator_rows(username))

        return handler

    @api
    async def api_extractions(request: web.Request) -> web.Response:
        username = portal.username(request)
        return web.json_response({
            "abonne": state.progestor_settings(username).subscribed,
            "extractions": extraction_rows(username)})

    @api
    async def api_extract(request: web.Request) -> web.Response:
        username = portal.username(request)
        status, text = await launch(username, str((await json_body(request)).get("version", "")))
        return json_outcome(status, text, extractions=extraction_rows(username))

    @page
    async def extraction_file(request: web.Request) -> web.Response:
        username = portal.username(request)
        extraction = next((e for e in state.extractions(username)
                           if e.id == request.query.get("id")), None)
        if extraction is None:
            return web.Response(status=404, text="Extraction introuvable.")
        if not extraction.ready():
            return web.Response(status=409, text=NOT_READY)
        account = portal.account(request)
        body, content_type = progestor_file(extraction.settings, account.organisation)
        extraction.downloads += 1
        return web.Response(body=body, headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{file_name(extraction, username)}"'})

    portal.get(portal.public(), "login", login)
    portal.post(portal.public(), "login_submit", login_submit)
    portal.get(portal.inner("accueil"), "accueil", tab("accueil", "Accueil"))
    portal.get(portal.inner("portefeuille"), "portefeuille",
               tab("portefeuille", "Mon portefeuille"))
    portal.get(portal.inner("documentation"), "documentation",
               tab("documentation", "Documentation"))
    portal.get(portal.inner("suivi-activite"), "suivi", suivi)
    portal.get(portal.inner("suivi-activite/agregateurs"), "agregateurs", agregateurs)
    portal.post(portal.inner("suivi-activite/agregateurs/abonnement"), "subscribe",
                aggregator_form(subscribe))
    portal.post(portal.inner("suivi-activite/agregateurs/renouvellement"), "renew",
                aggregator_form(renew))
    portal.post(portal.inner("suivi-activite/extraction-progestor"), "extraction_launch",
                launch_form)
    portal.get(portal.inner("suivi-activite/extraction-progestor/fichier"), "extraction_file",
               extraction_file)
    portal.get(portal.inner("api/agregateurs"), "api_agregateurs", api_agregateurs)
    portal.post(portal.inner("api/agregateurs/abonnement"), "api_subscribe",
                aggregator_api(subscribe))
    portal.post(portal.inner("api/agregateurs/renouvellement"), "api_renew",
                aggregator_api(renew))
    portal.get(portal.inner("api/extractions"), "api_extractions", api_extractions)
    portal.post(portal.inner("api/extractions"), "api_extract", api_extract)
    portal.get(portal.inner("deconnexion"), "logout", logout_handler(portal))

    if portal.rendering == "variants":
        # « Suivi d'activité » is a menu there; its item « Extraction progestor » opens a page of
        # its own (the launches and the files go through the JSON API above).
        @page
        async def progestor(request: web.Request) -> web.Response:
            return portal.render(
                request, "cardif/progestor.html", tabs=TABS, current="suivi", support=SUPPORT,
                intro=PROGESTOR_INTRO, pending_label=EXTRACTION_PENDING)

        portal.get(portal.inner("suivi-activite/progestor"), "progestor", progestor)


__all__ = ["AGGREGATORS", "SPEC", "progestor_file", "setup"]
