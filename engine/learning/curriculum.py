"""The curriculum: the ordered path of lessons plus the question bank, loaded from YAML.

`load_curriculum(paths)` validates every file against engine.learning.schema and collects ALL
problems before failing, each naming the file (and line), the lesson or question id and the
field, so a facilitator can fix a whole file in one go.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from engine.learning.schema import Lesson, Question

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_FILES = (CONTENT_DIR / "lessons.yaml", CONTENT_DIR / "questions.yaml")
SECTIONS: dict[str, type[BaseModel]] = {"lessons": Lesson, "questions": Question}


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in a content file."""

    file: str
    message: str
    kind: str | None = None  # "lesson" or "question"
    item_id: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" {self.kind} {self.item_id!r}" if self.kind else ""
        field = f", field {self.field!r}" if self.field else ""
        return f"{where}:{what}{field}: {self.message}" if what else f"{where}: {self.message}"


class ContentError(ValueError):
    """Content files failed validation; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[ContentProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Curriculum:
    """Lessons in path order and the question bank, with lookups by id, concept and topic."""

    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]

    @functools.cached_property
    def concepts(self) -> tuple[str, ...]:
        """Concepts in path order (the order of their first lesson)."""
        return tuple(dict.fromkeys(lesson.concept for lesson in self.lessons))

    @functools.cached_property
    def _lessons_by_id(self) -> dict[str, Lesson]:
        return {lesson.id: lesson for lesson in self.lessons}

    @functools.cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None."""
        return self._lessons_by_id.get(lesson_id)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return self._questions_by_id.get(question_id)

    def lessons_for(self, concept: str) -> tuple[Lesson, ...]:
        """The lessons teaching a concept, in path order."""
        return tuple(lesson for lesson in self.lessons if lesson.concept == concept)

    def questions_for(self, concept: str) -> tuple[Question, ...]:
        """The questions about a concept."""
        return tuple(q for q in self.questions if q.concept == concept)

    def position(self, lesson_id: str) -> int:
        """1-based position of a lesson on the path."""
        return next(i for i, lesson in enumerate(self.lessons, 1) if lesson.id == lesson_id)

    def find_concept(self, topic: str) -> str | None:
        """The concept a learner's free-text topic names ("attention", "RAG", "temp"), or None."""
        key = _normalise(topic)
        if not key:
            return None
        names: dict[str, str] = {}
        for lesson in self.lessons:
            for name in (lesson.concept, lesson.id, lesson.title, *lesson.aliases):
                names.setdefault(_normalise(name), lesson.concept)
        if key in names:
            return names[key]
        partial = [c for name, c in names.items() if key in name.split("-") or
                   (len(key) >= 4 and key in name)]
        if partial:
            return partial[0]
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.75)
        return names[close[0]] if close else None

    def extended(self, other: Curriculum) -> Curriculum:
        """This curriculum followed by another's lessons and questions."""
        return Curriculum(self.lessons + other.lessons, self.questions + other.questions)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


@functools.cache
def default_curriculum() -> Curriculum:
    """The built-in lessons and questions shipped with tutorbot (loaded once)."""
    return load_curriculum(DEFAULT_FILES)


def load_curriculum(paths: Iterable[str | Path], *, base: Curriculum | None = None) -> Curriculum:
    """Load and validate content files; raise ContentError listing every problem.

    A file is either a mapping with `lessons:` and/or `questions:` lists, or a bare list of
    questions. With `base`, ids must not clash with it and questions may use its concepts.
    """
    problems: list[ContentProblem] = []
    items = [(section, fields, str(path), line)
             for path in paths for section, fields, line in _read_items(Path(path), problems)]
    return _build(items, base or Curriculum((), ()), problems)


def curriculum_from_records(records: Iterable[Any], *, base: Curriculum) -> Curriculum:
    """``base`` extended with stored content (``engine.ports.store.ContentRecord``s), re-validated."""
    items = [(f"{r.kind}s", dict(r.data), r.source, None) for r in records]
    return _build(items, base, [])


def _build(items: list[tuple[str, Any, str, int | None]], base: Curriculum,
           problems: list[ContentProblem]) -> Curriculum:
    found: dict[str, list[tuple[Any, str, int | None]]] = {"lessons": [], "questions": []}
    for section, fields, source, line in items:
        item = _validate(SECTIONS[section], fields, source, line, problems)
        if item is not None:
            found[section].append((item, source, line))
    problems += _cross_check(found, base)
    if problems:
        raise ContentError(problems)
    added = Curriculum(tuple(i for i, _, _ in found["lessons"]),
                       tuple(i for i, _, _ in found["questions"]))
    return base.extended(added)


def _read_items(path: Path, problems: list[ContentProblem]):
    """Yield (section, fields, line) for each item of a file; record shape problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(ContentProblem(str(path), f"cannot read the file ({e})"))
        return
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        problems.append(ContentProblem(str(path), f"not valid YAML: {e}"))
        return
    if isinstance(data, list):
        sections = {"questions": (data, node)}
    elif isinstance(data, dict):
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            problems.append(ContentProblem(str(path), f"unknown top-level keys {unknown}; "
                                           f"allowed: {sorted(SECTIONS)}"))
        sections = {k: (data[k], _child(node, k)) for k in SECTIONS if k in data}
    else:
        problems.append(ContentProblem(str(path), "expected a list of questions or a mapping "
                                       "with 'lessons' and/or 'questions' lists"))
        return
    for section, (items, items_node) in sections.items():
        if not isinstance(items, list):
            problems.append(ContentProblem(str(path), f"'{section}' must be a list"))
            continue
        lines = [n.start_mark.line + 1 for n in items_node.value]
        for item, line in zip(items, lines, strict=True):
            yield section, item, line


def _child(node: yaml.MappingNode, key: str) -> yaml.Node:
    return next(v for k, v in node.value if k.value == key)


def _validate(model: type[BaseModel], fields: Any, file: str, line: int | None,
              problems: list[ContentProblem]) -> Any:
    kind = model.__name__.lower()
    item_id = fields.get("id") if isinstance(fields, dict) else None
    item_id = item_id if isinstance(item_id, str) else f"at line {line}" if line else "?"
    if not isinstance(fields, dict):
        problems.append(ContentProblem(file, f"expected a mapping of fields, got "
                                       f"{type(fields).__name__}", kind, item_id, None, line))
        return None
    try:
        return model.model_validate(fields)
    except ValidationError as e:
        for err in e.errors():
            field, message = _field_and_message(err)
            problems.append(ContentProblem(file, message, kind, item_id, field, line))
        return None


def _field_and_message(err: Any) -> tuple[str | None, str]:
    """Name the field of a pydantic error; model-level errors carry it as a 'field: ' prefix."""
    loc = ".".join(str(part) for part in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    prefix, sep, rest = message.partition(": ")
    if sep and re.fullmatch(r"[a-z_/]+", prefix):
        loc, message = (f"{loc}.{prefix}" if loc else prefix), rest
    if err["type"] not in ("value_error", "missing", "extra_forbidden") and "input" in err:
        message += f" (got {err['input']!r})"
    return loc or None, message


def _cross_check(found: dict[str, list[tuple[Any, str, int | None]]],
                 base: Curriculum) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    for section, known in (("lessons", base.lessons), ("questions", base.questions)):
        kind = section[:-1]
        seen = {item.id: "the built-in content" for item in known}
        for item, file, line in found[section]:
            if item.id in seen:
                problems.append(ContentProblem(file, f"duplicate id (already used in "
                                               f"{seen[item.id]})", kind, item.id, "id", line))
            seen.setdefault(item.id, f"{file}:{line}")
    concepts = set(base.concepts) | {lesson.concept for lesson, _, _ in found["lessons"]}
    for q, file, line in found["questions"]:
        if q.concept not in concepts:
            close = difflib.get_close_matches(q.concept, sorted(concepts), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(ContentProblem(
                file, f"unknown concept {q.concept!r}{hint} (known: {', '.join(sorted(concepts))})",
                "question", q.id, "concept", line))
    return problems


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        for key in keys:
            if keys.count(key) > 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", node.start_mark)
        return super().construct_mapping(node, deep=deep)
