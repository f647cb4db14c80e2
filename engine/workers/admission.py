"""A fair line for demos: admission by expected wait, place-in-line texts, job durations.

Pure bookkeeping shared by the local line (engine.workers.line) and the Celery executor:
no processes, no Redis. The expected wait of a new job is the work ahead of it (the recent
median duration of each waiting job's command, plus half a median for each running one)
spread over the live workers; a job is admitted while that estimate is under the limit
(default 60 s), and refused with the estimate otherwise.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence

from engine.domain.text import shorten

WAIT_LIMIT = 60.0  # seconds a new job may expect to wait before it starts
SHOW_PLACE_AFTER = 2.0  # a job expected to wait longer sees its place in line
DEFAULT_SECONDS = 1.0  # a command's duration before any run of it was timed
SAMPLES = 30  # durations remembered per command
COMMAND_SHOWN = 60  # characters of a command quoted back to the learner


class Durations:
    """The recent durations of each command's jobs (seconds of work in a worker)."""

    def __init__(self, defaults: dict[str, float] | None = None, samples: int = SAMPLES):
        self._defaults = dict(defaults or {})
        self._recent: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=samples))

    def add(self, command: str, seconds: float) -> None:
        if seconds >= 0 and math.isfinite(seconds):
            self._recent[command].append(seconds)

    def median(self, command: str) -> float:
        recent = self._recent.get(command)
        if recent:
            return statistics.median(recent)
        return self._defaults.get(command, DEFAULT_SECONDS)


def expected_wait(ahead: Sequence[str], running: Iterable[str], workers: int,
                  durations: Durations) -> float:
    """Seconds until a job joining the line behind ``ahead`` (commands waiting, oldest
    first) starts, with ``running`` commands in ``workers`` live workers. No worker: inf."""
    if workers <= 0:
        return math.inf
    running = list(running)
    if len(ahead) + len(running) < workers:
        return 0.0  # a worker is free
    work = sum(durations.median(c) for c in ahead)
    work += sum(durations.median(c) / 2 for c in running)  # on average half done
    return work / workers


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ..."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def about(seconds: float) -> str:
    """A wait said the way people say it: about 4 s, about 2 min."""
    if not math.isfinite(seconds):
        return "for as long as no worker is running"
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


def place_text(position: int, seconds: float) -> str:
    """The live message while a job waits: ``3rd in line, about 4 s``."""
    if position <= 0:
        return "Starting your demo…"
    return f"{ordinal(position)} in line, {about(seconds)}"


def refusal_text(seconds: float, limit: float) -> str:
    """Why a job was not started, with the estimate."""
    if math.isinf(seconds):
        return ("No demo workers are running right now, so I could not start this demo. "
                "Try again in a minute; if it keeps happening, tell whoever runs tutorbot.")
    wait = f"about {math.ceil(seconds)} s" if seconds < 90 else about(seconds)
    return (f"The demo line is long right now: yours would wait {wait} "
            f"(I start demos only when the wait is under {limit:g} s). "
            "I did not start it; please try again in a minute.")


def already_running_text(running: str, new: str) -> str:
    """One heavy job per learner: say what is running and that the new one was not started."""
    running, new = shorten(running, COMMAND_SHOWN), shorten(new, COMMAND_SHOWN)
    if running == new:
        return (f"Your `{running}` is still running; I did not start it a second time. "
                "Its answer is on the way.")
    return (f"Your `{running}` is still running, so I did not start `{new}`. "
            "Send it again once that answer has arrived.")
