"""The curriculum use cases behind /learn, /quiz (and its answer buttons), /progress and
/forget-me. The Tutor owns one ``Learning`` and delegates to it.

Storage calls run in a thread; the progress picture renders in the worker pool.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.domain.clock import utcnow
from engine.domain.errors import Forbidden, NotFound, Refused, TutorError
from engine.domain.records import Attempt, LearnerRef, QuizPrompt
from engine.domain.replies import Button, Reply
from engine.learning.curriculum import (
    ContentError,
    Curriculum,
    curriculum_from_records,
    default_curriculum,
)
from engine.learning.lessons import lesson_message
from engine.learning.progress import attempt_xp, next_lesson, summarize
from engine.learning.quizzes import (
    answer_buttons,
    choose_concept,
    pick_question,
    question_message,
    verdict_message,
)
from engine.learning.schema import Lesson, Question
from engine.ports import Store
from engine.ports.executor import Executor

log = logging.getLogger(__name__)

RunLine = Callable[[LearnerRef, str, Any], Awaitable[Reply]]
AttemptListener = Callable[[LearnerRef, Question, Attempt], Awaitable[None]]
ANSWER_RE = re.compile(r"^(\d{1,12}):(\d)$")
PROGRESS_TIMEOUT = 20.0
CONTENT_REFRESH = 10.0  # seconds between checks for newly loaded facilitator content


def forget_token(learner: LearnerRef) -> str:
    """The /forget-me confirmation token: only the learner who asked can press it."""
    return hashlib.sha256(f"forget|{learner.key}".encode()).hexdigest()[:16]


class Learning:
    """Lessons, quizzes, progress and deletion for one Tutor."""

    def __init__(self, store: Store, executor: Executor, rng: random.Random, run_line: RunLine,
                 *, clock: Callable[[], datetime] = utcnow, base: Curriculum | None = None):
        self.store, self.executor, self.rng = store, executor, rng
        self.run_line, self.clock = run_line, clock
        self.base = base or default_curriculum()
        self._loaded: tuple[tuple[Any, ...], Curriculum] = ((), self.base)
        self._checked = -CONTENT_REFRESH  # monotonic time of the last content check
        # called once per newly recorded answer (e.g. spaced repetition updates a card)
        self.attempt_listeners: list[AttemptListener] = []

    async def curriculum(self) -> Curriculum:
        """The built-in curriculum plus facilitator content from the database (re-read at
        most every ``CONTENT_REFRESH`` seconds)."""
        if time.monotonic() - self._checked < CONTENT_REFRESH:
            return self._loaded[1]
        self._checked = time.monotonic()
        records = await asyncio.to_thread(self.store.library.content)
        key = tuple((r.kind, r.item_id, json.dumps(r.data, sort_keys=True)) for r in records)
        if key != self._loaded[0]:
            try:
                self._loaded = (key, curriculum_from_records(records, base=self.base))
            except ContentError as err:  # stored content no longer valid: keep serving
                log.error("ignoring stored content that no longer validates:\n%s", err)
                self._loaded = (key, self.base)
        return self._loaded[1]

    # --- /learn -----------------------------------------------------------------------------

    async def learn(self, learner: LearnerRef, topic: str) -> Reply:
        """The next lesson on the learner's path, or the one a topic names."""
        cur = await self.curriculum()
        record = await asyncio.to_thread(self.store.learners.learner_record, learner)
        lesson = find_lesson(cur, topic) if topic else next_lesson(record, cur)
        if lesson is None:
            return Reply(f"You have read all {len(cur.lessons)} lessons. 🎉 Keep them fresh "
                         "with `/quiz`, or see your record with `/progress`.",
                         buttons=(Button("run:/quiz", "Quiz me", "primary"),
                                  Button("run:/progress", "My progress")))
        await asyncio.to_thread(self.store.learners.mark_lesson_done, learner, lesson.id,
                                at=self.clock())
        read = set(record.lessons_done) | {lesson.id}
        buttons = [Button(f"run:{lesson.demo}", "Try it", "primary"),
                   Button(f"run:/quiz {lesson.concept}", "Quiz me")]
        if any(le.id not in read for le in cur.lessons):
            buttons.append(Button("run:/learn", "Next lesson"))
        position = cur.position(lesson.id)
        return Reply(lesson_message(lesson, position, len(cur.lessons)), buttons=tuple(buttons),
                     facts={"lesson_id": lesson.id, "concept": lesson.concept,
                            "position": position, "lessons_done": len(read)})

    # --- /quiz and its answer buttons -------------------------------------------------------

    async def quiz(self, learner: LearnerRef, topic: str) -> Reply:
        """One question with answer buttons ``quiz:<prompt id>:<choice>``."""
        cur = await self.curriculum()
        record = await asyncio.to_thread(self.store.learners.learner_record, learner)
        concept = find_concept(cur, topic) if topic else choose_concept(cur, record, self.rng)
        question = pick_question(cur, record, concept, self.rng)
        prompt = await asyncio.to_thread(self.store.quizzes.create_prompt, learner, question.id,
                                         at=self.clock())
        # personal practice is private: only the daily channel quiz is posted for everyone
        return Reply(question_message(question, cur), buttons=answer_buttons(question, prompt.id),
                     ephemeral=True, facts={"prompt_id": prompt.id, "question_id": question.id,
                            "concept": concept, "kind": question.kind})

    async def answer(self, learner: LearnerRef, argument: str, ctx: Any) -> Reply:
        """Record an answer (once per prompt and learner) and say right or wrong, privately."""
        match = ANSWER_RE.match(argument)
        if match is None:
            raise NotFound("That answer button is not valid. Type `/quiz` for a new question.")
        cur = await self.curriculum()
        prompt, question = await self._answerable(cur, learner, int(match[1]), int(match[2]))
        choice = int(match[2])
        attempt, new = await asyncio.to_thread(
            self.store.quizzes.record_attempt, learner, prompt.id, question_id=question.id,
            concept=question.concept, choice=choice, correct=choice == question.answer,
            at=self.clock())
        xp = await self._xp(learner, question, attempt) if new else 0
        for listener in self.attempt_listeners if new else ():
            await listener(learner, question, attempt)
        reply = Reply(verdict_message(question, attempt, cur, repeat=not new, xp=xp),
                      buttons=self._after_answer(question, cur, rerun=not new),
                      ephemeral=True,
                      facts={"correct": attempt.correct, "recorded": new, "xp": xp,
                             "question_id": question.id, "concept": question.concept,
                             "prompt_id": prompt.id})
        if question.kind == "predict" and new:
            reply = await self._with_demo(learner, question, reply, ctx)
        return reply

    async def _answerable(self, cur: Curriculum, learner: LearnerRef, prompt_id: int,
                          choice: int) -> tuple[QuizPrompt, Question]:
        prompt = await asyncio.to_thread(self.store.quizzes.get_prompt, prompt_id)
        question = cur.question(prompt.question_id) if prompt else None
        if prompt is None or question is None:
            raise NotFound("That question is no longer available. Type `/quiz` for a new one.")
        if choice >= len(question.options):
            raise NotFound("That answer button is not valid. Type `/quiz` for a new question.")
        if prompt.learner_key is not None and prompt.learner_key != learner.key:
            raise Forbidden("That question was asked to someone else. "
                            "Type `/quiz` for one of your own.")
        if prompt.closes_at is not None and self.clock() > prompt.closes_at:
            raise Refused("Answers for this question have closed.")
        return prompt, question

    async def _xp(self, learner: LearnerRef, question: Question, attempt: Attempt) -> int:
        """XP this new answer earned (a repeat of a question answered right earns less)."""
        if not attempt.correct:
            return attempt_xp(question.difficulty, False, False)
        record = await asyncio.to_thread(self.store.learners.learner_record, learner)
        right_before = any(a.correct and a.question_id == question.id
                           and a.prompt_id != attempt.prompt_id for a in record.attempts)
        return attempt_xp(question.difficulty, True, right_before)

    def _after_answer(self, question: Question, cur: Curriculum,
                      rerun: bool) -> tuple[Button, ...]:
        buttons = [Button(f"run:/quiz {question.concept}", "Another question", "primary")]
        lessons = cur.lessons_for(question.concept)
        if lessons:
            buttons.append(Button(f"run:/learn {lessons[0].id}", "Revisit the lesson"))
        if rerun and question.demo:
            buttons.append(Button(f"run:{question.demo}", "Run the demo"))
        return tuple(buttons)

    async def _with_demo(self, learner: LearnerRef, question: Question, reply: Reply,
                         ctx: Any) -> Reply:
        """Append the demo that settles a predict-the-demo question (its text and picture)."""
        try:
            demo = await self.run_line(learner, question.demo, ctx)
        except TutorError as err:
            text = (f"{reply.text}\n\nI couldn't run the demo just now: {err.user_message} "
                    f"Try it yourself: `{question.demo}`")
            return replace(reply, text=text)
        holds, detail = question.verify.check(demo.facts)
        if not holds:
            log.warning("demo contradicts the answer key of %s: %s", question.id, detail)
        text = f"{reply.text}\n\n**The demo** `{question.demo}`\n{demo.text}"
        facts = {**reply.facts, "demo_confirms": holds, "demo_facts": dict(demo.facts)}
        return replace(reply, text=text, images=demo.images, facts=facts)

    # --- /progress --------------------------------------------------------------------------

    async def progress(self, learner: LearnerRef) -> Reply:
        """The learner's record as a picture, rendered in the worker pool."""
        cur = await self.curriculum()
        record = await asyncio.to_thread(self.store.learners.learner_record, learner)
        summary = summarize(record, cur, self.clock(), learner.display_name or learner.user_id)
        return await self.executor.submit("progress", summary, key=learner.key,
                                          timeout=PROGRESS_TIMEOUT)

    # --- /forget-me -------------------------------------------------------------------------

    async def forget_me(self, learner: LearnerRef) -> Reply:
        """Ask for confirmation before deleting anything."""
        return Reply(
            "This deletes **everything** tutorbot stores about you here: lessons "
            "read, quiz questions and answers, demo runs, questions you asked, streak and XP. It "
            "cannot be undone. "
            "If you changed your mind, just ignore this message.",
            buttons=(Button(f"forget:{forget_token(learner)}", "Yes, delete everything",
                            "danger"),),
            ephemeral=True)

    async def confirm_forget(self, learner: LearnerRef, token: str, ctx: Any) -> Reply:
        """Delete every row about the learner who pressed their own confirmation button."""
        if token != forget_token(learner):
            raise Forbidden("That button belongs to someone else's `/forget-me` and cannot "
                            "delete anything of yours. Type `/forget-me` to delete your data.")
        deleted = await asyncio.to_thread(self.store.learners.forget_learner, learner)
        if not deleted:
            return Reply("I had nothing stored about you.", ephemeral=True,
                         facts={"deleted": {}})
        return Reply(
            f"Done: I deleted everything I stored about you ({deleted.get('lessons_done', 0)} "
            f"lessons read, {deleted.get('quiz_attempts', 0)} answers, "
            f"{deleted.get('demo_runs', 0)} demo runs, {deleted.get('questions', 0)} questions "
            "asked). If you come back, you start afresh.",
            ephemeral=True, facts={"deleted": dict(deleted)})


def topics_hint(cur: Curriculum) -> str:
    """The topics a learner can name, for error messages."""
    return ", ".join(f"`{c}`" for c in cur.concepts)


def find_concept(cur: Curriculum, topic: str) -> str:
    """The concept a topic names; an unknown topic raises a message listing them."""
    concept = cur.find_concept(topic)
    if concept is None:
        raise NotFound(f"I have no topic called “{topic[:60]}”. Topics: {topics_hint(cur)}.")
    return concept


def find_lesson(cur: Curriculum, topic: str) -> Lesson:
    """The lesson a topic, lesson id or lesson number names."""
    if topic.isdigit():
        number = int(topic)
        if not 1 <= number <= len(cur.lessons):
            raise NotFound(f"There are lessons 1 to {len(cur.lessons)}; type `/learn` for "
                           "your next one.")
        return cur.lessons[number - 1]
    lesson = cur.lesson(topic.strip().lower())
    return lesson or cur.lessons_for(find_concept(cur, topic))[0]
