"""The knowledge base /ask answers from: passages cut from the lessons, the question bank's
explanations and the glossary, each tied to the lesson a learner can read next.

A chunk is one paragraph. What it cites is always a lesson (``/learn LESSON``): a glossary
entry cites the lesson that teaches its term, a question's explanation the first lesson on its
concept. The text that gets indexed (``search_text``) carries the lesson's title and aliases
too, so "what's RAG?" finds the grounding lesson's paragraphs even where they never say "RAG".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# The curriculum (engine.learning) is passed in, not imported: knowledge and learning are
# sibling layers. Anything with ``lessons``, ``questions``, ``lesson(id)`` and
# ``lessons_for(concept)`` will do; lessons and questions as in engine.learning.schema.
Curriculum = Any
Lesson = Any

KINDS = ("lesson", "glossary", "question")
_VERDICT = re.compile(r"^(True|False)\.\s+")


@dataclass(frozen=True)
class Chunk:
    """One passage: what is shown (``text``), what is searched and the lesson it cites."""

    id: str  # "lesson:tokenization:2", "glossary:epoch", "question:ai-01"
    kind: str  # one of KINDS
    text: str  # the passage as quoted to the learner
    search_text: str  # the passage plus its lesson's title and aliases (and a term's names)
    lesson_id: str
    title: str  # the cited lesson's title
    concept: str
    demo: str | None  # a command that shows it (the glossary's, else the lesson's)
    term: str | None = None  # glossary entries: the term defined
    names: tuple[str, ...] = ()  # names a question may use for it: term, aliases, lesson aliases


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _lesson_context(lesson: Lesson) -> str:
    return " ".join((lesson.title, *lesson.aliases))


def lesson_chunks(lesson: Lesson) -> list[Chunk]:
    """The body's paragraphs, the example and the product note of one lesson."""
    context = _lesson_context(lesson)
    parts = [("body", p) for p in _paragraphs(lesson.body)]
    parts += [("example", " ".join(lesson.example.split())),
              ("product", " ".join(lesson.product.split()))]
    chunks = []
    for index, (_, text) in enumerate(parts, 1):
        chunks.append(Chunk(
            id=f"lesson:{lesson.id}:{index}", kind="lesson", text=text,
            search_text=f"{context}. {text}", lesson_id=lesson.id, title=lesson.title,
            concept=lesson.concept, demo=lesson.demo, names=tuple(lesson.aliases)))
    return chunks


def question_chunks(cur: Curriculum) -> list[Chunk]:
    """Each question's explanation; searched with its prompt and right answer (questions are
    phrased the way learners ask)."""
    chunks = []
    for question in cur.questions:
        lessons = cur.lessons_for(question.concept)
        if not lessons:
            continue
        lesson = lessons[0]
        text = _VERDICT.sub("", " ".join(question.explanation.split()))
        prompt = " ".join(question.prompt.split())
        chunks.append(Chunk(
            id=f"question:{question.id}", kind="question", text=text,
            search_text=f"{_lesson_context(lesson)}. {prompt} {question.answer_text}. {text}",
            lesson_id=lesson.id, title=lesson.title, concept=lesson.concept,
            demo=question.demo or lesson.demo))
    return chunks


def glossary_chunks(entries: Iterable[Any], cur: Curriculum) -> list[Chunk]:
    """One chunk per glossary entry (``term``, ``aliases``, ``definition``, ``lesson``,
    ``demo``) whose lesson exists; the passage names the term."""
    chunks = []
    for entry in entries:
        lesson = cur.lesson(entry.lesson)
        if lesson is None:
            continue
        aliases = tuple(getattr(entry, "aliases", ()) or ())
        names = ", ".join(aliases)
        shown = f"{entry.term}{f' ({names})' if names else ''}: {' '.join(entry.definition.split())}"
        chunks.append(Chunk(
            id=f"glossary:{_slug(entry.term)}", kind="glossary", text=shown,
            search_text=f"{entry.term} {entry.term} {names} {names}. {shown} {lesson.title}",
            lesson_id=lesson.id, title=lesson.title, concept=lesson.concept,
            demo=getattr(entry, "demo", None) or lesson.demo, term=entry.term,
            names=(entry.term, *aliases)))
    return chunks


def build_chunks(cur: Curriculum, glossary: Iterable[Any] = ()) -> tuple[Chunk, ...]:
    """Every chunk of the knowledge base, lessons first (ids are unique)."""
    chunks: list[Chunk] = []
    for lesson in cur.lessons:
        chunks += lesson_chunks(lesson)
    chunks += glossary_chunks(glossary, cur)
    chunks += question_chunks(cur)
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            unique.append(chunk)
    return tuple(unique)


def content_hash(chunks: Sequence[Chunk]) -> str:
    """A fingerprint of the searchable content: the index is rebuilt when it changes."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.id.encode())
        digest.update(b"\0")
        digest.update(chunk.search_text.encode())
        digest.update(b"\1")
    return digest.hexdigest()[:32]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "term"
