"""What every adapter's one error handler tells the learner.

A ``TutorError`` carries its own user-safe message. A chat platform refusing our answer (a
revoked token, an interaction that expired, the platform's own 5xx) is not our bug: the
learner is told whose failure it is and what helps, and the log gets one line. Anything
else is a bug: it is logged with a short correlation id, and the learner gets an apology
quoting that id, never the error itself.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from engine.domain.errors import FacilitatorsOnly, StorageError, TutorError, cause


class SetupError(TutorError):
    """tutorbot cannot start as configured; the message says how to fix it."""


APOLOGY = "Sorry — something went wrong on my side (error id `{ref}`). Please try again."


@dataclass(frozen=True)
class Refusal:
    """A chat platform refused our answer: who, what it said, and what helps."""

    platform: str  # "Slack", "Discord"
    said: str  # the platform's own words: an error code or an HTTP status
    advice: str  # what the learner (or an admin) can do

    def message(self, ref: str) -> str:
        return (f"Sorry — {self.platform} refused my answer ({self.said}; error id `{ref}`). "
                f"{self.advice}")


Classify = Callable[[BaseException], Refusal | None]


def user_message(error: BaseException, what: str, log: logging.Logger,
                 facilitators: str = "", platform: Classify | None = None) -> str:
    """What to tell the learner about ``error``; a bug is logged first on ``log``, saying
    ``what`` was being answered, under the id the apology quotes. ``facilitators`` says who
    facilitators are on this platform (added to "facilitators only" refusals); ``platform``
    recognises the adapter's own platform refusing (then one log line; the traceback only
    at DEBUG)."""
    if isinstance(error, FacilitatorsOnly) and facilitators:
        return f"{error.user_message} {facilitators}"
    if isinstance(error, StorageError):  # not a bug, but its cause must be in the log
        ref = uuid.uuid4().hex[:8]
        log.warning("database failure [%s] answering %s: %s", ref, what, cause(error))
        log.debug("the database failure [%s] in full", ref,
                  exc_info=(type(error), error, error.__traceback__))
        return f"{error.user_message} (error id `{ref}`)"
    if isinstance(error, TutorError):
        return error.user_message
    ref = uuid.uuid4().hex[:8]
    refusal = platform(error) if platform is not None else None
    if refusal is not None:
        log.warning("%s refused the answer [%s] to %s: %s: %s", refusal.platform, ref, what,
                    type(error).__name__, refusal.said)
        log.debug("the refusal [%s] in full", ref,
                  exc_info=(type(error), error, error.__traceback__))
        return refusal.message(ref)
    log.error("unexpected error [%s] answering %s", ref, what,
              exc_info=(type(error), error, error.__traceback__))
    return APOLOGY.format(ref=ref)
