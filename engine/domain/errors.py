"""Typed errors that carry a message safe to show a learner.

Adapters translate them at the boundary (one global handler per platform); anything that is
not a TutorError is a bug and is answered with an apology and a correlation id instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


class TutorError(Exception):
    """An error whose ``user_message`` can be shown to the learner as it is."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class BadInput(TutorError):
    """The learner's text cannot be understood (empty, too long, malformed)."""


class UnknownCommand(BadInput):
    """The command name is not in the command table."""


class BadOption(BadInput):
    """An option has a bad name or value; the message names what is allowed."""


class Refused(TutorError):
    """The request is valid but asks for more work than tutorbot allows."""


class NotFound(TutorError):
    """Something the learner referred to (a lesson, a question, a button) does not exist."""


class Forbidden(TutorError):
    """The learner may not do this (someone else's button, a facilitators' command)."""


class FacilitatorsOnly(Forbidden):
    """The command is for facilitators only; each adapter says who they are on its
    platform (Slack: workspace admins and owners; Discord: Manage Server)."""


class Busy(TutorError):
    """No capacity right now; the learner should try again shortly."""


class AlreadyRunning(Busy):
    """The learner's previous demo is still running; the new one was not started."""


class TimedOut(TutorError):
    """A job ran past its time limit and was stopped."""


class StorageError(TutorError):
    """The database failed; the learner gets a short apology, the log gets the cause."""

    def __init__(self, message: str = "Sorry — I couldn't reach my database just now. "
                                       "Please try again.") -> None:
        super().__init__(message)


class WorkerCrashed(TutorError):
    """The worker running a job died; it has been replaced."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean X?)`` for the closest candidate, or an empty string."""
    match = get_close_matches(word.lower(), list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def one_of(choices: Iterable[str]) -> str:
    """Render a list of choices for an error message: ``a, b or c``."""
    items = list(choices)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
