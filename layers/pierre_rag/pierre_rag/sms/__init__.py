"""SMS channel (CM.com): inbound payloads, routing, encoding and splitting, sending, worker.

Modules are imported one by one on purpose: the webhook must stay light (no pipeline, no
numpy), so this package imports nothing at load time.
"""

from __future__ import annotations
