"""The lesson ids glossary entries and evaluation questions may cite: the course's own."""

from engine.learning.curriculum import default_curriculum

EXISTING_LESSON_IDS = frozenset(lesson.id for lesson in default_curriculum().lessons)
LESSON_IDS = EXISTING_LESSON_IDS
