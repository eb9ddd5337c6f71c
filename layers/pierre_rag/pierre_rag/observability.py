"""Logging set-up shared by the four function handlers.

Each handler builds its logger here and decorates its entry point with
``logger.inject_lambda_context`` (cold start, request id, and a correlation id where the
event has one). The modules of the layer and of the function's app log with the standard
library (``logging.getLogger(__name__)``): their records go through the same handler, as
JSON with their ``extra`` fields, at the level the template's ``LogLevel`` sets.

Log lines name what happened, never who said what: no phone number, no message text.
"""

from __future__ import annotations

import logging
from typing import TextIO

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from pierre_rag.settings import Settings

LAYER_LOGGER = "pierre_rag"


def function_logger(
    *app_loggers: str, settings: Settings | None = None, stream: TextIO | None = None
) -> Logger:
    """The Powertools logger of one function, whose output ``pierre_rag`` and ``app_loggers``
    (the function's own packages, e.g. ``chat_api``) share. ``stream`` is for tests."""
    settings = settings or Settings.from_env()
    handler = logging.StreamHandler(stream) if stream is not None else None
    # "name" among the constructor's keys, not only appended by the copy below: clear_state()
    # (an invocation with clear_state=True) keeps the former and drops appended ones.
    logger = Logger(
        service=settings.service,
        level=settings.log_level,
        logger_handler=handler,
        name="%(name)s",
    )
    names = {LAYER_LOGGER, *app_loggers}
    for name in names:
        logging.getLogger(name)  # registered now, so the copy below reaches its children
    copy_config_to_registered_loggers(source_logger=logger, include=names)
    return logger
