"""The /ask evaluation set: learner-style questions labelled with the lessons that answer them.

The file (bench/data/ask_eval.yaml in the repository) is a plain YAML list of mappings, each
``{question: TEXT, lessons: [lesson-id, ...]}``; ``lessons: []`` marks an off-topic question
the tutor must decline. ``load_eval_set`` checks every item and collects ALL problems before
failing, each naming the line and the question. Like the glossary loader it knows nothing of
the curriculum: pass ``lesson_ids`` to check the labels.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_QUESTION_CHARS = 300
FIELDS = ("question", "lessons")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class EvalQuestion:
    """One question and the lessons that answer it (none: off-topic)."""

    question: str
    lessons: tuple[str, ...]

    @property
    def off_topic(self) -> bool:
        return not self.lessons


@dataclass(frozen=True)
class EvalProblem:
    """One thing wrong in an evaluation file."""

    file: str
    message: str
    line: int | None = None
    question: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" question {self.question!r}:" if self.question else ""
        return f"{where}:{what} {self.message}"


class EvalSetError(ValueError):
    """The evaluation set failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[EvalProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def question_key(text: str) -> str:
    """The form duplicates are found in: letters and digits only, case-folded."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def load_eval_set(path: str | Path, *,
                  lesson_ids: Collection[str] | None = None) -> tuple[EvalQuestion, ...]:
    """Load and validate an evaluation file; raise EvalSetError listing every problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise EvalSetError([EvalProblem(source, f"cannot read the file: {err}")]) from None
    if not isinstance(data, list) or not data:
        raise EvalSetError([EvalProblem(
            source, "expected a non-empty list of {question: ..., lessons: [...]} items")])
    lines = [node.start_mark.line + 1 for node in root.value]
    problems: list[EvalProblem] = []
    items: list[EvalQuestion] = []
    seen: dict[str, int] = {}
    for raw, line in zip(data, lines, strict=True):
        question = raw.get("question") if isinstance(raw, dict) else None
        shown = question if isinstance(question, str) else None
        found = [EvalProblem(source, message, line, shown)
                 for message in _check(raw, lesson_ids)]
        if not found:
            key = question_key(question)
            if key in seen:
                found.append(EvalProblem(source, f"repeats the question on line {seen[key]}",
                                         line, shown))
            seen.setdefault(key, line)
        problems += found
        if not found:
            items.append(EvalQuestion(" ".join(question.split()), tuple(raw["lessons"])))
    if problems:
        raise EvalSetError(problems)
    return tuple(items)


def _check(raw: Any, lesson_ids: Collection[str] | None) -> Iterable[str]:
    if not isinstance(raw, dict):
        yield "each item must be a mapping {question: ..., lessons: [...]}"
        return
    for key in raw:
        if key not in FIELDS:
            yield f"unknown field '{key}'; the fields are: {', '.join(FIELDS)}"
    question, lessons = raw.get("question"), raw.get("lessons")
    if not isinstance(question, str) or not question.strip():
        yield "`question` is required and must be non-empty text"
    elif len(question) > MAX_QUESTION_CHARS:
        yield f"`question` is at most {MAX_QUESTION_CHARS} characters, got {len(question)}"
    if not isinstance(lessons, list):
        yield "`lessons` is required: a list of lesson ids, or [] for an off-topic question"
        return
    if len(set(map(str, lessons))) != len(lessons):
        yield "`lessons` names a lesson twice"
    for lesson in lessons:
        if not isinstance(lesson, str) or not _SLUG.match(lesson):
            yield f"'{lesson}' is not a lesson id (lowercase words joined by hyphens)"
        elif lesson_ids is not None and lesson not in lesson_ids:
            yield f"no lesson has the id '{lesson}'"
