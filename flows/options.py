"""What each flow takes per account (`accounts[].options`), kept apart from the flows so that
reading the configuration never imports Playwright."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def secret_variables(self) -> list[str]:
        """Environment variables holding passwords these options name (checked before a run)."""
        return []


class OcapiatOptions(_Options):
    lifetime_months: int = Field(6, ge=1, le=6, description="lifetime of a generated key")


class O2SOptions(_Options):
    """Where the Cardif TOKEN and Code Apporteur are handed over (the adviser's O2S)."""

    base_url: str
    username: str = Field(min_length=1)
    password_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        from retrievers.config import check_http_url

        return check_http_url(value)


class CardifOptions(_Options):
    aggregator: str = Field("O2S", min_length=1, description="the aggregator to subscribe to")
    o2s: O2SOptions | None = None

    def secret_variables(self) -> list[str]:
        return [self.o2s.password_env] if self.o2s else []
