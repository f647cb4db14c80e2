"""The console adapter: the same slash commands in a terminal; pictures saved to a folder."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import hashlib
import logging
import re
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.console.completion import Known, candidates, sources
from bot.errors import user_message
from bot.syntax import present
from engine.commands import LINE
from engine.domain.errors import TutorError
from engine.domain.records import ChannelRef, LearnerRef
from engine.domain.replies import Progress, Reply
from engine.services.tutor import Tutor

log = logging.getLogger(__name__)

BOLD = re.compile(r"\*\*(.+?)\*\*")
# `_italic_` as the engine writes it: underscores at word edges, never inside a word
# (`train_share`), never inside `code`
ITALIC = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
CODE = re.compile(r"`[^`\n]*`")
PROMPT = "tutorbot> "
EXIT_WORDS = {"/quit", "/exit", "quit", "exit"}
CHANNEL = "general"


def console_learner() -> LearnerRef:
    user = getpass.getuser() or "you"
    return LearnerRef("console", "local", user, display_name=user)


def render_text(text: str) -> str:
    """Markdown subset to plain terminal text: **bold** and _italic_ lose their markers;
    `code` keeps its backticks and its underscores."""
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    plain = ITALIC.sub(r"\1", BOLD.sub(r"\1", CODE.sub(hide, text)))
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], plain)


def picture_owner(learner: LearnerRef) -> str:
    """The prefix of a learner's picture files: a short hash of who they are."""
    return "u" + hashlib.sha256(learner.key.encode()).hexdigest()[:10]


def forget_pictures(image_dir: Path, owner: str) -> int:
    """Delete the pictures saved for ``owner``; how many there were."""
    removed = 0
    for path in image_dir.glob(f"{owner}-*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


class ConsoleAdapter:
    """Runs commands against a Tutor and prints answers; images go to ``image_dir``."""

    def __init__(self, tutor: Tutor, image_dir: Path, out: TextIO = sys.stdout,
                 learner: LearnerRef | None = None, channel: str = CHANNEL) -> None:
        self.tutor = tutor
        self.image_dir = image_dir
        self.out = out
        self.learner = learner or console_learner()
        self.channel = channel  # the console is one channel; daily quizzes post here
        self.last_buttons: list[str] = []
        self.posted = 0

    async def answer(self, line: str) -> bool:
        """Answer one line; a digit presses that button of the last reply. True on success."""
        try:
            if line.strip().isdigit() and self.last_buttons:
                reply = await self._press(int(line.strip()))
            else:
                if not line.strip().startswith("/"):  # plain words are a question
                    line = f"/ask {line.strip()}"
                reply = await self.tutor.handle(self.learner, line, on_progress=self._progress,
                                                admin=True,  # anyone is admin locally
                                                channel=self.channel)
        except Exception as err:  # a bug gets an apology, never a traceback
            self._print(render_text(present(user_message(err, repr(line[:200]), log))))
            return False
        self.show(reply)
        return True

    async def _press(self, number: int) -> Reply:
        if not 1 <= number <= len(self.last_buttons):
            raise TutorError(f"Press a button from 1 to {len(self.last_buttons)}.")
        return await self.tutor.press(self.learner, self.last_buttons[number - 1],
                                      on_progress=self._progress, admin=True,
                                      channel=self.channel)

    async def _progress(self, report: Progress) -> None:
        share = f" {report.fraction:.0%}" if report.fraction is not None else ""
        self._print(f"… {report.text}{share}")

    def show(self, reply: Reply, owner: str | None = None) -> None:
        """Print the text, save the images (named for whose they are) and list the buttons.
        A confirmed /forget-me (``facts["deleted"]``) deletes the learner's pictures too."""
        owner = owner or picture_owner(self.learner)
        if "deleted" in reply.facts:
            removed = forget_pictures(self.image_dir, owner)
            if removed:
                reply = replace(reply, text=f"{reply.text} I also deleted the {removed} "
                                            "picture(s) I had saved for you.")
        self._print(render_text(present(reply.text)))
        if reply.images:
            self.image_dir.mkdir(parents=True, exist_ok=True)
        for image in reply.images:
            path = self.image_dir / f"{owner}-{uuid.uuid4().hex[:8]}-{image.name}"
            path.write_bytes(image.data)
            self._print(f"[image] {path}")
        if reply.command:
            self._print(f"(reproduce: {LINE.invocation(reply.command)})")
        actions = [b for b in reply.buttons if b.url is None]
        self.last_buttons = [b.id for b in actions]
        if actions:
            labels = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(actions, 1))
            self._print(f"Buttons: {labels}  — type the number to press one")
        for link in (b for b in reply.buttons if b.url is not None):
            self._print(f"{link.label}: {link.url}")

    async def post(self, channel: ChannelRef, reply: Reply) -> str:
        """The scheduler's Poster: print a daily quiz, reveal, reminder or digest here."""
        where = "a direct message" if channel.channel.startswith("@") else f"#{channel.channel}"
        self._print(f"\n── posted to {where} " + "─" * 30)
        self.show(reply, owner="channel")
        self.posted += 1
        return f"console-{self.posted}"

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def repl(self, history: Path | None = None) -> None:
        """An interactive loop with line editing, tab completion and history (readline)
        until /quit or EOF."""
        known = {source: await self.tutor.suggestions(source) for source in sources()}
        _enable_editing(history, known)
        self._print("tutorbot — ask a question in plain words, type /help to see the commands, "
                    "/quit to leave.")
        while True:
            try:
                line = await asyncio.to_thread(input, PROMPT)
            except (EOFError, KeyboardInterrupt):
                self._print("")
                return
            if line.strip().lower() in EXIT_WORDS:
                return
            if line.strip():
                await self.answer(line)


def _enable_editing(path: Path | None, known: Known) -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - readline is missing on some platforms
        return

    def complete(_: str, state: int) -> str | None:
        matches = candidates(readline.get_line_buffer()[:readline.get_endidx()], known)
        return matches[state] if state < len(matches) else None

    readline.set_completer_delims(" ")  # `tz=Europe/Warsaw` is one word
    readline.set_completer(complete)
    libedit = "libedit" in (readline.__doc__ or "")  # macOS
    readline.parse_and_bind("bind ^I rl_complete" if libedit else "tab: complete")
    if not libedit:
        readline.parse_and_bind("set completion-ignore-case on")  # `europe/war` too
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    import atexit

    readline.set_history_length(1000)
    atexit.register(readline.write_history_file, path)
