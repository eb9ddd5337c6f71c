"""PIERRE serverless: the shared RAG layer (knowledge, pipeline, channels' domain logic).

Everything domain-specific lives here so that it is importable and testable without AWS;
the Lambda functions under ``functions/`` are thin entry points around it.
"""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "pierre-serverless"
UNKNOWN_VERSION = "0+unknown"


@cache
def installed_version() -> str:
    """pyproject.toml's version, the only place it is written: from the installed metadata
    (``pip install``), or the metadata the layer build ships beside this package.

    Looked up on first use, not at import: importlib.metadata and the scan of ``sys.path``
    cost tens of milliseconds that a cold start should not pay.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
