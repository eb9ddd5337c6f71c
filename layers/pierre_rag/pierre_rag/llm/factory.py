"""Build the LLM client a landlord configured, or None for extractive answers."""

from __future__ import annotations

from collections.abc import Callable

from pierre_rag.landlords import LlmConfig
from pierre_rag.llm.port import LlmClient
from pierre_rag.llm.resilience import ResilientClient
from pierre_rag.settings import LlmSettings


class LlmNotConfiguredError(RuntimeError):
    pass


def _openai_key(settings: LlmSettings, read_secret: Callable[[str], str] | None) -> str | None:
    key = settings.api_key
    if key:
        return key
    if read_secret is None:
        return None
    try:
        return read_secret("llm-api-key")
    except Exception:  # no such parameter: the landlord runs without an LLM
        return None


def _single(config: LlmConfig, model: str, api_key: str | None) -> LlmClient:
    if config.provider == "openai":
        if not api_key and config.base_url is None:
            raise LlmNotConfiguredError("no API key for the OpenAI provider")
        from pierre_rag.llm.openai_compat import OpenAICompatibleClient

        return OpenAICompatibleClient(
            model, api_key or "not-needed", config.base_url, config.timeout_s
        )
    from pierre_rag.llm.bedrock import BedrockClient

    return BedrockClient(model, config.timeout_s)


def build_llm(
    config: LlmConfig | None, read_secret: Callable[[str], str] | None = None
) -> LlmClient | None:
    """The configured model (then its fallback model), wrapped with retries; None → extractive.

    ``PIERRE_LLM=off`` forces extractive mode (local demos, tests).
    """
    settings = LlmSettings.from_env()
    if config is None or settings.off:
        return None
    api_key = _openai_key(settings, read_secret) if config.provider != "bedrock" else None
    try:
        models = [config.model] + ([config.fallback_model] if config.fallback_model else [])
        clients = [_single(config, model, api_key) for model in models]
    except LlmNotConfiguredError:
        return None
    return ResilientClient(clients)
