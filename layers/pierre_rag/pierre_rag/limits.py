"""Limits on what users send, defined once for every channel and every layer.

Kept in a module of its own (no imports) so the SMS webhook can read it without importing
the pipeline and numpy.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 2000
"""The longest user message, in characters (code points), that is answered: the chat API
refuses longer ones with a 413, the SMS webhook answers their first ``MAX_MESSAGE_CHARS``
characters (cut between words), and every model the pipeline validates a message or its
rewrite with accepts this length."""

ABANDONED_AFTER_MS = 120_000
"""A question stored this long ago and still unanswered was abandoned by its request (the chat
function times out after 29 s, an SMS worker after its visibility timeout): a retry answers
it, and statistics count it as an error rather than as still being answered."""
