"""SMS settings from the environment (template.yaml sets them; defaults suit production)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from pierre_rag.settings import from_env_vars

CM_API_URL = "https://gw.cmtelecom.com/v1.0/message"


class SmsSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    cm_api_url: str = Field(default=CM_API_URL, pattern=r"^https?://")
    cm_timeout_s: float = Field(default=10.0, gt=0, le=60)
    cm_attempts: int = Field(default=3, ge=1, le=10)
    cm_backoff_s: float = Field(default=0.5, ge=0, le=10)
    # A delivery lease longer than one worker invocation (template Timeout 60 s): a crashed
    # sender's claim expires and a redelivery may send again.
    delivery_lease_s: int = Field(default=120, ge=1)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmsSettings:
        mapping = {
            "cm_api_url": "CM_API_URL",
            "cm_timeout_s": "CM_TIMEOUT_S",
            "cm_attempts": "CM_ATTEMPTS",
            "cm_backoff_s": "CM_BACKOFF_S",
        }
        return from_env_vars(cls, mapping, env)
