"""How a lesson reads in chat: one message, ending with the exact demo command to try."""

from __future__ import annotations

from engine.learning.schema import Lesson


def lesson_message(lesson: Lesson, position: int, total: int) -> str:
    """The chat text of a lesson (markdown subset); ends with the demo command in backticks."""
    body = "\n\n".join(p.strip() for p in lesson.body.split("\n") if p.strip())
    return (
        f"**Lesson {position}/{total} · {lesson.title}**\n\n"
        f"{body}\n\n"
        f"**Example.** {lesson.example}\n\n"
        f"**For your product.** {lesson.product}\n\n"
        f"**Try it:** `{lesson.demo}`"
    )
