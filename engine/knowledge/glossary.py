"""The glossary: AI, ML and LLM terms a product team meets, each tied to a lesson and a demo.

The terms live in ``content/glossary.yaml`` (a mapping with one key, ``terms:``, a list of
entries). Each entry has a ``term``, optional ``aliases`` (abbreviations, other spellings),
a ``definition`` of one to three plain sentences, the ``lesson`` id that teaches it and, where
one fits, a ``demo``: a tutorbot command that shows it.

``load_glossary`` checks every entry and collects ALL problems before failing, each naming the
file, the line and the entry, so a whole file can be fixed in one go. This module knows nothing
of the curriculum or the command table (they sit in other layers): pass ``lesson_ids`` to check
lesson references; the tests check the demos with the real command parser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (7x faster here: 14 vs 97 ms), else Python's
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

GLOSSARY_FILE = Path(__file__).parent / "content" / "glossary.yaml"

MAX_TERM_CHARS = 60
MAX_ALIAS_CHARS = 60
MIN_DEFINITION_CHARS = 30
MAX_DEFINITION_CHARS = 600
MAX_SENTENCES = 3
MAX_DEMO_CHARS = 96  # as lessons' demos: a "run:<demo>" button id stays within 100 characters
FIELDS = ("term", "aliases", "definition", "lesson", "demo")
REQUIRED = ("term", "definition", "lesson")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DEMO = re.compile(r"^/[a-z][a-z0-9-]*(?: [^\n]*)?$")
# a sentence ends at . ! or ? followed by a space and a capital, a digit, a quote or a bracket
_SENTENCE_END = re.compile(r"[.!?][\"')]?\s+(?=[A-Z0-9\"'(])")


def normalise(name: str) -> str:
    """The form names are compared in: case-folded, hyphens, underscores and runs of spaces
    as one space ("Top-K", "top k" and "top_k" are the same name)."""
    return " ".join(re.sub(r"[-_\s]+", " ", name).casefold().split())


@dataclass(frozen=True)
class GlossaryEntry:
    """One term: what it means in plain words, the lesson that teaches it, a demo to see it."""

    term: str
    definition: str
    lesson: str
    aliases: tuple[str, ...] = ()
    demo: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The term followed by its aliases."""
        return (self.term, *self.aliases)

    @property
    def text(self) -> str:
        """The entry as one passage: "Term (alias, alias): definition"."""
        extra = f" ({', '.join(self.aliases)})" if self.aliases else ""
        return f"{self.term}{extra}: {self.definition}"


@dataclass(frozen=True)
class GlossaryProblem:
    """One thing wrong in a glossary file."""

    file: str
    message: str
    term: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = ", ".join(part for part in (f"entry {self.term!r}" if self.term else "",
                                            f"field {self.field!r}" if self.field else "") if part)
        return f"{where}: {what}: {self.message}" if what else f"{where}: {self.message}"


class GlossaryError(ValueError):
    """The glossary failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[GlossaryProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Glossary:
    """The entries in file order, with lookup by term or alias."""

    entries: tuple[GlossaryEntry, ...]

    def __post_init__(self) -> None:
        index = {normalise(name): entry for entry in self.entries for name in entry.names}
        object.__setattr__(self, "_index", index)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def for_lessons(self, lesson_ids: Collection[str]) -> Glossary:
        """Only the entries whose lesson is one of ``lesson_ids``: for a curriculum that does
        not (yet) have every lesson the glossary cites."""
        return Glossary(tuple(e for e in self.entries if e.lesson in lesson_ids))

    def find(self, name: str) -> GlossaryEntry | None:
        """The entry whose term or alias is ``name`` (case, hyphens and spacing ignored)."""
        return self._index.get(normalise(name))  # type: ignore[attr-defined]


def load_glossary(path: str | Path = GLOSSARY_FILE, *,
                  lesson_ids: Collection[str] | None = None) -> Glossary:
    """Load and validate a glossary file; raise GlossaryError listing every problem.

    With ``lesson_ids``, every entry's lesson must be one of them.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        loader = LOADER(text)  # parsed once: the nodes give line numbers, then the values
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise GlossaryError([GlossaryProblem(source, f"cannot read the file: {err}")]) from None
    if not isinstance(data, dict) or set(data) != {"terms"} or not isinstance(data["terms"], list):
        raise GlossaryError([GlossaryProblem(
            source, "expected a mapping with one key, `terms:`, holding a list of entries")])
    lines = [node.start_mark.line + 1 for node in _value_of(root, "terms").value]
    problems: list[GlossaryProblem] = []
    checked = [(entry, line) for raw, line in zip(data["terms"], lines, strict=True)
               if (entry := _entry(raw, source, line, lesson_ids, problems)) is not None]
    problems += _duplicates(checked, source)
    if problems:
        raise GlossaryError(sorted(problems, key=lambda p: p.line or 0))
    return Glossary(tuple(entry for entry, _ in checked))


def _value_of(root: Any, key: str) -> Any:
    return next(value for name, value in root.value if name.value == key)


def _entry(raw: Any, source: str, line: int, lesson_ids: Collection[str] | None,
           problems: list[GlossaryProblem]) -> GlossaryEntry | None:
    if not isinstance(raw, dict):
        problems.append(GlossaryProblem(source, "an entry must be a mapping with term, "
                                        "definition, lesson, and optional aliases and demo",
                                        line=line))
        return None
    term = raw.get("term")
    name = term if isinstance(term, str) and term.strip() else None
    found = [GlossaryProblem(source, message, name, line, field)
             for field, message in _check(raw, lesson_ids)]
    problems += found
    if found:
        return None
    return GlossaryEntry(term=raw["term"].strip(), definition=" ".join(raw["definition"].split()),
                         lesson=raw["lesson"], aliases=tuple(a.strip() for a in
                                                             raw.get("aliases") or ()),
                         demo=raw.get("demo"))


def _check(raw: dict[str, Any], lesson_ids: Collection[str] | None) -> Iterable[tuple[str, str]]:
    """(field, message) for every problem of one entry."""
    for key in raw:
        if key not in FIELDS:
            yield str(key), f"unknown field; the fields are: {', '.join(FIELDS)}"
    for key in REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            yield key, "is required and must be non-empty text"
    term, definition, lesson = raw.get("term"), raw.get("definition"), raw.get("lesson")
    if isinstance(term, str) and len(term.strip()) > MAX_TERM_CHARS:
        yield "term", f"at most {MAX_TERM_CHARS} characters, got {len(term.strip())}"
    yield from (("aliases", message) for message in _alias_problems(raw.get("aliases")))
    if isinstance(definition, str) and definition.strip():
        yield from (("definition", message) for message in _definition_problems(definition))
    if isinstance(lesson, str) and lesson.strip():
        if not _SLUG.match(lesson):
            yield "lesson", f"'{lesson}' is not a lesson id (lowercase words joined by hyphens)"
        elif lesson_ids is not None and lesson not in lesson_ids:
            yield "lesson", f"no lesson has the id '{lesson}'"
    demo = raw.get("demo")
    if demo is not None:
        if not isinstance(demo, str) or not _DEMO.match(demo):
            yield "demo", f"must be one command line starting with /, got {demo!r}"
        elif len(demo) > MAX_DEMO_CHARS:
            yield "demo", f"at most {MAX_DEMO_CHARS} characters, got {len(demo)}"


def _alias_problems(aliases: Any) -> Iterable[str]:
    if aliases is None:
        return
    if not isinstance(aliases, list):
        yield "must be a list of names, e.g. [LLM, large language models]"
        return
    for alias in aliases:
        if not isinstance(alias, str) or not alias.strip():
            yield f"each alias must be non-empty text, got {alias!r}"
        elif len(alias.strip()) > MAX_ALIAS_CHARS:
            yield f"alias '{alias}' is longer than {MAX_ALIAS_CHARS} characters"


def _definition_problems(definition: str) -> Iterable[str]:
    text = " ".join(definition.split())
    if not MIN_DEFINITION_CHARS <= len(text) <= MAX_DEFINITION_CHARS:
        yield (f"must be {MIN_DEFINITION_CHARS} to {MAX_DEFINITION_CHARS} characters, "
               f"got {len(text)}")
    if text[-1] not in ".!?)\"'":
        yield "must end with a full stop"
    sentences = len(_SENTENCE_END.findall(text)) + 1
    if sentences > MAX_SENTENCES:
        yield f"one to {MAX_SENTENCES} sentences, got {sentences}"


def _duplicates(checked: Sequence[tuple[GlossaryEntry, int]],
                source: str) -> list[GlossaryProblem]:
    """A name (term or alias) may belong to one entry only, and only once."""
    problems: list[GlossaryProblem] = []
    owner: dict[str, GlossaryEntry] = {}
    for entry, line in checked:
        seen: set[str] = set()
        for name in entry.names:
            key = normalise(name)
            if key in seen:
                problems.append(GlossaryProblem(source, f"names '{name}' twice", entry.term,
                                                line, "aliases"))
            elif key in owner:
                problems.append(GlossaryProblem(
                    source, f"'{name}' already names the entry '{owner[key].term}'", entry.term,
                    line, "aliases" if name != entry.term else "term"))
            seen.add(key)
            owner.setdefault(key, entry)
    return problems
