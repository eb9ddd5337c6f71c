"""Exceptions raised by the knowledge package (one base class so callers can catch them all)."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for every knowledge build or search error."""


class BuildError(KnowledgeError):
    """The knowledge folder cannot be turned into a datastore (bad front matter, missing dir…)."""


class DatastoreError(KnowledgeError):
    """The datastore file is missing, unreadable or has an unsupported schema."""


class EmbeddingModelMismatchError(KnowledgeError):
    """A query was embedded with another model (or dimension) than the datastore's vectors."""
