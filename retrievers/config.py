"""Configuration: YAML file + environment (KEY_RETRIEVER_*, `__` between nested names).

Every problem is reported with its path in the YAML (`accounts[1].siret`), and nothing is
attempted when there is one.
"""

from __future__ import annotations

import json
import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from retrievers.errors import ConfigError
from retrievers.portals import PORTAL_IDS, PORTALS, Portal

CONFIG_FILENAME = "key-retriever.yaml"
ENV_CONFIG = "KEY_RETRIEVER_CONFIG"
ENV_PASSPHRASE = "KEY_RETRIEVER_STORE_PASSPHRASE"
ENV_PREFIX = "KEY_RETRIEVER_"

# The YAML file's settings, read and checked by load_config (so that a list, a scalar or a
# non-UTF-8 file gets a clear message), then handed to Settings as its lowest-priority source.
_yaml_data: ContextVar[dict[str, Any] | None] = ContextVar("_yaml_data", default=None)


# The name of an environment variable holding a secret (never the secret itself).
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreConfig(_Strict):
    backend: Literal["system", "file"] = "system"
    path: Path | None = Field(None, description="encrypted key file (file backend only)")


class BrowserConfig(_Strict):
    executable_path: Path | None = None
    headless: bool = True
    step_timeout_seconds: float = Field(30, gt=0, description="Playwright timeout of one step")
    person_timeout_seconds: float = Field(300, gt=0, description="headed: wait for a person")
    concurrency: int | None = Field(
        None, ge=1, le=64, description="accounts run at the same time; unset: as many as the "
        "machine has room for, measured while running (each portal's max_parallel still holds)")
    cdp_url: str | None = Field(
        None, description="drive a browser served elsewhere (Chromium's remote debugging, a "
        "browser pool) instead of launching one: http(s):// or ws(s)://"
    )

    playwright_url: str | None = Field(
        None, description="drive a browser served by a Playwright server (a browser pool that "
        "speaks Playwright's protocol, `launchServer`) instead of launching one: ws(s)://; "
        "files the portals send come back over the connection"
    )

    @field_validator("cdp_url")
    @classmethod
    def _cdp_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value[:3].lower() in ("ws:", "wss"):  # a WebSocket URL: checked as the http one
            return _check_ws_url(value)
        return check_http_url(value)

    @field_validator("playwright_url")
    @classmethod
    def _playwright_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value[:3].lower() not in ("ws:", "wss"):
            raise ValueError(f"must be a ws(s):// URL, e.g. ws://browser-pool:3000/: {value!r}")
        return _check_ws_url(value)

    @model_validator(mode="after")
    def _one_remote_browser(self) -> BrowserConfig:
        if self.cdp_url and self.playwright_url:
            raise ValueError("give browser.cdp_url or browser.playwright_url, not both")
        return self

    @property
    def remote(self) -> str | None:
        """The setting that names a browser served elsewhere, if one does."""
        return ("browser.cdp_url" if self.cdp_url else
                "browser.playwright_url" if self.playwright_url else None)


class RetryConfig(_Strict):
    attempts: int = Field(3, ge=1, le=10, description="tries when a portal is down")
    wait_seconds: float = Field(5, ge=0, description="first wait, doubled at each try")


class MailboxConfig(_Strict):
    """The mailbox where OPCO 2i and Constructys send their e-mails (read over IMAP)."""

    host: str = Field(min_length=1)
    port: int | None = Field(None, ge=1, le=65535, description="default: 993 (ssl), else 143")
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str = Field(min_length=1)
    password_env: EnvName
    folder: str = Field("INBOX", min_length=1)
    cafile: Path | None = Field(None, description="CA bundle; default: the system's trust store")
    move_used_to: str | None = Field(
        None, min_length=1, description="a folder to move used mails to; default: leave them"
    )

    @property
    def resolved_port(self) -> int:
        return self.port or (993 if self.security == "ssl" else 143)

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env)


class PortalConfig(_Strict):
    base_url: str | None = None
    max_parallel: int = Field(
        4, ge=1, le=32, description="accounts of this portal run at the same time (politeness)"
    )
    renew_before_days: int | None = Field(None, ge=0, le=365, description="overrides the top level")
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="the seed's label → what this portal now shows instead (`portals PORTAL`)",
    )

    @field_validator("labels")
    @classmethod
    def _shown_words(cls, value: dict[str, str]) -> dict[str, str]:
        for seed, shown in value.items():
            if not shown.strip():
                raise ValueError(f"« {seed} » is renamed to nothing: give the words the portal "
                                 "shows instead")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value)


def _check_ws_url(value: str) -> str:
    """A WebSocket URL, checked as the http(s) one it upgrades."""
    return "ws" + check_http_url("http" + value[2:])[4:]


def check_http_url(value: str) -> str:
    """An absolute http(s) URL with a host; the scheme is case-insensitive (lowercased here).

    urlsplit alone is lenient (and browsers silently drop newlines and tabs), so spaces and
    control characters, usually a copy-paste accident, are refused first.
    """
    example = "e.g. https://myatlas.opco-atlas.fr/"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"contains a space, a line break or a control character: {value!r}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc}): {value!r}; {example}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"must be an http(s) URL, {example}")
    if not parts.hostname:
        raise ValueError(f"has no host name: {value!r}; {example}")
    return parts.scheme.lower() + value[len(parts.scheme) :]


class AccountConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", max_length=80)
    portal: str
    # Required where the portal has a login (checked on load); none for keys by e-mail or `set`.
    username: str | None = Field(None, min_length=1)
    password_env: EnvName | None = None
    siret: str | None = None
    totp_env: EnvName | None = Field(
        None, description="variable holding the authenticator app's (TOTP) secret, base32")
    options: dict[str, Any] = Field(default_factory=dict)
    renew_before_days: int | None = Field(None, ge=0, le=365, description="overrides the portal's")
    deploy_hook: str | None = Field(None, min_length=1, description="overrides the top level")

    @field_validator("portal")
    @classmethod
    def _known_portal(cls, value: str) -> str:
        if value not in PORTALS:
            raise ValueError(f"unknown portal {value!r}; supported: {', '.join(PORTAL_IDS)}")
        return value

    @field_validator("siret", mode="before")
    @classmethod
    def _siret(cls, value: Any) -> Any:
        if value is None:
            return None
        text = re.sub(r"\s", "", str(value))
        if not re.fullmatch(r"\d{14}", text):
            raise ValueError("a SIRET is 14 digits (write it in quotes in YAML)")
        return text

    # Secrets `credentials set` stored, loaded before a run (retrievers/credentials.py).
    _stored: dict[str, str] = PrivateAttr(default_factory=dict)

    def use_stored(self, secret: str, value: str) -> None:
        self._stored[secret] = value

    @property
    def password(self) -> str | None:
        if self.password_env:
            return os.environ.get(self.password_env)
        return self._stored.get("password")

    @property
    def totp_secret(self) -> str | None:
        if self.totp_env:
            return os.environ.get(self.totp_env)
        return self._stored.get("totp")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KEY_RETRIEVER_", env_nested_delimiter="__", extra="forbid"
    )

    store: StoreConfig = StoreConfig()
    browser: BrowserConfig = BrowserConfig()
    retry: RetryConfig = RetryConfig()
    portals: dict[str, PortalConfig] = Field(default_factory=dict)
    accounts: list[AccountConfig] = Field(default_factory=list)
    mailbox: MailboxConfig | None = None
    renew_before_days: int = Field(30, ge=0, le=365)
    reread_days: int = Field(
        7, ge=1, le=365, description="renew: re-read a shown key after this many days"
    )
    deploy_hook: str | None = Field(
        None, min_length=1, description="shell command run for each new key, the key on stdin"
    )
    deploy_hook_timeout_seconds: float = Field(300, gt=0)
    notify: list[str] = Field(
        default_factory=list,
        description="Apprise URLs told when an account failed or needs a person",
    )
    metrics_file: Path | None = Field(
        None, description="Prometheus textfile written after each run (node_exporter collector)"
    )
    state_path: Path | None = Field(None, description="default: beside the configuration file")
    artifacts_dir: Path | None = Field(None, description="failure screenshots and HTML dumps")

    @field_validator("portals")
    @classmethod
    def _known_portals(cls, value: dict[str, PortalConfig]) -> dict[str, PortalConfig]:
        unknown = [k for k in value if k not in PORTALS]
        if unknown:
            raise ValueError(f"unknown portal {unknown[0]!r}; supported: {', '.join(PORTAL_IDS)}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        data = _yaml_data.get()
        if data is not None:
            sources.append(InitSettingsSource(settings_cls, init_kwargs=data))
        return tuple(sources)

    # Filled by load_config, not by the user.
    source_path: Path | None = Field(None, exclude=True)

    def base_url(self, portal: str) -> str:
        url = self.portal(portal).base_url or PORTALS[portal].base_url
        assert url is not None, "checked on load"
        return url

    def portal(self, portal: str) -> PortalConfig:
        return self.portals.get(portal) or PortalConfig()

    def renew_before_days_for(self, account: AccountConfig) -> int:
        if account.renew_before_days is not None:
            return account.renew_before_days
        portal = self.portals.get(account.portal)
        if portal is not None and portal.renew_before_days is not None:
            return portal.renew_before_days
        return self.renew_before_days

    def deploy_hook_for(self, account: AccountConfig) -> str | None:
        return account.deploy_hook or self.deploy_hook

    def resolved_state_path(self) -> Path:
        if self.state_path:
            return self.state_path
        folder = self.source_path.parent if self.source_path else default_config_dir()
        return folder / "key-retriever.state.sqlite"

    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir or platformdirs.user_state_path("key-retriever") / "artifacts"

    def portal_options(self, account: AccountConfig) -> BaseModel | None:
        model = PORTALS[account.portal].options_model()
        return model.model_validate(account.options) if model else None


def default_config_dir() -> Path:
    return platformdirs.user_config_path("key-retriever")


def find_config(explicit: Path | None) -> Path | None:
    """--config, else ./key-retriever.yaml, else $KEY_RETRIEVER_CONFIG, else the user config dir."""
    if explicit is not None:
        return explicit
    local = Path.cwd() / CONFIG_FILENAME
    if local.is_file():
        return local
    if os.environ.get(ENV_CONFIG):
        # Named on purpose: a wrong path is an error, not a silent fall-back to another file.
        return Path(os.environ[ENV_CONFIG])
    user = default_config_dir() / CONFIG_FILENAME
    return user if user.is_file() else None


# libyaml's parser when PyYAML was built with it: a thousand accounts load in 60 ms, not 800.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    """The file's settings as a mapping, or a ConfigError that names the file and the fix."""
    named = f" (named by ${ENV_CONFIG})" if os.environ.get(ENV_CONFIG) == str(path) else ""
    if path.is_dir():
        raise ConfigError(
            f"configuration file {path}{named} is a directory: give the YAML file itself, "
            f"e.g. {path / CONFIG_FILENAME}"
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path}{named} does not exist") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read configuration file {path}{named}: {exc.strerror or exc}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"configuration file {path} is not UTF-8 text (line {line} has byte "
            f"0x{raw[exc.start]:02x}): save it as UTF-8"
        ) from None
    try:
        data = yaml.load(text.removeprefix("\ufeff"), Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if data is None:  # an empty file: every default
        return {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        raise ConfigError(
            f"configuration file {path} holds {kind}; it must be a mapping of settings "
            "(store:, browser:, accounts: ...), as in config.example.yaml"
        )
    return data


def _env_variables(loc: tuple[int | str, ...]) -> list[str]:
    """The KEY_RETRIEVER_* variables that set the field at `loc` (or a field above it)."""
    names = {name.upper(): name for name in os.environ}
    found = []
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            break
        parts.append(str(part))
        candidate = (ENV_PREFIX + "__".join(parts)).upper()
        if candidate in names:
            found.append(names[candidate])
    return found


def _env_error(exc: SettingsError) -> ConfigError:
    """pydantic-settings says only which field; name the variable and why it is wrong."""
    match = re.search(r'field "([^"]+)"', str(exc))
    field = match.group(1) if match else ""
    prefix = (ENV_PREFIX + field).upper()
    candidates = sorted(
        name for name in os.environ
        if name.upper() == prefix or name.upper().startswith(prefix + "__")
    )
    for name in candidates:
        try:
            json.loads(os.environ[name])
        except ValueError as error:
            # The position only: the value itself may hold something private.
            return ConfigError(
                f"environment variable {name} is not valid JSON ({error}); a list or a mapping "
                f"set from the environment is written in JSON: fix it or unset it"
            )
    names = ", ".join(candidates) or f"{prefix}*"
    return ConfigError(f"cannot read the setting {field!r} from the environment ({names}): {exc}")


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(pydantic_message: str) -> str:
    return pydantic_message.removeprefix("Value error, ")


def _validation_problem(error: Any) -> tuple[str, str]:
    message = _message(error["msg"])
    variables = _env_variables(error["loc"])
    if variables:  # the value came from (or may have come from) the environment: say so
        message += f" (environment variable {variables[-1]} is set)"
    return _loc_to_path(error["loc"]), message


def load_config(explicit: Path | None, *, required: bool = True) -> Settings:
    path = find_config(explicit)
    if path is None and (required or explicit is not None):
        raise ConfigError(
            f"no configuration file: looked for ./{CONFIG_FILENAME}, ${ENV_CONFIG} and "
            f"{default_config_dir() / CONFIG_FILENAME}; start from config.example.yaml"
        )
    data = _read_yaml(path) if path is not None else None
    source = str(path) if path else "the environment"
    token = _yaml_data.set(data)
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError([_validation_problem(e) for e in exc.errors()], source=source) from None
    except SettingsError as exc:
        raise _env_error(exc) from None
    finally:
        _yaml_data.reset(token)
    settings.source_path = path
    problems = _cross_checks(settings)
    if problems:
        raise ConfigError(problems, source=source)
    return settings


def _cross_checks(settings: Settings) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, account in enumerate(settings.accounts):
        key = (account.portal, account.name)
        if key in seen:
            problems.append(
                (
                    f"accounts[{i}].name",
                    f"duplicate account {account.name!r} for portal {account.portal!r}",
                )
            )
        seen.add(key)
        try:
            settings.portal_options(account)
        except ValidationError as exc:
            problems += [
                (f"accounts[{i}].options." + _loc_to_path(e["loc"]), _message(e["msg"]))
                for e in exc.errors()
            ]
        if account.options and PORTALS[account.portal].options is None:
            problems.append((f"accounts[{i}].options", f"portal {account.portal} takes no options"))
        portal = PORTALS[account.portal]
        if portal.logs_in and account.username is None:
            problems.append((f"accounts[{i}].username", f"required for portal {account.portal}"))
        if portal.base_url is None and not settings.portal(account.portal).base_url:
            problems.append((f"portals.{account.portal}.base_url",
                             f"needed for portal {account.portal} (accounts[{i}]): the address "
                             f"of the page where its procedure starts, given by {portal.name}"))
        if portal.by_mail and settings.mailbox is None:
            problems.append(("mailbox", f"portal {account.portal} sends its key by e-mail "
                                        f"(accounts[{i}]): configure the mailbox it reaches"))
    for portal_id, portal_config in settings.portals.items():
        if portal_config.labels:
            problems += _unknown_labels(PORTALS[portal_id], portal_config.labels)
    if settings.store.backend == "file" and settings.store.path is None:
        problems.append(("store.path", "the file backend needs a path for the encrypted key file"))
    return problems


def _unknown_labels(portal: Portal, overrides: dict[str, str]) -> list[tuple[str, str]]:
    from retrievers import labels  # imports the portal's flow: only where labels are renamed

    known = labels.of(portal)
    if not known:
        return [(f"portals.{portal.id}.labels", f"portal {portal.id} has no flow, so no labels "
                                                "to rename")]
    listed = ", ".join(f"« {label} »" for label in known)
    return [(f"portals.{portal.id}.labels", f"« {label} » is not a label of {portal.id}'s flow; "
                                            f"its labels: {listed}")
            for label in labels.unknown(portal, overrides)]


def secret_variables(settings: Settings, accounts: list[AccountConfig]
                     ) -> list[tuple[str, str, str]]:
    """The environment variables the selected accounts read their secrets from, each once:
    (the setting that names it, the variable, whose secret it is)."""
    # (portal, name) is unique (checked on load): one dict instead of list.index per account,
    # which compared whole models and made 10,000 accounts take minutes.
    index = {(a.portal, a.name): i for i, a in enumerate(settings.accounts)}
    variables: dict[tuple[str, str, str], None] = {}  # the mailbox's once, however many accounts
    for account in accounts:
        where = f"accounts[{index[(account.portal, account.name)]}]"
        options = settings.portal_options(account)
        whose = f"password of {account.portal}/{account.name}"
        if account.password_env:
            variables[(f"{where}.password_env", account.password_env, whose)] = None
        if account.totp_env:
            variables[(f"{where}.totp_env", account.totp_env,
                       f"authenticator secret of {account.portal}/{account.name}")] = None
        for name in getattr(options, "secret_variables", list)():
            variables[(f"{where}.options", name, whose)] = None
        if PORTALS[account.portal].by_mail and settings.mailbox:
            variables[("mailbox.password_env", settings.mailbox.password_env,
                       "the mailbox's password")] = None
    return list(variables)


def variable_problem(variable: str, what: str) -> str | None:
    """Why the secret in `variable` cannot be used, or None (its value is never said)."""
    value = os.environ.get(variable)
    if value is not None and value.strip():
        return None
    state = "is not set" if value is None else "is set but empty"
    return f"environment variable {variable} {state} ({what})"


def password_missing(account: AccountConfig) -> str | None:
    """An account of a portal with a login and neither a password variable nor a stored
    password (its stored secrets loaded first): what to do."""
    if not PORTALS[account.portal].logs_in or account.password_env or account.password:
        return None
    return (f"no password for {account.portal}/{account.name}: store it with `key-retriever "
            f"credentials set {account.portal} --account {account.name}`, or name the variable "
            "holding it in password_env")


def check_passwords(settings: Settings, accounts: list[AccountConfig], *,
                    stored: bool = True) -> None:
    """Before a run: every selected account's password variable (and those its options name,
    such as O2S's) must be set and not empty; `stored` (once the store's secrets are loaded):
    an account without one has a stored password."""
    problems = [(path, problem) for path, variable, what in secret_variables(settings, accounts)
                if (problem := variable_problem(variable, what))]
    if stored:
        index = {(a.portal, a.name): i for i, a in enumerate(settings.accounts)}
        problems += [(f"accounts[{index[(a.portal, a.name)]}].password_env", problem)
                     for a in accounts if (problem := password_missing(a))]
    if problems:
        raise ConfigError(problems, source=str(settings.source_path or "the environment"))
