"""One logger set-up for every function: JSON lines, extra fields, the template's level."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from pierre_rag.observability import function_logger
from pierre_rag.settings import Settings

SHARED = ("pierre_rag", "chat_api")


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    """The set-up reconfigures process-wide loggers: put them back for the other tests."""
    saved = {
        name: (list(logger.handlers), logger.level, logger.propagate)
        for name in SHARED
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_layer_and_app_records_are_json_lines_with_their_extra_fields():
    # Given a function's logger (its own service name: Powertools configures a name once)
    stream = io.StringIO()
    settings = Settings(service="observability-json", log_level="INFO")
    function_logger("chat_api", settings=settings, stream=stream)

    # When the layer and the function's app log with the standard library
    logging.getLogger("pierre_rag.some.module").info("layer line", extra={"landlord": "a.fr"})
    logging.getLogger("chat_api.routes").info("app line", extra={"outcome": "answered"})

    # Then both are JSON lines of that service, extra fields included
    layer, app = _lines(stream)
    assert (layer["message"], layer["landlord"], layer["service"]) == (
        "layer line",
        "a.fr",
        "observability-json",
    )
    assert (app["message"], app["outcome"], app["name"]) == (
        "app line",
        "answered",
        "chat_api.routes",
    )


def test_the_level_from_the_settings_is_honoured_by_every_logger():
    stream = io.StringIO()
    settings = Settings(service="observability-level", log_level="WARNING")
    logger = function_logger("chat_api", settings=settings, stream=stream)

    logger.info("function info")
    logging.getLogger("pierre_rag.x").info("layer info")
    logging.getLogger("chat_api.x").info("app info")
    logging.getLogger("chat_api.x").warning("app warning")

    assert [line["message"] for line in _lines(stream)] == ["app warning"]


def test_the_level_comes_from_the_template_variable(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "observability-env")
    stream = io.StringIO()

    function_logger(stream=stream)
    logging.getLogger("pierre_rag.y").warning("dropped")
    logging.getLogger("pierre_rag.y").error("kept")

    assert [(line["message"], line["service"]) for line in _lines(stream)] == [
        ("kept", "observability-env")
    ]


def test_lines_keep_their_logger_name_after_an_invocation_clears_the_state():
    # Given a function's logger whose handler clears the state at each invocation (the SMS
    # worker's inject_lambda_context(clear_state=True): functions of one process share it)
    stream = io.StringIO()
    settings = Settings(service="observability-clear", log_level="INFO")
    logger = function_logger("chat_api", settings=settings, stream=stream)

    # When an invocation clears it, then the app logs
    logger.clear_state()
    logging.getLogger("chat_api.routes").info("after clear")

    # Then the line still names the logger that wrote it
    (line,) = _lines(stream)
    assert (line["message"], line["name"]) == ("after clear", "chat_api.routes")
