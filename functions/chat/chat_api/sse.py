"""``text/event-stream`` framing of pipeline events (delta, sources, done, error)."""

from __future__ import annotations

import json
from typing import Any

from pierre_rag.pipeline import PipelineEvent


def frame(event: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


def encode(event: PipelineEvent, show_sources: bool) -> bytes:
    if event.type == "delta":
        return frame("delta", {"text": event.text})
    if event.type == "sources":
        sources = (
            [
                {
                    "number": s.number,
                    "title": s.title,
                    "heading": s.heading,
                    "excerpt": s.excerpt,
                    "url": s.url,
                }
                for s in event.sources
            ]
            if show_sources
            else []
        )
        return frame("sources", {"sources": sources})
    if event.type == "done" and event.result is not None:
        result = event.result
        return frame(
            "done",
            {
                "outcome": result.outcome.value,
                "language": result.language,
                "mode": result.mode,
                "replayed": result.replayed,
            },
        )
    return frame("error", {"message": event.text or "error"})
