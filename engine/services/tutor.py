"""The use cases: one async method per command, each returning a platform-neutral Reply.

Adapters call ``handle`` (text), ``run`` (a Request built from typed options) or ``press``
(a button). ``handlers`` maps each command of the table to its use case, explicitly; a
command without a handler is refused when the Tutor is built, not when a learner types it.
CPU work goes to the Executor by job name; storage goes through the ports in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from engine.commands import COMMAND_NAMES, TOPICS, Request, actions, check_model_options
from engine.commands.parsing import TABLE, CommandTable
from engine.domain.clock import utcnow
from engine.domain.errors import (
    AlreadyRunning,
    Busy,
    FacilitatorsOnly,
    NotFound,
    StorageError,
    TimedOut,
    TutorError,
    WorkerCrashed,
    cause,
)
from engine.domain.records import LearnerRef
from engine.domain.replies import BUTTON_ID_MAX, Button, Invocation, Reply, cmd
from engine.ports import Store
from engine.ports.ask import Answerer, AskLimits, Retriever
from engine.ports.executor import Executor, ProgressCallback
from engine.services.ask import Ask, PoolRetriever, questions_text
from engine.services.buttons import store_long_ids
from engine.services.daily import Daily, describe_settings
from engine.services.learning import Learning

log = logging.getLogger(__name__)

NOT_SAVED = ("_Progress not saved: my database could not be reached just now, so this run "
             "is not in your record._")

Handler = Callable[[LearnerRef, Request, "Context"], Awaitable[Reply]]


@dataclass(frozen=True)
class Context:
    """Per-call extras: where progress goes, an idempotency key, whether the caller is a
    facilitator (the adapter decides: Slack admins/owners or an allow-list, Discord Manage
    Server, anyone in the console) and the channel the command came from."""

    on_progress: ProgressCallback | None = None
    request_key: str | None = None
    admin: bool = False
    channel: str | None = None  # where the command was typed (Slack/Discord channel id)


class Tutor:
    """tutorbot's use cases, independent of any chat platform."""

    def __init__(self, store: Store, executor: Executor, *, rng: random.Random | None = None,
                 clock: Callable[[], datetime] = utcnow, commands: CommandTable = TABLE,
                 extra_handlers: Mapping[str, Handler] | None = None,
                 retriever: Retriever | None = None, answerer: Answerer | None = None,
                 ask_cache: Path | None = None):
        self.store = store
        self.executor = executor
        self.rng = rng or random.SystemRandom()
        self.commands = commands
        self.handlers: dict[str, Handler] = {
            "help": self.help, "tokenize": self.tokenize, "attention": self.attention,
            "position": self.position, "embed": self.embed, "next-token": self.next_token,
            "train-demo": self.train_demo, "learn": self.learn, "quiz": self.quiz,
            "progress": self.progress, "ask": self.ask, "forget-me": self.forget_me,
            "quiz-schedule": self.quiz_schedule, "review": self.review,
            "settings": self.settings, "leaderboard": self.leaderboard, "cohort": self.cohort,
            **(extra_handlers or {}),
        }
        missing = sorted(set(commands) - set(self.handlers))
        if missing:
            raise ValueError(f"commands without a handler: {', '.join(missing)}")
        self.buttons: dict[str, Callable[..., Any]] = {actions.RUN: self._press_run,
                                                       actions.STORED: self._press_stored}
        self.learning = Learning(store, executor, self.rng, self._press_run, clock=clock)
        self.daily = Daily(store, self.learning.curriculum, executor, clock=clock)
        self.learning.attempt_listeners.append(self.daily.on_attempt)
        self.buttons.update({actions.QUIZ: self._answer,
                             actions.FORGET: self.learning.confirm_forget})
        self._running: dict[str, Invocation] = {}  # learner key -> the demo running for them
        self.retriever = retriever or PoolRetriever(executor, self.learning.curriculum,
                                                    cache_dir=ask_cache)
        self.asking = Ask(store, self.retriever, self.learning.quiz, self.learning.curriculum,
                          answerer=answerer, clock=clock)

    # --- entry points ----------------------------------------------------------------------

    async def prepare(self) -> None:
        """Get ready for the first questions before serving (``bot.app.build_tutor``)."""
        await self.retriever.prepare()

    async def handle(self, learner: LearnerRef, line: str, *,
                     on_progress: ProgressCallback | None = None,
                     request_key: str | None = None, admin: bool = False,
                     channel: str | None = None) -> Reply:
        """Parse a command line and run it. Bad input raises a TutorError with the reason."""
        return await self.run(learner, self.commands.parse(line), on_progress=on_progress,
                              request_key=request_key, admin=admin, channel=channel)

    async def run(self, learner: LearnerRef, request: Request, *,
                  on_progress: ProgressCallback | None = None,
                  request_key: str | None = None, admin: bool = False,
                  channel: str | None = None) -> Reply:
        """Run a validated request."""
        command = self.commands.find(request.command)
        if command.admin and not admin:
            raise FacilitatorsOnly(f"`/{command.name}` is for facilitators only.")
        if "seed" in request.options and request.options["seed"] is None:
            request = request.with_options(seed=self.rng.randrange(1, 10_000))
        reply = await self.handlers[command.name](
            learner, request, Context(on_progress, request_key, admin, channel))
        return await self._shorten_buttons(reply, learner)

    async def press(self, learner: LearnerRef, button_id: str, *,
                    on_progress: ProgressCallback | None = None,
                    request_key: str | None = None, admin: bool = False,
                    channel: str | None = None) -> Reply:
        """Carry out a button's action (``verb:argument``)."""
        verb, _, argument = button_id.partition(":")
        action = self.buttons.get(verb)
        if action is None:
            raise NotFound("That button no longer does anything here. Type `/help` to start.")
        ctx = Context(on_progress, request_key, admin, channel)
        return await self._shorten_buttons(await action(learner, argument, ctx), learner)

    async def suggestions(self, source: str) -> tuple[str, ...]:
        """The values a named suggestion source offers (``TextArg.source``,
        ``WordOption.source``): adapters with autocomplete show them as the learner types."""
        if source == TOPICS:
            return (await self.learning.curriculum()).concepts
        if source == COMMAND_NAMES:
            return tuple(self.commands)
        raise ValueError(f"unknown suggestion source {source!r}")

    async def overview(self, learner: LearnerRef) -> Reply:
        """The learner at a glance, for a home screen (Slack's App Home): the progress picture
        and summary with the next step, the reviews due, and settings as buttons."""
        try:
            progress = await self.learning.progress(learner)
        except (Busy, TimedOut, WorkerCrashed):  # a demo of theirs is running: no picture now
            progress = None
        due = await self.daily.due_count(learner)
        settings = await self.daily.learner_settings(learner)
        lines = [progress.text if progress else "**Your progress** (picture on its way)"]
        lines += ["", f"**Reviews due:** {due}" if due else "**Reviews due:** none — all caught up",
                  "", "**Settings**", describe_settings(settings)]
        buttons = [Button("run:/learn", "Next lesson", "primary"),
                   *([Button("run:/review", f"Review ({due} due)")] if due else []),
                   Button("run:/quiz", "Quiz me"),
                   Button(f"run:/settings reminders={'no' if settings.reminders else 'yes'}",
                          "Turn reminders off" if settings.reminders else "Turn reminders on"),
                   Button(f"run:/settings leaderboard={'no' if settings.leaderboard else 'yes'}",
                          "Hide me from the leaderboard" if settings.leaderboard
                          else "Show me on the leaderboard")]
        return Reply(text="\n".join(lines), images=progress.images if progress else (),
                     buttons=tuple(buttons), ephemeral=True,
                     facts={"due": due, **(dict(progress.facts) if progress else {})})

    # --- use cases --------------------------------------------------------------------------

    async def help(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """List the commands, or explain one."""
        if request.text:
            return Reply(text=command_help(request.text, self.commands), ephemeral=True)
        lines = ["**tutorbot** teaches how neural networks, transformers and LLMs work, "
                 "with real demos. Commands:"]
        commands = list(self.commands.values())
        lines += [f"- `/{c.name}` — {c.help}" for c in commands if not c.admin]
        if ctx.admin:  # facilitators also see their own commands
            lines.append("For facilitators:")
            lines += [f"- `/{c.name}` — {c.help}" for c in commands if c.admin]
        lines.append(f"Type `{cmd('help', 'COMMAND', 'command')}` for its options, e.g. "
                     f"`{cmd('help', 'tokenize', 'command')}`.")
        return Reply(text="\n".join(lines), ephemeral=True)

    async def tokenize(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """How several tokenizers split the same text."""
        return await self._demo(learner, request, "tokenize", ctx)

    async def learn(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """The next lesson on the learner's path, or the one on a topic."""
        return await self.learning.learn(learner, request.text)

    async def quiz(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """One question with answer buttons (answers go to ``learning.answer``)."""
        return await self.learning.quiz(learner, request.text)

    async def progress(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """The learner's record as a picture."""
        return await self.learning.progress(learner)

    async def ask(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """A question answered from the course, with sources, a demo and a check question."""
        return await self.asking.ask(learner, request.text, ctx.on_progress)

    async def forget_me(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Offer to delete everything about the learner (a confirmation button)."""
        return await self.learning.forget_me(learner)

    async def train_demo(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Train a Playground network (model=mlp) or a tiny GPT live (model=transformer)."""
        check_model_options(request)
        job = "train_transformer" if request["model"] == "transformer" else "train_demo"
        return await self._demo(learner, request, job, ctx)

    async def quiz_schedule(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Set, show, pause, resume or remove this channel's daily quiz (facilitators)."""
        return await self.daily.quiz_schedule(learner, ctx.channel, request)

    async def review(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """The next question the learner is about to forget (FSRS)."""
        return await self.daily.review(learner)

    async def settings(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Show or change time zone, reminders, leaderboard visibility and whether
        facilitators may read the learner's /ask questions."""
        share = request.options.get("share_questions")
        reply = await self.daily.settings(learner, request.with_options(share_questions=None))
        learner_id = await asyncio.to_thread(self.store.learners.upsert_learner, learner)
        if share is not None:
            await asyncio.to_thread(self.store.questions.set_shares_questions, learner_id, share)
        else:
            share = await asyncio.to_thread(self.store.questions.shares_questions, learner_id)
        text = reply.text
        if request.options.get("share_questions") is not None and not reply.facts["changed"]:
            text = text.replace("Your settings:", "Settings saved.", 1)
        text += (f"\n- Facilitators may read your `/ask` questions: "
                 f"**{'yes' if share else 'no'}** (`share_questions={'off' if share else 'on'}`)")
        changed = list(reply.facts.get("changed", ()))
        if request.options.get("share_questions") is not None:
            changed = sorted({*changed, "share_questions"})
        return replace(reply, text=text,
                       facts={**reply.facts, "changed": changed, "share_questions": share})

    async def leaderboard(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """This week's leaderboard for the learner's workspace."""
        return await self.daily.leaderboard(learner)

    async def cohort(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """How the group is doing, as a picture and text (facilitators); also sets the /ask
        budgets."""
        answers, tokens = request.options.get("ask_answers"), request.options.get("ask_tokens")
        limits = await asyncio.to_thread(self.store.questions.ask_limits, learner.platform,
                                         learner.workspace)
        if answers is not None or tokens is not None:
            limits = AskLimits(
                limits.questions_per_learner if answers is None else answers,
                limits.tokens_per_workspace if tokens is None else tokens)
            await asyncio.to_thread(self.store.questions.save_ask_limits, learner.platform,
                                    learner.workspace, limits)
        reply = await self.daily.cohort(learner, ctx.channel,
                                        request.with_options(ask_answers=None, ask_tokens=None))
        end = self.learning.clock()
        stats = await asyncio.to_thread(self.store.questions.question_stats, learner.platform,
                                        learner.workspace, end - timedelta(days=request["days"]),
                                        end)
        cur = await self.learning.curriculum()
        text = (f"{reply.text}\n\n{questions_text(stats, cur)}\n"
                f"_/ask budgets (with an LLM): {limits.questions_per_learner} AI answers per "
                f"learner a day, {limits.tokens_per_workspace:,} tokens a day for the "
                "workspace (`ask_answers=` `ask_tokens=`)._")
        return replace(reply, text=text, facts={**reply.facts, "asked": stats.asked,
                                                 "unanswered": stats.unanswered,
                                                 "ask_limits": limits})

    async def _answer(self, learner: LearnerRef, argument: str, ctx: Context) -> Reply:
        """Record a quiz answer (its FSRS card is reviewed by ``daily.on_attempt``) and offer
        the next review when more are due."""
        reply = await self.learning.answer(learner, argument, ctx)
        due = await self.daily.due_count(learner) if reply.facts.get("recorded") else 0
        if not due:
            return reply
        more = Button("run:/review", f"Review ({due} due)")
        return replace(reply, buttons=(*reply.buttons, more)[:5])
    async def attention(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """A real transformer's attention weights and the patterns in them."""
        return await self._demo(learner, request, "attention", ctx)

    async def position(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Positional encodings: sinusoidal, learned and rotary."""
        return await self._demo(learner, request, "position", ctx)

    async def embed(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """Sentence embeddings compared."""
        return await self._demo(learner, request, "embed", ctx)

    async def next_token(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        """A tiny GPT's next-character probabilities at several temperatures."""
        return await self._demo(learner, request, "next_token", ctx)

    # --- shared machinery -------------------------------------------------------------------

    async def _demo(self, learner: LearnerRef, request: Request, job: str,
                    ctx: Context) -> Reply:
        """Run a CPU job (by name) in the executor, then record the run exactly once."""
        command = self.commands.find(request.command)
        first = learner.key not in self._running
        if first:
            self._running[learner.key] = request.invocation(command)
        try:
            reply = await self.executor.submit(job, request, key=learner.key,
                                               timeout=command.timeout,
                                               on_progress=ctx.on_progress)
        except AlreadyRunning as err:
            running = self._running.get(learner.key)
            if first or running is None:
                raise
            raise AlreadyRunning(already_running(running, request.invocation(command))
                                 ) from err
        finally:
            if first:
                self._running.pop(learner.key, None)
        try:
            await asyncio.to_thread(
                self.store.learners.record_run, learner, command=request.command,
                options=dict(request.options), seed=request.options.get("seed"),
                canonical=request.canonical(command), request_key=ctx.request_key)
        except StorageError as err:  # the answer is finished: deliver it all the same
            log.warning("a finished /%s for %s was not recorded: %s", request.command,
                        learner.key, cause(err))
            return replace(reply, text=f"{reply.text}\n\n{NOT_SAVED}",
                           facts={**reply.facts, "saved": False})
        return reply

    async def _press_run(self, learner: LearnerRef, line: str, ctx: Context) -> Reply:
        return await self.handle(learner, line, on_progress=ctx.on_progress,
                                 request_key=ctx.request_key, admin=ctx.admin,
                                 channel=ctx.channel)

    async def _press_stored(self, learner: LearnerRef, key: str, ctx: Context) -> Reply:
        action = await asyncio.to_thread(self.store.actions.load_action, key)
        if action is None:
            raise NotFound("That button has expired. Type the command again instead.")
        return await self.press(learner, action, on_progress=ctx.on_progress,
                                request_key=ctx.request_key, admin=ctx.admin,
                                 channel=ctx.channel)

    async def _shorten_buttons(self, reply: Reply, learner: LearnerRef) -> Reply:
        """Store button actions too long for a platform id and use their short key instead
        (linked to the learner: they may hold the learner's words, which /forget-me deletes).
        With the database down, those buttons are left out: the answer still goes out."""
        try:
            return await store_long_ids(reply, partial(self.store.actions.save_action,
                                                       learner=learner))
        except StorageError as err:
            log.warning("left out %d button(s) too long to send without the database: %s",
                        sum(len(b.id) > BUTTON_ID_MAX for b in reply.buttons), cause(err))
            return replace(reply, buttons=tuple(b for b in reply.buttons
                                                if len(b.id) <= BUTTON_ID_MAX))


def command_help(name: str, commands: CommandTable = TABLE) -> str:
    """Detailed help for one command, generated from the command table."""
    try:
        command = commands.find(name)
    except TutorError as err:
        return err.user_message
    lines = [f"**/{command.name}** — {command.help}",
             f"Usage: `{command.usage_invocation().mark()}`"]
    if command.text:
        lines.append(f"- `{command.text.name.upper()}`: {command.text.help} "
                     f"(up to {command.text.max_len:,} characters)")
    for opt in command.options:
        default = "" if opt.default in (None, ()) else f"; default {opt.format(opt.default)}"
        lines.append(f"- `{opt.name}`: {opt.help} — {opt.allowed()}{default}")
    if command.examples:
        shown = (commands.parse(e).invocation(command) for e in command.examples)
        lines.append("Examples: " + ", ".join(f"`{_example(i)}`" for i in shown))
    if command.admin:
        lines.append("_Facilitators only._")
    return "\n".join(lines)



def _example(invocation: Invocation) -> str:
    """An example as a marker, its seed left out (examples give no seed)."""
    options = tuple(o for o in invocation.options if o[0] != "seed")
    return Invocation(invocation.command, options, invocation.text, invocation.text_name).mark()


SHOWN_TEXT_MAX = 60  # characters of a command's free text quoted in a message


def already_running(running: Invocation, refused: Invocation) -> str:
    """Says what is still running and that the new command was not started (the executor's
    per-learner refusal, with the commands written in each platform's syntax)."""
    shown = running.clipped(SHOWN_TEXT_MAX).mark()
    if running == refused:
        return (f"Your `{shown}` is still running; I did not start it a second time. "
                "Its answer is on the way.")
    return (f"Your `{shown}` is still running, so I did not start "
            f"`{refused.clipped(SHOWN_TEXT_MAX).mark()}`. Send it again once that answer has "
            "arrived.")
