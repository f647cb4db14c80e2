"""Who is at the other end of the browser: a session (an unguessable cookie) with its learner,
its transcript and its live listeners; pictures kept for one learner only; a per-learner
rate limit. All of it lives in memory: the web chat is a try-it-now tool, the database keeps
what matters (runs, answers, progress)."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.domain.errors import BadInput
from engine.domain.records import LearnerRef
from engine.domain.replies import Image

PLATFORM = "web"
LOCAL = "local"  # the workspace of the one local learner
WORKSHOP = "workshop"  # the workspace of everyone who signs in with the token
NAME_MAX = 40
NAME_RE = re.compile(rf"[\w .'’-]{{1,{NAME_MAX}}}")
LISTENER_QUEUE = 256  # events a slow page may fall behind before it must reconnect
LISTENERS_MAX = 8  # open pages (tabs) per browser session


def local_learner() -> LearnerRef:
    """The person at the keyboard (the console's learner, on the web platform)."""
    user = getpass.getuser() or "you"
    return LearnerRef(PLATFORM, LOCAL, user, display_name=user)


def named_learner(name: str) -> LearnerRef:
    """A workshop participant: the same name signs in as the same learner."""
    clean = " ".join(name.split())
    if not NAME_RE.fullmatch(clean):
        raise BadInput(f"Your name must be 1-{NAME_MAX} letters, digits, spaces, dots, dashes "
                       "or apostrophes.")
    return LearnerRef(PLATFORM, WORKSHOP, clean.casefold().replace(" ", "-"), display_name=clean)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison, so the time taken says nothing about the token."""
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass
class Entry:
    """One item of the transcript: what the learner sent, or what tutorbot answered or
    posted. ``actions`` are the engine's button ids: the page only sees labels and presses a
    button by its entry and position, so it can only press buttons it was shown."""

    id: int
    who: str  # "you" | "tutor" | "post"
    text: str = ""
    state: str = "done"  # "working" | "done" | "failed"
    images: list[dict[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    command: str | None = None
    progress: dict[str, Any] | None = None
    pressed: int | None = None

    def public(self) -> dict[str, Any]:
        """What the page gets (JSON); learner strings are data, rendered as text there."""
        return {"id": self.id, "who": self.who, "text": self.text, "state": self.state,
                "images": self.images, "buttons": self.buttons, "command": self.command,
                "progress": self.progress, "pressed": self.pressed}


class Session:
    """One browser session: its learner (None until signed in), a CSRF token, the transcript
    and the pages listening for changes."""

    def __init__(self, sid: str, learner: LearnerRef | None, admin: bool, history: int) -> None:
        self.id = sid
        self.csrf = secrets.token_urlsafe(32)
        self.learner = learner
        self.admin = admin
        self.history = history
        self.entries: OrderedDict[int, Entry] = OrderedDict()
        self.listeners: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.requests: OrderedDict[str, int] = OrderedDict()  # the page's request id -> entry
        self._next = 0

    def add(self, who: str, **fields: Any) -> Entry:
        """A new transcript entry (the oldest go beyond ``history``), shown to every page."""
        self._next += 1
        entry = Entry(self._next, who, **fields)
        self.entries[entry.id] = entry
        while len(self.entries) > self.history:
            self.entries.popitem(last=False)
        self.publish(entry)
        return entry

    def publish(self, entry: Entry) -> None:
        """Send the entry as it is now to every listening page. A page too far behind is
        disconnected; it reconnects and gets the whole transcript again."""
        event = entry.public()
        for queue in list(self.listeners):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                _end(queue)  # the stream ends; the page reconnects
                self.listeners.discard(queue)

    def close_listeners(self) -> None:
        """End every open stream (shutdown, sign-out)."""
        for queue in list(self.listeners):
            _end(queue)

    def listen(self) -> asyncio.Queue[dict[str, Any] | None]:
        if len(self.listeners) >= LISTENERS_MAX:
            raise BadInput(f"This browser has {LISTENERS_MAX} tutorbot tabs open; close one.")
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(LISTENER_QUEUE)
        self.listeners.add(queue)
        return queue

    def remember(self, request_id: str, entry_id: int) -> int | None:
        """The entry already answering ``request_id`` (a double click, a retried post), or
        None after remembering this one."""
        known = self.requests.get(request_id)
        if known is not None:
            return known
        self.requests[request_id] = entry_id
        while len(self.requests) > self.history:
            self.requests.popitem(last=False)
        return None

    def transcript(self) -> list[dict[str, Any]]:
        return [entry.public() for entry in self.entries.values()]


def _end(queue: asyncio.Queue[dict[str, Any] | None]) -> None:
    """Tell the stream reading ``queue`` to end, dropping its oldest event if it is full."""
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(None)


class Sessions:
    """The open browser sessions, least recently used first; beyond ``limit`` the oldest
    session without an open page is forgotten."""

    def __init__(self, limit: int, history: int) -> None:
        self.limit = limit
        self.history = history
        self._all: OrderedDict[str, Session] = OrderedDict()

    def new(self, learner: LearnerRef | None, admin: bool) -> Session:
        session = Session(secrets.token_urlsafe(32), learner, admin, self.history)
        self._all[session.id] = session
        for sid in [sid for sid, s in self._all.items() if not s.listeners]:
            if len(self._all) <= self.limit:
                break
            if sid != session.id:
                del self._all[sid]
        return session

    def get(self, sid: str | None) -> Session | None:
        session = self._all.get(sid) if sid else None
        if session is not None:
            self._all.move_to_end(sid)
        return session

    def drop(self, session: Session) -> None:
        self._all.pop(session.id, None)
        session.close_listeners()

    def __iter__(self) -> Iterator[Session]:
        return iter(list(self._all.values()))


class Pictures:
    """Rendered pictures behind unguessable ids, each readable by its learner only; the
    oldest are forgotten beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._bytes = 0
        self._all: OrderedDict[str, tuple[str, Image]] = OrderedDict()

    def add(self, owner: LearnerRef, image: Image) -> str:
        token = secrets.token_urlsafe(24)
        self._all[token] = (owner.key, image)
        self._bytes += len(image.data)
        while self._bytes > self.max_bytes and len(self._all) > 1:
            _, (_, old) = self._all.popitem(last=False)
            self._bytes -= len(old.data)
        return token

    def get(self, owner: LearnerRef, token: str) -> Image | None:
        found = self._all.get(token)
        if found is None or not same_secret(found[0], owner.key):
            return None
        return found[1]

    def drop(self, token: str) -> None:
        found = self._all.pop(token, None)
        if found is not None:
            self._bytes -= len(found[1].data)


class RateLimit:
    """A token bucket per learner: ``burst`` requests at once, then ``per_minute``."""

    def __init__(self, per_minute: int, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def take(self, key: str) -> float:
        """0 when the request may go ahead (and is counted), else the seconds to wait."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 10_000:  # forget full buckets: they are the default
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst - 1}
        return 0.0
