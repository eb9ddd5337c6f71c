"""Runtime settings read from the environment (set by template.yaml or the local stack).

Secrets are never in the environment: only the *names* of SSM parameters are, and
:func:`read_secret` fetches them once per container (Lambda init).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

_LAYER_ROOT = Path("/opt")


def _default_datastore() -> Path:
    layer_copy = _LAYER_ROOT / "datastore.sqlite"
    if layer_copy.exists():
        return layer_copy
    return Path(__file__).resolve().parents[3] / "build" / "datastore.sqlite"


def _default_tenants_dir() -> Path:
    layer_copy = _LAYER_ROOT / "tenants"
    if layer_copy.is_dir():
        return layer_copy
    return Path(__file__).resolve().parents[3] / "knowledge"


M = TypeVar("M", bound=BaseModel)


def from_env_vars(
    model: type[M], mapping: Mapping[str, str], env: Mapping[str, str] | None = None
) -> M:
    """``model`` with each field read from its environment variable; unset or empty ones keep
    their defaults, and invalid values fail validation with the field named."""
    env = os.environ if env is None else env
    return model.model_validate({field: env[var] for field, var in mapping.items() if env.get(var)})


class Settings(BaseModel):
    """Typed view of the environment. Unknown or missing values fall back to safe defaults."""

    model_config = ConfigDict(frozen=True)

    service: str = Field(default="pierre")
    stage: str = Field(default="local")
    datastore_path: Path = Field(default_factory=_default_datastore)
    tenants_dir: Path = Field(default_factory=_default_tenants_dir)
    conversations_table: str = "pierre-conversations"
    users_table: str = "pierre-users"
    idempotency_table: str = "pierre-idempotency"
    rate_limits_table: str = "pierre-rate-limits"
    sms_queue_url: str = ""
    secrets_prefix: str = "/pierre"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        mapping = {
            "service": "POWERTOOLS_SERVICE_NAME",
            "stage": "PIERRE_STAGE",
            "datastore_path": "PIERRE_DATASTORE",
            "tenants_dir": "PIERRE_TENANTS_DIR",
            "conversations_table": "CONVERSATIONS_TABLE",
            "users_table": "USERS_TABLE",
            "idempotency_table": "IDEMPOTENCY_TABLE",
            "rate_limits_table": "RATE_LIMITS_TABLE",
            "sms_queue_url": "SMS_QUEUE_URL",
            "secrets_prefix": "PIERRE_SECRETS_PREFIX",
        }
        return from_env_vars(cls, mapping, env)


@functools.cache
def read_secret(name: str) -> str:
    """Return the decrypted SSM parameter ``<secrets_prefix>/<name>``, cached per container.

    ``AWS_ENDPOINT_URL`` (set by the local stack) makes this talk to moto instead of AWS.
    """
    import boto3  # in the Lambda runtime; imported lazily to keep cold start small

    prefix = Settings.from_env().secrets_prefix.rstrip("/")
    client = boto3.client("ssm")
    response = client.get_parameter(Name=f"{prefix}/{name}", WithDecryption=True)
    value: str = response["Parameter"]["Value"]
    return value
