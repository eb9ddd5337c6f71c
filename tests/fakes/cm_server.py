"""The fake CM.com send API for tests (real wire format, records, 5xx / 4xx / timeouts).

It lives in the local stack's package (``make dev`` runs it too); tests import it from here.
"""

from __future__ import annotations

from pierre_local.fake_cm import Accept, Behaviour, Fail, FakeCm, SentSms, Stall

__all__ = ["Accept", "Behaviour", "Fail", "FakeCm", "SentSms", "Stall"]
