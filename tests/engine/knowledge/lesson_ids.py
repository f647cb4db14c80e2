"""The lesson ids glossary entries and evaluation questions may cite."""

from engine.learning.curriculum import default_curriculum

# lesson ids the `course` branch adds (issue 16); knowledge content may cite them before it lands
NEW_LESSON_IDS = frozenset({"prompting", "rag", "adapt-model", "agents", "safety", "bias",
                            "cost", "choosing-model", "features"})
EXISTING_LESSON_IDS = frozenset(lesson.id for lesson in default_curriculum().lessons)
LESSON_IDS = EXISTING_LESSON_IDS | NEW_LESSON_IDS
