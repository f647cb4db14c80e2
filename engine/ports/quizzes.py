"""Questions shown (to a learner or a channel) and the answers given."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from engine.domain.records import Attempt, ChannelRef, LearnerRef, QuizPrompt


class QuizStore(Protocol):
    """Questions shown (to a learner or a channel) and the answers given."""

    def create_prompt(self, learner: LearnerRef, question_id: str, *,
                      at: datetime | None = None) -> QuizPrompt:
        """Store a question shown to the learner and return it with its new id."""
        ...

    def get_prompt(self, prompt_id: int) -> QuizPrompt | None:
        """The prompt with this id, or None."""
        ...

    def record_attempt(self, learner: LearnerRef, prompt_id: int, *, question_id: str,
                       concept: str, choice: int, correct: bool,
                       at: datetime | None = None) -> tuple[Attempt, bool]:
        """Record an answer once per (prompt, learner).

        Returns the stored attempt and True, or — for a repeat (a double click, a retry) —
        the attempt recorded first and False.
        """
        ...

    def create_channel_prompt(self, channel: ChannelRef, question_id: str, *, at: datetime,
                              closes_at: datetime) -> int:
        """Store a question posted to a whole channel; returns the prompt id for buttons."""
        ...

    def channel_question_ids(self, channel: ChannelRef, *, since: datetime) -> list[str]:
        """Questions posted to the channel since then, newest first."""
        ...

    def prompt_choices(self, prompt_id: int) -> list[int]:
        """The option each learner picked on a prompt (one per learner)."""
        ...
