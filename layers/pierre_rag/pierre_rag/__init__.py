"""PIERRE serverless: the shared RAG layer (knowledge, pipeline, channels' domain logic).

Everything domain-specific lives here so that it is importable and testable without AWS;
the Lambda functions under ``functions/`` are thin entry points around it.
"""

from __future__ import annotations

__version__ = "0.1.0"
