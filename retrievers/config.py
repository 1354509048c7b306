"""Configuration: YAML file + environment (KEY_RETRIEVER_*, `__` between nested names).

Every problem is reported with its path in the YAML (`accounts[1].siret`), and nothing is
attempted when there is one.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from retrievers.errors import ConfigError
from retrievers.portals import PORTAL_IDS, PORTALS

CONFIG_FILENAME = "key-retriever.yaml"
ENV_CONFIG = "KEY_RETRIEVER_CONFIG"
ENV_PASSPHRASE = "KEY_RETRIEVER_STORE_PASSPHRASE"

_yaml_path: ContextVar[Path | None] = ContextVar("_yaml_path", default=None)


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
    concurrency: int = Field(3, ge=1, le=16, description="accounts run at the same time")


class RetryConfig(_Strict):
    attempts: int = Field(3, ge=1, le=10, description="tries when a portal is down")
    wait_seconds: float = Field(5, ge=0, description="first wait, doubled at each try")


class PortalConfig(_Strict):
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL, e.g. https://myatlas.opco-atlas.fr/")
        return value


class AccountConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$", max_length=80)
    portal: str
    username: str = Field(min_length=1)
    password_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    siret: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

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

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KEY_RETRIEVER_", env_nested_delimiter="__", extra="forbid"
    )

    store: StoreConfig = StoreConfig()
    browser: BrowserConfig = BrowserConfig()
    retry: RetryConfig = RetryConfig()
    portals: dict[str, PortalConfig] = Field(default_factory=dict)
    accounts: list[AccountConfig] = Field(default_factory=list)
    renew_before_days: int = Field(30, ge=0, le=365)
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
        path = _yaml_path.get()
        if path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    # Filled by load_config, not by the user.
    source_path: Path | None = Field(None, exclude=True)

    def base_url(self, portal: str) -> str:
        configured = self.portals.get(portal)
        return (configured.base_url if configured and configured.base_url else None) or PORTALS[
            portal
        ].base_url

    def resolved_state_path(self) -> Path:
        if self.state_path:
            return self.state_path
        folder = self.source_path.parent if self.source_path else default_config_dir()
        return folder / "key-retriever.state.sqlite"

    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir or platformdirs.user_state_path("key-retriever") / "artifacts"

    def portal_options(self, account: AccountConfig) -> BaseModel | None:
        model = PORTALS[account.portal].options
        return model.model_validate(account.options) if model else None


def default_config_dir() -> Path:
    return platformdirs.user_config_path("key-retriever")


def find_config(explicit: Path | None) -> Path | None:
    """--config, else ./key-retriever.yaml, else $KEY_RETRIEVER_CONFIG, else the user config dir."""
    if explicit is not None:
        return explicit
    candidates = [Path.cwd() / CONFIG_FILENAME]
    if os.environ.get(ENV_CONFIG):
        candidates.append(Path(os.environ[ENV_CONFIG]))
    candidates.append(default_config_dir() / CONFIG_FILENAME)
    return next((c for c in candidates if c.is_file()), None)


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(pydantic_message: str) -> str:
    return pydantic_message.removeprefix("Value error, ")


def load_config(explicit: Path | None, *, required: bool = True) -> Settings:
    path = find_config(explicit)
    if path is None and (required or explicit is not None):
        raise ConfigError(
            f"no configuration file: looked for ./{CONFIG_FILENAME}, ${ENV_CONFIG} and "
            f"{default_config_dir() / CONFIG_FILENAME}; start from config.example.yaml"
        )
    if path is not None and not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    source = str(path) if path else "the environment"
    token = _yaml_path.set(path)
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError(
            [(_loc_to_path(e["loc"]), _message(e["msg"])) for e in exc.errors()], source=source
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    finally:
        _yaml_path.reset(token)
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
    if settings.store.backend == "file" and settings.store.path is None:
        problems.append(("store.path", "the file backend needs a path for the encrypted key file"))
    return problems


def check_passwords(settings: Settings, accounts: list[AccountConfig]) -> None:
    """Before a run: every selected account's password variable must be set."""
    problems = []
    for account in accounts:
        i = settings.accounts.index(account)
        if not account.password:
            problems.append(
                (
                    f"accounts[{i}].password_env",
                    f"environment variable {account.password_env} is not set (password of "
                    f"{account.portal}/{account.name})",
                )
            )
    if problems:
        raise ConfigError(problems, source=str(settings.source_path or "the environment"))
