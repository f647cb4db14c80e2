"""``tutorbot content validate|load FILE...``: facilitators' own lessons and questions.

Files use the same YAML schema as engine/learning/content. Every problem is printed with the
file (and line), the lesson or question id and the field; nothing is stored unless all files
are valid.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from bot.app import open_store
from bot.settings import CoreSettings
from engine.domain.records import ContentRecord
from engine.learning.curriculum import (
    ContentError,
    Curriculum,
    curriculum_from_records,
    default_curriculum,
    load_curriculum,
)


def content_command(settings: CoreSettings, action: str, files: Sequence[str],
                    out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``validate`` or ``load``; returns the exit code (0 ok, 1 invalid content)."""
    out, err = out or sys.stdout, err or sys.stderr
    base = default_curriculum()
    store = open_store(settings) if action == "load" else None
    try:
        if store is not None:  # replacing stored items by id is fine; other clashes are not
            base = _base_with(store.library.content(), files, base)
        try:
            loaded = load_curriculum(files, base=base)
        except ContentError as error:
            for problem in error.problems:
                print(problem, file=err)
            print(f"{len(error.problems)} problem(s); nothing was "
                  f"{'loaded' if store else 'changed'}.", file=err)
            return 1
        lessons = loaded.lessons[len(base.lessons):]
        questions = loaded.questions[len(base.questions):]
        if store is None:
            print(f"OK: {len(lessons)} lessons and {len(questions)} questions are valid.",
                  file=out)
            return 0
        records = [ContentRecord("lesson", i.id, i.model_dump(mode="json", exclude_none=True),
                                 _source(files)) for i in lessons]
        records += [ContentRecord("question", i.id, i.model_dump(mode="json", exclude_none=True),
                                  _source(files)) for i in questions]
        replaced = store.library.save_content(records)
        print(f"Loaded {len(lessons)} lessons and {len(questions)} questions "
              f"({replaced} replaced earlier versions). Quizzes use them from now on.", file=out)
        return 0
    finally:
        if store is not None:
            store.engine.dispose()


def _base_with(stored: list[ContentRecord], files: Sequence[str],
               base: Curriculum) -> Curriculum:
    """The built-in curriculum plus stored content, minus the items these files replace."""
    try:
        incoming = load_curriculum(files, base=base)
    except ContentError:
        return base  # the full validation below reports the problems
    replaced = {("lesson", i.id) for i in incoming.lessons} | {
        ("question", i.id) for i in incoming.questions}
    kept = [r for r in stored if (r.kind, r.item_id) not in replaced]
    try:
        return curriculum_from_records(kept, base=base)
    except ContentError:
        return base


def _source(files: Sequence[str]) -> str:
    return ", ".join(files)[:255]
