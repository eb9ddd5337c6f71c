"""The channel a conversation happens on: one name for the pipeline, the stores and the apps.

A leaf module (no imports from the package), so the conversation store can name it without
importing the ``pipeline`` package, whose ``__init__`` loads numpy and the answer pipeline.
"""

from __future__ import annotations

from typing import Literal

Channel = Literal["web", "sms"]
