"""The quiz scheduler every running instance runs: daily posts, reveals, reminders, digests.

Each ``tick(now)`` works out what is due, and for each item *claims* it through the database
(a UNIQUE key, insert-if-absent) right before doing it: only the instance whose insert won
posts, so any number of instances, restarts and overlapping ticks post each thing once.
A claim whose instance died before finishing is taken over after ``claim_deadline``.

Platforms allow about one message per second per channel, so posts from one instance are
spaced by ``spacing`` seconds, and by at least ``channel_gap`` within one channel.

The adapter provides a ``Poster`` per platform: ``await post(channel, reply) -> message ref``.
A ``ChannelRef`` whose channel starts with ``@`` is a direct message to that user id.

Pictures (a reveal's answer chart, the digest's cohort chart) render in the worker pool (the
``Executor``); while learners' demos fill it, a render waits a little for room, then the post
fails and its claim is retried after the deadline like any other failed post.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time as clocks
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.domain.clock import utcnow, zone
from engine.domain.errors import Busy, StorageError, TimedOut, WorkerCrashed, cause
from engine.domain.records import ChannelRef, Claim, ReminderTarget, WorkspaceSettings
from engine.domain.replies import Reply, no_progress
from engine.jobs import resolve
from engine.learning import posts
from engine.learning.cohort import digest_window
from engine.learning.curriculum import Curriculum
from engine.learning.schedule import (
    CATCH_UP,
    QuizSchedule,
    due_occurrences,
    local_date,
    local_instant,
)
from engine.ports import Store
from engine.ports.executor import Executor
from engine.services.ask import questions_text
from engine.services.daily import workspace_report

log = logging.getLogger(__name__)

Poster = Callable[[ChannelRef, Reply], Awaitable[str | None]]
Clock = Callable[[], datetime]
DIGEST_HOUR = 9  # the weekly digest posts Monday 09:00 in the workspace's time zone
REMINDER_SKIP = timedelta(hours=12)  # a learner reminded this recently is not considered
KEEP_CLAIMS = timedelta(days=60)  # older claims are deleted (the unique key needs no more)
PRUNE_EVERY = 6 * 3600.0  # seconds between prunes, per instance
RENDER_TIMEOUT = 30.0  # seconds a chart may take in the worker pool
OUTAGE_BACKOFF_MAX = 300.0  # s at most between ticks while the database is unreachable
POOL_WAITS = (1.0, 2.0, 4.0)  # seconds to wait for room in a full pool before giving up


def instance_name() -> str:
    """``host:pid:random`` — who holds a claim, for logs and the database."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class SchedulerConfig:
    """How often to tick and how to pace posts (platform rate limits)."""

    tick_seconds: float = 30.0
    spacing: float = 0.25  # seconds between any two posts from this instance
    channel_gap: float = 1.1  # seconds between two posts to the same channel
    claim_deadline: timedelta = timedelta(minutes=5)  # unfinished claims older are retaken
    max_attempts: int = 3


@dataclass(frozen=True)
class Work:
    """One thing to post once: the claim key and how to do it."""

    kind: str
    subject: str
    local_date: date
    do: Callable[[Claim], Awaitable[None]]
    schedule_id: int | None = None
    learner_id: int | None = None
    prompt_id: int | None = None


@dataclass
class TickReport:
    """What one tick did (tests and logs)."""

    posted: list[tuple[str, str]] = field(default_factory=list)  # (kind, subject)
    failed: list[tuple[str, str]] = field(default_factory=list)
    recovered: int = 0


class QuizScheduler:
    """Posts daily quizzes and their reveals, review reminders and weekly digests, once."""

    def __init__(self, store: Store, curriculum: Callable[[], Awaitable[Curriculum]],
                 posters: Mapping[str, Poster], executor: Executor, *, clock: Clock = utcnow,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 monotonic: Callable[[], float] = clocks.monotonic,
                 config: SchedulerConfig | None = None, instance: str | None = None):
        self.store, self.curriculum, self.posters = store, curriculum, dict(posters)
        self.executor = executor
        self.clock, self.sleep, self.monotonic = clock, sleep, monotonic
        self.config = config or SchedulerConfig()
        self.instance = instance or instance_name()
        self._last_post = self._last_prune = float("-inf")
        self._last_in_channel: dict[ChannelRef, float] = {}

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self.posters)

    # --- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``tick_seconds`` until ``stop`` is set; a failed tick is logged. A
        database outage is logged once (with its cause) and once more when it ends; meanwhile
        the ticks back off, doubling up to ``OUTAGE_BACKOFF_MAX``."""
        wait, outage = self.config.tick_seconds, False
        while not stop.is_set():
            try:
                await self.tick()
                if outage:
                    log.warning("the quiz scheduler reaches the database again; resuming")
                wait, outage = self.config.tick_seconds, False
            except StorageError as err:
                if not outage:
                    log.warning("the quiz scheduler cannot reach the database (%s); retrying "
                                "with back-off up to every %g s", cause(err),
                                OUTAGE_BACKOFF_MAX)
                outage, wait = True, min(wait * 2, max(OUTAGE_BACKOFF_MAX,
                                                       self.config.tick_seconds))
            except Exception:  # one bad tick must not stop tomorrow's quizzes
                log.exception("quiz scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Claim and do everything due at ``now`` (default: the clock)."""
        now = now or self.clock()
        report = TickReport()
        recovered = await asyncio.to_thread(
            self.store.schedules.recover_claims, now=now, stale_before=now - self.config.claim_deadline,
            instance=self.instance, max_attempts=self.config.max_attempts)
        report.recovered = len(recovered)
        if self.monotonic() - self._last_prune >= PRUNE_EVERY:
            self._last_prune = self.monotonic()
            await asyncio.to_thread(self.store.schedules.prune_claims, now - KEEP_CLAIMS)
        for claim in recovered:
            await self._do(claim, await self._redo(claim), report)
        for work in await asyncio.to_thread(self._due_work, now):
            claim = await asyncio.to_thread(
                self.store.schedules.claim, work.kind, work.subject, work.local_date, now=self.clock(),
                instance=self.instance, schedule_id=work.schedule_id,
                learner_id=work.learner_id, prompt_id=work.prompt_id)
            if claim is not None:
                await self._do(claim, work.do, report)
        return report

    async def _do(self, claim: Claim, do: Callable[[Claim], Awaitable[None]] | None,
                  report: TickReport) -> None:
        key = (claim.kind, claim.subject)
        if do is None:  # nothing left to do (schedule removed, far too late): close it
            await asyncio.to_thread(self.store.schedules.finish_claim, claim.id, now=self.clock(),
                                    message_ref=None)
            return
        try:
            await do(claim)
        except Exception as err:  # the platform refused: log, retry after the deadline
            log.warning("posting %s %s failed: %r", *key, err)
            await asyncio.to_thread(self.store.schedules.fail_claim, claim.id, error=repr(err)[:500])
            report.failed.append(key)
            return
        report.posted.append(key)

    # --- what is due -----------------------------------------------------------------------

    def _due_work(self, now: datetime) -> list[Work]:
        """Everything due at ``now``, unclaimed or not (claims decide who does it)."""
        work: list[Work] = []
        for schedule in self.store.schedules.active_schedules(self.platforms):
            for occurrence in due_occurrences(schedule, now, schedule.since(now)):
                work.append(Work("quiz", _subject(schedule), occurrence.local_date,
                                 self._quiz_job(schedule), schedule_id=schedule.id))
        for quiz in self.store.schedules.reveals_due(now):
            work.append(Work("reveal", quiz.subject, quiz.local_date, self._reveal_job(),
                             schedule_id=quiz.schedule_id, prompt_id=quiz.prompt_id))
        work += self._reminder_work(now)
        work += self._digest_work(now)
        return work

    def _reminder_work(self, now: datetime) -> list[Work]:
        """Learners whose reminder time has come today; each is claimed (once a day) even
        when nothing is due, so later ticks skip them without counting cards again."""
        work = []
        for target in self.store.learners.reminder_targets(self.platforms,
                                                  unclaimed_since=now - REMINDER_SKIP):
            tz = zone(target.settings.timezone)
            today = local_date(now, tz)
            at = local_instant(today, target.settings.reminder_time, tz)
            if at <= now < at + CATCH_UP:
                work.append(Work("reminder", f"learner:{target.learner_id}", today,
                                 self._reminder_job(target), learner_id=target.learner_id))
        return work

    def _digest_work(self, now: datetime) -> list[Work]:
        work = []
        for settings in self.store.workspaces.digest_workspaces(self.platforms):
            tz = zone(settings.timezone)
            today = local_date(now, tz)
            monday = today - timedelta(days=today.weekday())
            at = local_instant(monday, time(DIGEST_HOUR), tz)
            if at <= now < at + CATCH_UP:
                work.append(Work("digest", f"{settings.platform}:{settings.workspace}", monday,
                                 self._digest_job(settings)))
        return work

    async def _redo(self, claim: Claim) -> Callable[[Claim], Awaitable[None]] | None:
        """How to finish a claim taken over from a dead instance (None: give it up)."""
        if claim.kind == "reveal":
            return self._reveal_job()
        if claim.kind != "quiz" or claim.schedule_id is None:
            return None  # reminders and digests are not worth repeating late
        schedule = await asyncio.to_thread(self.store.schedules.schedule_by_id, claim.schedule_id)
        if schedule is None or schedule.paused:
            return None
        due_at = local_instant(claim.local_date, schedule.at, schedule.tz)
        return self._quiz_job(schedule) if self.clock() - due_at <= CATCH_UP else None

    # --- doing it --------------------------------------------------------------------------

    def _quiz_job(self, schedule: QuizSchedule) -> Callable[[Claim], Awaitable[None]]:
        async def post_quiz(claim: Claim) -> None:
            curriculum = await self.curriculum()
            now = self.clock()
            recent = await asyncio.to_thread(self.store.quizzes.channel_question_ids, schedule.channel,
                                             since=now - posts.NO_REPEAT)
            question = posts.pick_channel_question(curriculum, schedule, claim.local_date,
                                                   recent)
            closes_at = now + timedelta(minutes=schedule.window_minutes)
            prompt_id = await asyncio.to_thread(self.store.quizzes.create_channel_prompt,
                                                schedule.channel, question.id, at=now,
                                                closes_at=closes_at)
            reply = posts.quiz_post(question, curriculum, prompt_id, closes_at, schedule)
            ref = await self._post(schedule.channel, reply)
            await asyncio.to_thread(self.store.schedules.finish_claim, claim.id, now=self.clock(),
                                    message_ref=ref, prompt_id=prompt_id, closes_at=closes_at)
        return post_quiz

    def _reveal_job(self) -> Callable[[Claim], Awaitable[None]]:
        async def post_reveal(claim: Claim) -> None:
            prompt = await asyncio.to_thread(self.store.quizzes.get_prompt, claim.prompt_id)
            curriculum = await self.curriculum()
            question = curriculum.question(prompt.question_id) if prompt else None
            if prompt is None or question is None or prompt.channel is None:
                raise LookupError(f"prompt {claim.prompt_id} or its question is gone")
            choices = await asyncio.to_thread(self.store.quizzes.prompt_choices, prompt.id)
            per_option = posts.answer_counts(question, choices)
            chart = await self._render("reveal", question, per_option)
            reply = posts.reveal_post(question, curriculum, per_option, chart)
            # the prompt's channel, not the schedule's: a schedule removed while the answers
            # were open still gets its reveal
            ref = await self._post(prompt.channel, reply)
            await asyncio.to_thread(self.store.schedules.finish_claim, claim.id, now=self.clock(),
                                    message_ref=ref)
        return post_reveal

    def _reminder_job(self, target: ReminderTarget) -> Callable[[Claim], Awaitable[None]]:
        async def post_reminder(claim: Claim) -> None:
            due = await asyncio.to_thread(self.store.reviews.count_due_cards, target.learner_id,
                                          self.clock())
            ref = None
            if due:
                dm = ChannelRef(target.platform, target.workspace, f"@{target.user_id}")
                ref = await self._post(dm, posts.reminder_post(due))
            await asyncio.to_thread(self.store.schedules.finish_claim, claim.id, now=self.clock(),
                                    message_ref=ref)
        return post_reminder

    def _digest_job(self, settings: WorkspaceSettings) -> Callable[[Claim], Awaitable[None]]:
        async def post_digest(claim: Claim) -> None:
            curriculum = await self.curriculum()
            start, end = digest_window(claim.local_date, zone(settings.timezone))
            report = await asyncio.to_thread(workspace_report, self.store, curriculum,
                                             settings, start, end)
            reply = await self._render("cohort", report)
            asked = await asyncio.to_thread(self.store.questions.question_stats,
                                            settings.platform, settings.workspace, start, end)
            reply = replace(reply, text=f"{reply.text}\n{questions_text(asked, curriculum)}")
            channel = ChannelRef(settings.platform, settings.workspace, settings.digest_channel)
            ref = await self._post(channel, reply)
            await asyncio.to_thread(self.store.schedules.finish_claim, claim.id, now=self.clock(),
                                    message_ref=ref)
        return post_digest

    async def _render(self, job: str, *args: Any) -> Any:
        """Run a picture job in the worker pool, waiting a little for room while it is full.
        If the pool stays full (a workshop's demos) or fails, draw it in a thread instead:
        a reveal or digest is never held up for long, nor lost, for its picture."""
        try:
            async with asyncio.timeout(RENDER_TIMEOUT):  # waiting for a worker counts too
                for wait in (*POOL_WAITS, None):
                    try:
                        return await self.executor.submit(
                            job, *args, key=f"scheduler:{self.instance}", timeout=RENDER_TIMEOUT)
                    except Busy:
                        if wait is None:
                            raise
                        await self.sleep(wait)
        except (Busy, TimedOut, WorkerCrashed, TimeoutError) as err:
            log.warning("the worker pool could not draw a scheduled post's picture (%s); "
                        "drawing it in a thread", err)
        return await asyncio.to_thread(resolve(job), *args, no_progress)

    async def _post(self, channel: ChannelRef, reply: Reply) -> str | None:
        """Post through the platform's Poster, spaced to respect per-channel rate limits."""
        wait = max(self._last_post + self.config.spacing,
                   self._last_in_channel.get(channel, float("-inf")) + self.config.channel_gap
                   ) - self.monotonic()
        if wait > 0:
            await self.sleep(wait)
        try:
            return await self.posters[channel.platform](channel, reply)
        finally:
            self._last_post = self._last_in_channel[channel] = self.monotonic()


def _subject(schedule: QuizSchedule) -> str:
    return f"schedule:{schedule.id}"
