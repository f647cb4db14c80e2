"""What every adapter tells the learner about an error: its own message, or for a bug an
apology whose id is in the log beside the traceback."""

import logging
import re

from bot.errors import user_message
from engine.domain.errors import Busy

log = logging.getLogger("tests.bot.errors")


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def test_a_tutor_error_is_its_own_message_and_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG):
        assert user_message(Busy("busy; try again"), "/tokenize", log) == "busy; try again"
    assert caplog.records == []


def test_a_bug_gets_an_apology_whose_id_is_logged_with_the_traceback(caplog):
    with caplog.at_level(logging.ERROR):
        first = user_message(raised(KeyError("secret detail")), "/tokenize from U1", log)
        second = user_message(raised(KeyError("secret detail")), "/tokenize from U1", log)
    refs = [re.search(r"error id `([0-9a-f]{8})`", m)[1] for m in (first, second)]
    assert refs[0] != refs[1] and "secret" not in first and first.startswith("Sorry")
    record = caplog.records[0]
    assert record.name == log.name and refs[0] in record.getMessage()
    assert "/tokenize from U1" in record.getMessage()
    assert record.exc_info[0] is KeyError and record.exc_info[2] is not None
