"""The content schema: lessons, questions and the `verify` clause of predict-the-demo questions.

Content lives in YAML files (engine/learning/content/*.yaml, or a facilitator's own files) and is
validated strictly: unknown fields, wrong types and out-of-range values are errors. The loader
(`engine.learning.curriculum.load_curriculum`) turns pydantic's errors into problems that name the
file, the lesson or question id and the field, so the facilitator CLI can print them as is.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_LESSON_CHARS = 1800  # one chat message, with room to spare under Discord's 2 000
MAX_OPTION_CHARS = 75  # Slack button text limit; options double as button labels
MAX_DEMO_CHARS = 96  # a "run:<demo>" button id must stay within 100 characters
TRUE_FALSE_OPTIONS = ["True", "False"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=48)]
# A fact of a demo Reply, or a path into one: `test_accuracy`, `similarity/0/1` (row 0, column 1),
# `by_temperature/0.2/top/0/1`, `focus/it/0`. Segments after the first are mapping keys or list
# indexes.
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(?:/[^/\s]+)*$",
                                            max_length=96)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
DemoCommand = Annotated[
    str, StringConstraints(pattern=r"^/[a-z][a-z0-9-]*(?: [^\n]*)?$", max_length=MAX_DEMO_CHARS)
]
QuestionKind = Literal["choice", "true_false", "predict"]
FactValue = bool | int | float | str | list[bool | int | float | str]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Verify(_Strict):
    """A machine-checkable claim about a demo Reply's `facts`.

    Either `equals` alone, `contains` alone (a list or text fact holds that item), or one or more
    bounds: `below`/`above` (strict), `at_most`/`at_least`, `below_fact`/`above_fact` (compare
    with another fact of the same reply). Fact names may be paths (`similarity/0/1`).
    """

    fact: FactName
    equals: FactValue | None = None
    contains: bool | int | float | str | None = None
    below: float | None = None
    above: float | None = None
    at_most: float | None = None
    at_least: float | None = None
    below_fact: FactName | None = None
    above_fact: FactName | None = None

    @model_validator(mode="after")
    def _one_kind_of_claim(self) -> Verify:
        bounds = [self.below, self.above, self.at_most, self.at_least, self.below_fact,
                  self.above_fact]
        kinds = sum((self.equals is not None, self.contains is not None,
                     any(b is not None for b in bounds)))
        if kinds == 0:
            raise ValueError("needs a claim: equals, contains, below, above, at_most, at_least, "
                             "below_fact or above_fact")
        if kinds > 1:
            raise ValueError("use one of equals, contains or bounds (below/above/...), not "
                             "several")
        return self

    def check(self, facts: Mapping[str, Any]) -> tuple[bool, str]:
        """Check the claim against a Reply's facts; returns (holds, human-readable detail)."""
        found, actual = lookup(facts, self.fact)
        if not found:
            return False, f"the demo reports no fact {self.fact!r} (it has: {sorted(facts)})"
        if self.equals is not None:
            ok = _same(actual, self.equals)
            return ok, f"{self.fact} = {actual!r}, expected {self.equals!r}"
        if self.contains is not None:
            if isinstance(actual, str):
                ok = isinstance(self.contains, str) and self.contains in actual
            else:
                ok = isinstance(actual, list | tuple) and any(
                    _same(item, self.contains) for item in actual)
            return ok, f"{self.fact} = {actual!r}, expected it to contain {self.contains!r}"
        if not _is_number(actual):
            return False, f"{self.fact} = {actual!r} is not a number"
        failures = [text for ok, text in self._bound_checks(float(actual), facts) if not ok]
        detail = f"{self.fact} = {actual!r}"
        return (not failures), detail + ("; fails: " + ", ".join(failures) if failures else "")

    def _bound_checks(self, x: float, facts: Mapping[str, Any]) -> list[tuple[bool, str]]:
        checks: list[tuple[bool, str]] = []
        if self.below is not None:
            checks.append((x < self.below, f"below {self.below}"))
        if self.above is not None:
            checks.append((x > self.above, f"above {self.above}"))
        if self.at_most is not None:
            checks.append((x <= self.at_most, f"at most {self.at_most}"))
        if self.at_least is not None:
            checks.append((x >= self.at_least, f"at least {self.at_least}"))
        for name, sign in ((self.below_fact, -1), (self.above_fact, 1)):
            if name is None:
                continue
            other = lookup(facts, name)[1]
            if not _is_number(other):
                checks.append((False, f"fact {name!r} missing or not a number ({other!r})"))
                continue
            ok = x < float(other) if sign < 0 else x > float(other)
            checks.append((ok, f"{'below' if sign < 0 else 'above'} {name} = {other!r}"))
        return checks


class Lesson(_Strict):
    """One step on the learning path: fits one chat message and ends with a demo to try."""

    id: Slug
    concept: Slug
    title: Annotated[str, StringConstraints(min_length=3, max_length=80)]
    label: Annotated[str, StringConstraints(min_length=2, max_length=24)] | None = None
    body: Text
    example: Text  # ONE concrete example
    product: Text  # what it means for a product decision
    demo: DemoCommand  # the exact command the learner can run
    # what the demo's Reply.facts must show for the lesson's words about it to hold; the
    # content tests run every built-in lesson's demo and check these
    verify: list[Verify] = []
    aliases: list[Annotated[str, StringConstraints(min_length=2, max_length=40)]] = []


class Question(_Strict):
    """A quiz question: multiple choice, true/false or predict-the-demo.

    `answer` is the 0-based index of the right option. A `predict` question carries the demo that
    settles it and a `verify` clause the content tests check against the demo's real facts.
    """

    id: Slug
    concept: Slug
    kind: QuestionKind
    difficulty: Annotated[int, Field(ge=1, le=3)]
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10,
                                             max_length=600)]
    options: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=MAX_OPTION_CHARS)]]
    answer: Annotated[int, Field(ge=0)]
    explanation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10,
                                                  max_length=700)]
    demo: DemoCommand | None = None
    verify: Verify | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_true_false_options(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "true_false" and "options" not in data:
            return {**data, "options": list(TRUE_FALSE_OPTIONS)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        n = len(self.options)
        if not 2 <= n <= 5:
            raise ValueError(f"options: needs 2 to 5 options, got {n}")
        if len({o.casefold() for o in self.options}) != n:
            raise ValueError("options: the options must all differ")
        if self.kind == "true_false" and self.options != TRUE_FALSE_OPTIONS:
            raise ValueError(f"options: a true_false question has options {TRUE_FALSE_OPTIONS}")
        if self.answer >= n:
            raise ValueError(f"answer: index {self.answer} is out of range for {n} options "
                             f"(0 to {n - 1})")
        if self.kind == "predict" and (self.demo is None or self.verify is None):
            raise ValueError("demo/verify: a predict question needs both a demo and a verify")
        if self.kind != "predict" and (self.demo is not None or self.verify is not None):
            raise ValueError(f"demo/verify: only predict questions carry them, not {self.kind}")
        return self

    @property
    def answer_text(self) -> str:
        """The text of the right option."""
        return self.options[self.answer]


def lookup(facts: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) of a fact path: `similarity/0/1` is ``facts["similarity"][0][1]``."""
    value: Any = facts
    for part in path.split("/"):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list | tuple) and re.fullmatch(r"-?\d+", part) and (
                -len(value) <= int(part) < len(value)):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _is_number(value: Any) -> bool:
    """A real number (numpy scalars included), not a bool and not NaN."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and not math.isnan(float(value)))


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        is_bool = isinstance(actual, bool) or getattr(getattr(actual, "dtype", None), "kind", "") == "b"
        return is_bool and bool(actual) == expected
    if isinstance(expected, list):
        actual_list = list(actual) if isinstance(actual, list | tuple) else None
        return actual_list is not None and len(actual_list) == len(expected) and all(
            _same(a, e) for a, e in zip(actual_list, expected, strict=True))
    if isinstance(expected, int | float):
        return _is_number(actual) and float(actual) == float(expected)
    return actual == expected
