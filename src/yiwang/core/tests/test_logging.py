"""The configured log handlers mask personal data."""

from __future__ import annotations

import copy
import logging
import logging.config

from django.conf import settings


def test_every_configured_handler_masks_pii() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for handler in handlers.values():
        assert "mask_pii" in handler["filters"]


def test_a_log_line_through_the_configured_handler_is_masked() -> None:
    # Build the console handler from the settings without reconfiguring the running logging.
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    configurator.config["filters"] = {
        name: configurator.configure_filter(spec)
        for name, spec in configurator.config["filters"].items()
    }
    handler = configurator.configure_handler(dict(configurator.config["handlers"]["console"]))
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "申请人 %s 电话 %s", None, None)
    record.args = ("11010519491231002X", "13812345678")
    assert handler.filter(record)
    message = record.getMessage()
    assert "11010519491231002X" not in message
    assert "13812345678" not in message
    assert "138****5678" in message
