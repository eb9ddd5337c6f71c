"""What the OpenAI-compatible endpoints (chat completions, embeddings) share on the wire: the
default base URL, the key as a bearer token, and what an error status means."""

from __future__ import annotations

import json

from pierre_rag.llm.port import LlmError, LlmUnavailableError

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


def error_of_status(status: int, message: str) -> LlmError:
    """Rate limits and server errors may pass (retry, then the fallback model); any other
    refusal (bad key, unknown model, request too long) would be refused again."""
    if status == 429 or status >= 500:
        return LlmUnavailableError(f"provider unavailable ({status}): {message}")
    return LlmError(f"provider refused the request ({status}): {message}")
