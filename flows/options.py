"""What each flow takes per account (`accounts[].options`), kept apart from the flows so that
reading the configuration never imports Playwright."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OcapiatOptions(_Options):
    lifetime_months: int = Field(6, ge=1, le=6, description="lifetime of a generated key")
