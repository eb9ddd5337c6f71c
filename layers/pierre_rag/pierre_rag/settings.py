"""The one place that reads the environment (set by template.yaml, or the local stack).

Each variable is named once, as the ``validation_alias`` of one field, with its default next
to it; unset or empty variables keep their defaults and invalid values fail validation with
the variable named. The README's environment table is checked against
:func:`environment_variables`.

Secrets are never in the environment: only the SSM path they live under is, and
:data:`read_secret` fetches them through Powertools Parameters, cached ``max_age`` seconds so
a rotated secret is read again without a cold start.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from pierre_rag import paths

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

logger = logging.getLogger(__name__)


def _warn_renamed(old: str, new: str) -> None:
    logger.warning("%s is deprecated: set %s instead", old, new)


class _FromEnvironment(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)
    # old variable name → new: the old one is still read (with a warning) when the new is unset
    renamed_variables: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def variables(cls) -> tuple[str, ...]:
        """The environment variables this class reads (its fields' aliases)."""
        return tuple(
            field.validation_alias
            for field in cls.model_fields.values()
            if isinstance(field.validation_alias, str)
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """The settings ``env`` (default: the process environment) gives."""
        env = os.environ if env is None else env
        values = {name: env[name] for name in cls.variables() if env.get(name)}
        for old, new in cls.renamed_variables.items():
            if env.get(old) and new not in values:
                _warn_renamed(old, new)
                values[new] = env[old]
        return cls.model_validate(values)


# Euros per US dollar by default (pierre_rag.money): a round figure chosen on USD_TO_EUR_DATE,
# not a live rate; PIERRE_USD_TO_EUR follows the market.
USD_TO_EUR = 0.86
USD_TO_EUR_DATE = "2026-11-30"


class Settings(_FromEnvironment):
    """Where things are and what the functions are called."""

    renamed_variables: ClassVar[Mapping[str, str]] = {
        "PIERRE_TENANTS_DIR": "PIERRE_LANDLORDS_DIR"  # compat: old name
    }

    service: str = Field(default="pierre", validation_alias="POWERTOOLS_SERVICE_NAME")
    log_level: str = Field(default="INFO", validation_alias="POWERTOOLS_LOG_LEVEL")
    stage: str = Field(default="local", validation_alias="PIERRE_STAGE")
    datastore_path: Path = Field(
        default_factory=paths.default_datastore, validation_alias="PIERRE_DATASTORE"
    )
    landlords_dir: Path = Field(
        default_factory=paths.default_landlords_dir, validation_alias="PIERRE_LANDLORDS_DIR"
    )
    conversations_table: str = Field(
        default="pierre-conversations", validation_alias="CONVERSATIONS_TABLE"
    )
    users_table: str = Field(default="pierre-users", validation_alias="USERS_TABLE")
    idempotency_table: str = Field(
        default="pierre-idempotency", validation_alias="IDEMPOTENCY_TABLE"
    )
    rate_limits_table: str = Field(
        default="pierre-rate-limits", validation_alias="RATE_LIMITS_TABLE"
    )
    sms_queue_url: str = Field(default="", validation_alias="SMS_QUEUE_URL")
    # empty: SMS is not deployed (the admin then shows no failed SMS)
    sms_dlq_url: str = Field(default="", validation_alias="SMS_DLQ_URL")
    # Knowledge publishing (#17); empty: not deployed, the layer's datastore serves everyone
    knowledge_bucket: str = Field(default="", validation_alias="KNOWLEDGE_BUCKET")
    knowledge_table: str = Field(default="", validation_alias="KNOWLEDGE_TABLE")
    knowledge_build_queue_url: str = Field(default="", validation_alias="KNOWLEDGE_BUILD_QUEUE_URL")
    # How often (at most) a function re-reads a landlord's live-datastore pointer and edited
    # settings, at request time; the local stack's tests shorten it.
    knowledge_check_s: float = Field(
        default=30.0, gt=0, le=300, validation_alias="PIERRE_KNOWLEDGE_CHECK_S"
    )
    secrets_prefix: str = Field(default="/pierre", validation_alias="PIERRE_SECRETS_PREFIX")
    # SSMProvider's default too; 0 reads SSM on every use
    secrets_max_age_s: int = Field(default=300, ge=0, validation_alias="PIERRE_SECRETS_MAX_AGE_S")
    # Operations metrics (pierre_rag.metrics): CloudWatch namespace, and the euros per US dollar
    # the turns' estimated cost is converted at. Default: USD_TO_EUR, a round
    # figure chosen on USD_TO_EUR_DATE, not a live rate: set the month's rate.
    metrics_namespace: str = Field(
        default="PierreServerless", validation_alias="POWERTOOLS_METRICS_NAMESPACE"
    )
    usd_to_eur: float = Field(default=USD_TO_EUR, gt=0, le=10, validation_alias="PIERRE_USD_TO_EUR")
    # Deliveries before SQS moves a message to its dead-letter queue (template parameters
    # SmsMaxReceiveCount, KnowledgeBuildMaxReceiveCount): the last failure counts a DLQ move.
    sms_max_receive_count: int = Field(default=5, ge=1, validation_alias="SMS_MAX_RECEIVE_COUNT")
    knowledge_build_max_receive_count: int = Field(
        default=3, ge=1, validation_alias="KNOWLEDGE_BUILD_MAX_RECEIVE_COUNT"
    )
    # set by Lambda itself: empty when running locally or in tests
    lambda_function_name: str = Field(default="", validation_alias="AWS_LAMBDA_FUNCTION_NAME")

    @property
    def publishing_deployed(self) -> bool:
        """The knowledge bucket, table and build queue are all set (template.yaml, local stack)."""
        return bool(
            self.knowledge_bucket and self.knowledge_table and self.knowledge_build_queue_url
        )


CM_API_URL = "https://gw.cmtelecom.com/v1.0/message"


class SmsSettings(_FromEnvironment):
    """The CM.com client of the SMS worker (defaults suit production)."""

    cm_api_url: str = Field(
        default=CM_API_URL, pattern=r"^https?://", validation_alias="CM_API_URL"
    )
    cm_timeout_s: float = Field(default=10.0, gt=0, le=60, validation_alias="CM_TIMEOUT_S")
    cm_attempts: int = Field(default=3, ge=1, le=10, validation_alias="CM_ATTEMPTS")
    cm_backoff_s: float = Field(default=0.5, ge=0, le=10, validation_alias="CM_BACKOFF_S")
    # A delivery lease longer than one worker invocation (template Timeout 60 s): a crashed
    # sender's claim expires and a redelivery may send again. Not configurable.
    delivery_lease_s: int = Field(default=120, ge=1)


class LlmSettings(_FromEnvironment):
    """Answer generation: ``PIERRE_LLM=off`` forces extractive answers (local demos, tests)."""

    mode: str = Field(default="", validation_alias="PIERRE_LLM")
    openai_api_key: str = Field(default="", validation_alias="OPENAI_API_KEY")
    pierre_llm_api_key: str = Field(default="", validation_alias="PIERRE_LLM_API_KEY")

    @property
    def off(self) -> bool:
        return self.mode.lower() == "off"

    @property
    def api_key(self) -> str:
        """The key for the ``openai`` provider from the environment ("" when none is set)."""
        return self.openai_api_key or self.pierre_llm_api_key


class EmbeddingSettings(_FromEnvironment):
    """An OpenAI-compatible embeddings model when ``model`` is set, else the local USE model."""

    model: str = Field(default="", validation_alias="PIERRE_EMBEDDINGS_MODEL")
    base_url: str = Field(default="", validation_alias="PIERRE_EMBEDDINGS_BASE_URL")
    api_key: str = Field(default="", validation_alias="PIERRE_EMBEDDINGS_API_KEY")
    dims: int | None = Field(default=None, gt=0, validation_alias="PIERRE_EMBEDDINGS_DIMS")
    threads: int = Field(default=1, ge=1, validation_alias="PIERRE_EMBEDDINGS_THREADS")


class PathSettings(_FromEnvironment):
    """Writable places outside Lambda: the embedding cache and the prepared tokenizer."""

    cache_dir_override: Path | None = Field(default=None, validation_alias="PIERRE_CACHE_DIR")
    xdg_cache_home: Path | None = Field(default=None, validation_alias="XDG_CACHE_HOME")
    models_dir_override: Path | None = Field(default=None, validation_alias="PIERRE_MODELS_DIR")

    @property
    def cache_dir(self) -> Path:
        return paths.cache_dir(self.cache_dir_override, self.xdg_cache_home)

    @property
    def models_dir(self) -> Path:
        return paths.models_dir(self.models_dir_override, self.cache_dir)


SETTINGS_CLASSES: tuple[type[_FromEnvironment], ...] = (
    Settings,
    SmsSettings,
    LlmSettings,
    EmbeddingSettings,
    PathSettings,
)

# Read by libraries, not by us; the template sets them and the README documents them.
LIBRARY_VARIABLES = {
    "OPENBLAS_NUM_THREADS": "numpy's BLAS threads (pierre_rag.knowledge.embeddings sets 1)",
}


def environment_variables() -> set[str]:
    """Every variable the settings read."""
    return {name for cls in SETTINGS_CLASSES for name in cls.variables()}


class SecretReader:
    """``read_secret(name)``: the decrypted SSM parameter ``<secrets_prefix>/<name>``.

    Powertools' ``SSMProvider`` caches each value ``PIERRE_SECRETS_MAX_AGE_S`` seconds (its
    own wall clock), so a rotated secret is served within that time by a warm container.
    Its SSM client comes from boto3's default session, which the function's other clients
    share: left to itself Powertools opens a session of its own, which loads botocore's
    endpoint and service data a second time (~50–80 ms of every cold start).
    Failures are not cached. Powertools wraps every error in ``GetParameterError``; the
    ``botocore`` ``ClientError`` underneath (``ParameterNotFound``…) is raised instead, as
    callers expect. ``AWS_ENDPOINT_URL`` (the local stack) points boto3 at moto.
    """

    def __init__(self) -> None:
        self._provider: SSMProvider | None = None

    def __call__(self, name: str) -> str:
        import boto3
        from aws_lambda_powertools.utilities.parameters import SSMProvider
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

        settings = Settings.from_env()
        if self._provider is None:
            self._provider = SSMProvider(boto3_client=boto3.client("ssm"))
        path = f"{settings.secrets_prefix.rstrip('/')}/{name}"
        try:
            value = self._provider.get(path, max_age=settings.secrets_max_age_s, decrypt=True)
        except GetParameterError as error:
            cause: Any = error.__context__
            if isinstance(cause, Exception):
                raise cause from None
            raise
        if not isinstance(value, str):
            raise TypeError(f"SSM parameter {path} is not a string")
        return value

    def cache_clear(self) -> None:
        """Forget every cached value and the SSM client (tests, a new moto)."""
        self._provider = None


# Built at import (Lambda init), like the AWS clients: its cache is per container.
read_secret = SecretReader()
