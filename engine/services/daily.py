"""The daily-habit use cases: /quiz-schedule, /review, /settings, /leaderboard, /cohort.

The Tutor owns one ``Daily`` and delegates to it. Storage calls run in a thread, the cohort
picture in the worker pool. Every answer recorded anywhere (channel quiz, /quiz, /review)
reaches ``on_attempt``, which reviews the learner's FSRS card for that question.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, time, timedelta

from engine.commands import COMMANDS, Request
from engine.domain.clock import utcnow, zone
from engine.domain.errors import BadInput, BadOption, Busy, Refused, TimedOut, WorkerCrashed
from engine.domain.records import (
    Attempt,
    ChannelRef,
    LearnerRef,
    LearnerSettings,
    WorkspaceSettings,
)
from engine.domain.replies import Button, Reply, cmd
from engine.learning import review as fsrs_review
from engine.learning.cohort import CohortReport, cohort_report, cohort_text
from engine.learning.curriculum import Curriculum
from engine.learning.leaderboard import (
    ACTIVE_DAY,
    FIRST_TRY,
    RELEARNED,
    standings,
    week_bounds,
    weekly_scores,
)
from engine.learning.quizzes import answer_buttons, question_message
from engine.learning.schedule import QuizSchedule, local_date, local_instant, next_occurrence
from engine.learning.schema import Question
from engine.ports import Store
from engine.ports.executor import Executor
from engine.services.learning import find_concept

ANY_TOPIC = ("any", "all", "none")
REVIEW_SCAN = 10  # due cards looked at to find one whose question still exists
COHORT_TIMEOUT = 20.0  # seconds the cohort picture may take in the worker pool


SET_EXAMPLE = cmd("quiz-schedule", "set", "action", time="09:00", tz="Europe/Warsaw",
                  days="weekdays")


class Daily:
    """Schedules, spaced repetition, settings and the weekly views for one Tutor."""

    def __init__(self, store: Store, curriculum: Callable[[], Awaitable[Curriculum]],
                 executor: Executor, *, clock: Callable[[], datetime] = utcnow):
        self.store, self.curriculum, self.clock = store, curriculum, clock
        self.executor = executor

    async def _call(self, fn, *args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)

    # --- /quiz-schedule ---------------------------------------------------------------------

    async def quiz_schedule(self, learner: LearnerRef, channel: str | None,
                            request: Request) -> Reply:
        """Set, show, pause, resume or remove this channel's daily quiz (facilitators)."""
        text = COMMANDS["quiz-schedule"].text
        assert text is not None
        action = text.check("quiz-schedule", request.text or "show")  # one of its choices
        if not channel:
            raise BadInput("Use `/quiz-schedule` in the channel that should get the quiz.")
        ref = ChannelRef(learner.platform, learner.workspace, channel)
        existing = await self._call(self.store.schedules.get_schedule, ref)
        if action == "set":
            return await self._set_schedule(ref, existing, request)
        if existing is None:
            return Reply("This channel has no daily quiz. Set one: "
                         f"`{SET_EXAMPLE}`",
                         ephemeral=True, facts={"schedule": None})
        if action == "remove":
            await self._call(self.store.schedules.remove_schedule, ref)
            return Reply("Daily quiz removed from this channel.", ephemeral=True,
                         facts={"schedule": None})
        if action in ("pause", "resume"):
            changed = replace(existing, paused=action == "pause")
            existing = await self._call(self.store.schedules.save_schedule, changed, now=self.clock())
        return self._schedule_reply(existing, action)

    async def _set_schedule(self, ref: ChannelRef, existing: QuizSchedule | None,
                            request: Request) -> Reply:
        opts = request.options
        if existing is None and opts.get("time") is None:
            raise BadOption("A new daily quiz needs a `time` (24-hour HH:MM), e.g. "
                            f"`{SET_EXAMPLE}`.")
        workspace = await self._call(self.store.workspaces.workspace_settings, ref.platform,
                                     ref.workspace)
        base = existing or QuizSchedule(ref, opts["time"], workspace.timezone)
        topic = base.topic
        if opts.get("topic"):
            cur = await self.curriculum()
            topic = None if opts["topic"].lower() in ANY_TOPIC else find_concept(cur,
                                                                                 opts["topic"])
        schedule = replace(
            base, at=opts.get("time") or base.at, timezone=opts.get("tz") or base.timezone,
            days=opts.get("days") or base.days, topic=topic,
            window_minutes=opts.get("window") or base.window_minutes, paused=False)
        stored = await self._call(self.store.schedules.save_schedule, schedule, now=self.clock())
        if workspace.timezone == "UTC" and stored.timezone != "UTC":  # the first zone named
            await self._call(self.store.workspaces.save_workspace_settings,
                             replace(workspace, timezone=stored.timezone))
        return self._schedule_reply(stored, "set")

    def _schedule_reply(self, schedule: QuizSchedule, action: str) -> Reply:
        head = {"set": "Daily quiz set", "pause": "Daily quiz paused",
                "resume": "Daily quiz resumed", "show": "Daily quiz"}[action]
        lines = [f"**{head}** for this channel: {schedule.describe()}."]
        upcoming = next_occurrence(schedule, self.clock())
        if upcoming:
            local = upcoming.post_at.astimezone(schedule.tz)
            lines.append(f"Next quiz: {local:%a %d %b %H:%M} {schedule.timezone}.")
        else:
            lines.append(f"Resume it with `{cmd('quiz-schedule', 'resume', 'action')}`.")
        return Reply("\n".join(lines), ephemeral=True,
                     facts={"schedule": schedule.describe(), "paused": schedule.paused,
                            "next": upcoming.post_at.isoformat() if upcoming else None})

    # --- FSRS: every answer, and /review ----------------------------------------------------

    async def on_attempt(self, learner: LearnerRef, question: Question,
                         attempt: Attempt) -> None:
        """Every newly recorded answer reviews the learner's card: right -> Good, wrong ->
        Again (registered as a ``Learning`` attempt listener)."""
        learner_id = await self._call(self.store.learners.upsert_learner, learner)

        def change(card):
            start = card or fsrs_review.new_card(question.id, attempt.answered_at)
            return fsrs_review.review(start, attempt.correct, attempt.answered_at)

        await self._call(self.store.reviews.update_card, learner_id, question.id, change)

    async def due_count(self, learner: LearnerRef) -> int:
        """How many of the learner's cards are due now."""
        learner_id = await self._call(self.store.learners.upsert_learner, learner)
        return await self._call(self.store.reviews.count_due_cards, learner_id, self.clock())

    async def learner_settings(self, learner: LearnerRef) -> LearnerSettings:
        """The learner's settings (defaults until they change any)."""
        learner_id = await self._call(self.store.learners.upsert_learner, learner)
        return await self._call(self.store.learners.learner_settings, learner_id)

    async def review(self, learner: LearnerRef) -> Reply:
        """The most overdue question the learner is about to forget, with answer buttons."""
        now, cur = self.clock(), await self.curriculum()
        learner_id = await self._call(self.store.learners.upsert_learner, learner)
        cards = await self._call(self.store.reviews.due_cards, learner_id, now, REVIEW_SCAN)
        questions = [q for q in (cur.question(c.question_id) for c in cards) if q is not None]
        if not questions:
            return await self._nothing_due(learner_id)
        question = questions[0]
        total = await self._call(self.store.reviews.count_due_cards, learner_id, now)
        prompt = await self._call(self.store.quizzes.create_prompt, learner, question.id, at=now)
        text = f"🧠 **Review** · {total} due\n\n{question_message(question, cur)}"
        return Reply(text, buttons=answer_buttons(question, prompt.id), ephemeral=True,
                     facts={"prompt_id": prompt.id, "question_id": question.id, "due": total})

    async def _nothing_due(self, learner_id: int) -> Reply:
        upcoming = await self._call(self.store.reviews.next_due, learner_id)
        if upcoming is None:
            return Reply("Nothing to review yet: questions you answer (in `/quiz` or a "
                         "channel's daily quiz) come back here just before you'd forget them.",
                         buttons=(Button("run:/quiz", "Quiz me", "primary"),), ephemeral=True,
                         facts={"due": 0, "next_due": None})
        settings = await self._call(self.store.learners.learner_settings, learner_id)
        local = upcoming.astimezone(zone(settings.timezone))
        return Reply(f"All caught up. 🎉 Your next review is due {local:%a %d %b %H:%M} "
                     f"({settings.timezone}).", ephemeral=True,
                     facts={"due": 0, "next_due": upcoming.isoformat()})

    # --- /settings --------------------------------------------------------------------------

    async def settings(self, learner: LearnerRef, request: Request) -> Reply:
        """Show or change the learner's time zone, reminders and leaderboard visibility."""
        learner_id = await self._call(self.store.learners.upsert_learner, learner)
        current = await self._call(self.store.learners.learner_settings, learner_id)
        changes = {k: v for k, v in request.options.items() if v is not None}
        updated = replace(current, **changes)
        if changes:
            await self._call(self.store.learners.save_learner_settings, learner_id, updated)
        head = "Settings saved." if changes else "Your settings:"
        return Reply(f"{head}\n{describe_settings(updated)}", ephemeral=True,
                     facts={"changed": sorted(changes), "timezone": updated.timezone,
                            "reminders": updated.reminders,
                            "reminder_time": f"{updated.reminder_time:%H:%M}",
                            "leaderboard": updated.leaderboard})

    # --- /leaderboard -----------------------------------------------------------------------

    async def leaderboard(self, learner: LearnerRef) -> Reply:
        """This week's board for the learner's workspace; opted-out learners never appear."""
        if learner.workspace == "dm":
            raise Refused("The leaderboard belongs to a server: use `/leaderboard` there.")
        me = await self._call(self.store.learners.upsert_learner, learner)
        workspace = await self._call(self.store.workspaces.workspace_settings, learner.platform,
                                     learner.workspace)
        tz = zone(workspace.timezone)
        start, end = week_bounds(self.clock(), tz)
        attempts = await self._call(self.store.workspaces.workspace_attempts, learner.platform,
                                    learner.workspace, start, end)
        people = await self._call(self.store.workspaces.workspace_learners, learner.platform,
                                  learner.workspace)
        scores = weekly_scores(attempts, tz, start, end)
        hidden = {i for i, info in people.items() if not info.leaderboard}
        rows = standings(scores, {i: p.name for i, p in people.items()}, hidden)
        return Reply(leaderboard_text(rows, scores.get(me), me in hidden, start, workspace),
                     ephemeral=True,
                     facts={"week_start": start.isoformat(),
                            "board": [(r.rank, r.name, r.score.points) for r in rows]})

    # --- /cohort ----------------------------------------------------------------------------

    async def cohort(self, learner: LearnerRef, channel: str | None,
                     request: Request) -> Reply:
        """The group's picture and text (facilitators); optionally set the weekly digest."""
        workspace = await self._call(self.store.workspaces.workspace_settings, learner.platform,
                                     learner.workspace)
        changed = _workspace_changes(workspace, request, channel)
        if changed != workspace:
            await self._call(self.store.workspaces.save_workspace_settings, changed)
        tz = zone(changed.timezone)
        today = local_date(self.clock(), tz)
        start = local_instant(today - timedelta(days=request["days"] - 1), time(0, 0), tz)
        end = local_instant(today + timedelta(days=1), time(0, 0), tz)  # through today
        report = await self._call(workspace_report, self.store, await self.curriculum(),
                                  changed, start, end, request["days"])
        try:
            reply = await self.executor.submit("cohort", report, key=learner.key,
                                               timeout=COHORT_TIMEOUT)
        except (Busy, TimedOut, WorkerCrashed) as err:  # the settings are saved: say so
            reply = Reply(cohort_text(report) + "\n\n_No picture this time: "
                          f"{err.user_message} Ask `/cohort` again for it._")
        note = (f"\n\n_Weekly digest: posted Mondays 09:00 {changed.timezone} to "
                f"{'this channel' if changed.digest_channel == channel else 'its channel'}._"
                if changed.digest_channel else "\n\n_Weekly digest: off "
                f"(`{cmd('cohort', digest='here')}` posts it to this channel every Monday)._")
        return replace(reply, text=reply.text + note, ephemeral=True)


def _workspace_changes(workspace: WorkspaceSettings, request: Request,
                       channel: str | None) -> WorkspaceSettings:
    changed = workspace
    if request.options.get("timezone"):
        changed = replace(changed, timezone=request["timezone"])
    digest = request.options.get("digest")
    if digest == "here":
        if not channel:
            raise BadInput(f"Use `{cmd('cohort', digest='here')}` in the channel that should "
                           "get it.")
        changed = replace(changed, digest_channel=channel)
    elif digest == "off":
        changed = replace(changed, digest_channel=None)
    return changed


def workspace_report(store: Store, curriculum: Curriculum, workspace: WorkspaceSettings,
                     start: datetime, end: datetime, days: int = 7) -> CohortReport:
    """The workspace's cohort report for ``[start, end)`` (blocking: call it in a thread;
    ``engine.jobs.cohort`` pictures it in the worker pool)."""
    platform, name = workspace.platform, workspace.workspace
    attempts = store.workspaces.workspace_attempts(platform, name, start, end)
    prompts = store.workspaces.channel_prompts(platform, name, start, end)
    lapses = store.workspaces.workspace_lapses(platform, name)
    return cohort_report(attempts, prompts, lapses, curriculum, zone(workspace.timezone),
                         start, days)


def describe_settings(s: LearnerSettings) -> str:
    """The learner's settings as bullets, with how to change each."""
    reminders = f"on at {s.reminder_time:%H:%M}" if s.reminders else "off"
    zone_example = cmd("settings", timezone="Europe/Warsaw")
    reminder_example = cmd("settings", reminders="yes", reminder_time="08:30")
    board_example = cmd("settings", leaderboard="no" if s.leaderboard else "yes")
    return (f"- Time zone: **{s.timezone}** (`{zone_example}`)\n"
            f"- Daily review reminder: **{reminders}** (`{reminder_example}`)\n"
            f"- On the leaderboard: **{'yes' if s.leaderboard else 'no, hidden'}** "
            f"(`{board_example}`)")


def leaderboard_text(rows, mine, hidden: bool, start: datetime,
                     workspace: WorkspaceSettings) -> str:
    """The board as chat text, with the points rule and the asker's own line."""
    local = start.astimezone(zone(workspace.timezone))
    lines = [f"**Leaderboard · week of {local:%a %d %b}** (resets Monday 00:00 "
             f"{workspace.timezone})"]
    lines += [f"{r.rank}. {r.name} — **{r.score.points}** pts ({r.score.first_try} right "
              f"first time, {r.score.relearned} relearned, {r.score.active_days} days)"
              for r in rows] or ["_No points yet this week: answer a `/quiz` to start._"]
    if hidden:
        lines.append("_You are hidden from the board "
                     f"(`{cmd('settings', leaderboard='yes')}` to show)._")
    elif mine is not None:
        lines.append(f"You: **{mine.points}** pts this week.")
    lines.append(f"_Points: {FIRST_TRY} per question right first time, {RELEARNED} per "
                 f"question relearned, {ACTIVE_DAY} per day you practise. Speed never counts._")
    return "\n".join(lines)
