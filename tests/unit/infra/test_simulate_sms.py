"""`make sms FROM=…`: the simulated inbound SMS comes from the sender asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pierre_local import simulate_sms


def test_the_webhook_gets_the_chosen_sender_and_the_reply_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # Given a running local stack's state and a fake CM that replies once the webhook is posted
    (tmp_path / "secrets.json").write_text(json.dumps({"sms-webhook-secret": "hook"}))
    (tmp_path / "fake-cm.json").write_text(json.dumps({"url": "http://cm/v1.0/message"}))
    posted: list[tuple[str, dict[str, object]]] = []

    def fake_request(url: str, data: bytes | None = None) -> tuple[int, bytes]:
        if data is not None:
            posted.append((url, json.loads(data)))
            return 200, b'{"status": "queued"}'
        messages = [{"content": "Bonjour"}] if posted else []
        return 200, json.dumps({"messages": messages}).encode()

    monkeypatch.setattr(simulate_sms, "_request", fake_request)
    monkeypatch.setattr("time.sleep", lambda _seconds: None)

    # When an SMS is simulated from a chosen number
    code = simulate_sms.main(
        ["--state-dir", str(tmp_path), "--url", "http://stack", "--from", "+33611223344", "Salut"]
    )

    # Then CM.com's payload carries that sender, and the reply is shown
    assert code == 0
    ((url, payload),) = posted
    assert url == "http://stack/sms/hook"
    assert payload["from"] == {"number": "+33611223344", "name": ""}
    assert payload["message"] == {
        "text": "Salut",
        "media": {"mediaUri": "", "contentType": "", "title": ""},
    }
    assert "Bonjour" in capsys.readouterr().out
