"""What the OpenAI-compatible endpoints (chat completions, embeddings) share on the wire: the
default base URL, the key as a bearer token, and what a failure means — an error status, a
transport error, or a body that is no answer."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from pierre_rag.llm.port import LlmError, LlmTimeoutError, LlmUnavailableError

OPENAI_BASE_URL = "https://api.openai.com/v1"


def endpoint(base_url: str, path: str) -> str:
    """``path`` under ``base_url`` (``http://localhost:11434/v1`` + ``embeddings``)."""
    return f"{base_url.rstrip('/')}/{path}"


def bearer_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def provider_message(content: bytes) -> str:
    """The provider's own error message (``{"error": {"message": …}}``, or a string), else the
    start of what it sent."""
    try:
        error = json.loads(content).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str) and error:
        return error
    return content[:200].decode("utf-8", "replace")


def check_status(status: int, content: bytes) -> None:
    """Raise when ``status`` is an error: rate limits and server errors may pass (retry, then
    the fallback model); any other refusal (bad key, unknown model, request too long) would be
    refused again."""
    if status < 400:
        return
    message = provider_message(content)
    if status == 429 or status >= 500:
        raise LlmUnavailableError(f"provider unavailable ({status}): {message}")
    raise LlmError(f"provider refused the request ({status}): {message}")


def transport_error(error: httpx2.HTTPError) -> LlmError:
    """A call that got no answer: timed out, or the provider could not be reached."""
    if isinstance(error, httpx2.TimeoutException):
        return LlmTimeoutError(f"provider timed out: {error!r}")
    return LlmUnavailableError(f"provider unavailable: {error!r}")


def answer_object(content: bytes) -> dict[str, Any]:
    """The JSON object a provider sent as its answer (or as one event of it). A body that is
    no JSON object, or that holds an error (some providers fail with status 200, or with an
    event in the middle of a stream), is the provider's failure."""
    try:
        parsed = json.loads(content)
    except ValueError as error:
        raise LlmUnavailableError(f"provider sent no JSON: {content[:200]!r}") from error
    if not isinstance(parsed, dict):
        raise LlmUnavailableError(f"provider sent no JSON object: {content[:200]!r}")
    if parsed.get("error"):
        raise LlmUnavailableError(f"provider failed: {provider_message(content)}")
    return parsed
