"""Measuring retrieval on a labelled question set (bench/data/ask_eval.yaml): recall@k, MRR,
off-topic rejection, and the threshold calibration. Pure: the caller supplies the rankings."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.knowledge.eval_set import EvalQuestion, load_eval_set
from engine.knowledge.retrieval import Ranking, Threshold

EVAL_FILE = Path(__file__).resolve().parents[2] / "bench" / "data" / "ask_eval.yaml"


def load_eval(lesson_ids: Collection[str], path: Path = EVAL_FILE,
              ) -> tuple[tuple[EvalQuestion, ...], tuple[EvalQuestion, ...]]:
    """The evaluation set split in two: the questions this curriculum can be scored on
    (off-topic ones, and on-topic ones with at least one labelled lesson it has, labels
    narrowed to those), and the ones left out (they cite only lessons it lacks)."""
    kept, skipped = [], []
    for question in load_eval_set(path):
        present = tuple(le for le in question.lessons if le in lesson_ids)
        if question.off_topic or present:
            kept.append(EvalQuestion(question.question, present))
        else:
            skipped.append(question)
    return tuple(kept), tuple(skipped)


@dataclass(frozen=True)
class Scores:
    recall_1: float
    recall_3: float
    mrr: float
    rejection: float  # off-topic questions refused
    false_rejection: float  # on-topic questions refused
    on_topic: int
    off_topic: int


def score(questions: Sequence[EvalQuestion], rankings: Sequence[Ranking],
          threshold: Threshold) -> Scores:
    """Retrieval quality over on-topic questions (a hit: any labelled lesson in the top k
    lessons) and the threshold's decisions over both kinds."""
    r1 = r3 = rr = 0.0
    on = off = rejected = false_rejected = 0
    for question, ranking in zip(questions, rankings, strict=True):
        accepted = threshold.accepts(ranking)
        if question.off_topic:
            off += 1
            rejected += not accepted
            continue
        on += 1
        false_rejected += not accepted
        lessons = ranking.lessons
        ranks = [lessons.index(le) + 1 for le in question.lessons if le in lessons]
        best = min(ranks, default=0)
        r1 += best == 1
        r3 += 1 <= best <= 3
        rr += 1 / best if best else 0.0
    return Scores(r1 / max(on, 1), r3 / max(on, 1), rr / max(on, 1), rejected / max(off, 1),
                  false_rejected / max(on, 1), on, off)


def calibrate(questions: Sequence[EvalQuestion], rankings: Sequence[Ranking],
              dense_values: Iterable[float], coverage_values: Iterable[float] = (0.0,),
              base: Threshold | None = None) -> tuple[Threshold, float]:
    """The threshold maximising balanced accuracy (mean of off-topic rejection and on-topic
    acceptance) over a grid; ties go to the lower dense cut (fewer good questions refused)."""
    base = base or Threshold()
    best: tuple[float, Threshold] | None = None
    for coverage in coverage_values:
        for dense in dense_values:
            candidate = Threshold(dense=dense, coverage=coverage, lexical=base.lexical,
                                  margin=base.margin)
            s = score(questions, rankings, candidate)
            balanced = (s.rejection + (1 - s.false_rejection)) / 2
            if best is None or balanced > best[0] + 1e-12:
                best = (balanced, candidate)
    assert best is not None
    return best[1], best[0]
