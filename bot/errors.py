"""What every adapter's one error handler tells the learner.

A ``TutorError`` carries its own user-safe message. Anything else is a bug: it is logged
with a short correlation id, and the learner gets an apology quoting that id, never the
error itself.
"""

from __future__ import annotations

import logging
import uuid

from engine.domain.errors import FacilitatorsOnly, TutorError

APOLOGY = "Sorry — something went wrong on my side (error id `{ref}`). Please try again."


def user_message(error: BaseException, what: str, log: logging.Logger,
                 facilitators: str = "") -> str:
    """What to tell the learner about ``error``; a bug is logged first on ``log``, saying
    ``what`` was being answered, under the id the apology quotes. ``facilitators`` says who
    facilitators are on this platform (added to "facilitators only" refusals)."""
    if isinstance(error, FacilitatorsOnly) and facilitators:
        return f"{error.user_message} {facilitators}"
    if isinstance(error, TutorError):
        return error.user_message
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error [%s] answering %s", ref, what,
              exc_info=(type(error), error, error.__traceback__))
    return APOLOGY.format(ref=ref)
