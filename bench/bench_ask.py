"""/ask: retrieval quality on the evaluation set, the threshold calibration, warm latency and
the index build time for the built-in content.

Quality (bench/data/ask_eval.yaml, questions labelled with the lessons that answer them;
``lessons: []`` for off-topic): recall@1, recall@3 and MRR over lessons (a hit: any labelled
lesson among the top k distinct lessons of the fused ranking), off-topic rejection and the
share of on-topic questions wrongly refused, at the threshold shipped in
engine/knowledge/retrieval.py. The calibration sweep is printed too, on all questions and
2-fold (calibrate on one half, score the other) so overfitting shows.

Speed: index build = chunking + BM25 + the MiniLM vectors of every chunk, from nothing in a
fresh process: the built-in course's vectors are read from the shipped file
(engine/knowledge/content/passage_vectors.npz), as a worker does (goal <= 5 s); embedding every
chunk instead is timed beside it (the plain way, what facilitator content costs per passage);
warm /ask = the whole use case through a real Tutor (SQLite, one worker process, no
LLM), median over the eval questions after one warm-up (goal <= 0.15 s).

Run: .venv/bin/python bench/bench_ask.py [--no-latency]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from engine.jobs import ask as ask_job  # noqa: E402
from engine.knowledge import vectors  # noqa: E402
from engine.knowledge.dense import DenseQuery  # noqa: E402
from engine.knowledge.evaluation import calibrate, load_eval, score  # noqa: E402
from engine.knowledge.retrieval import Threshold  # noqa: E402
from engine.learning.curriculum import default_curriculum  # noqa: E402
from engine.services.ask import KnowledgeBase  # noqa: E402

GOAL_RECALL_3, GOAL_REJECTION, GOAL_WARM, GOAL_BUILD = 0.9, 0.9, 0.15, 5.0
DENSE_GRID = [round(0.20 + 0.01 * i, 2) for i in range(41)]
COVERAGE_GRID = [0.0, 0.2, 0.25, 0.34, 0.4, 0.5]


def build_index() -> tuple[KnowledgeBase, float, float]:
    """(knowledge base, wall seconds, CPU seconds): on a shared machine the CPU time is what
    an idle core would take."""
    vectors.shipped.cache_clear()  # read the shipped file inside the timing, as a new worker
    ask_job._INDEXES.clear()
    before = ask_job.embedded
    start, cpu = time.perf_counter(), time.process_time()
    base = KnowledgeBase.built_in()
    ask_job.passage_vectors(DenseQuery(base.hash, base.dense_texts, "warm", None))
    assert ask_job.embedded == before, "the shipped vectors are stale: scripts/embed_course.py"
    return base, time.perf_counter() - start, time.process_time() - cpu


def rankings(base: KnowledgeBase, questions) -> list:
    out = []
    for q in questions:
        cosines = ask_job.run(DenseQuery(base.hash, base.dense_texts, q.question, None),
                              lambda _: None)
        out.append(base.rank(q.question, cosines))
    return out


def show(label: str, s) -> None:
    print(f"{label}: recall@1 {s.recall_1:.3f}  recall@3 {s.recall_3:.3f}  MRR {s.mrr:.3f}  "
          f"off-topic rejection {s.rejection:.3f}  on-topic refused {s.false_rejection:.3f}  "
          f"({s.on_topic} on-topic, {s.off_topic} off-topic)")


async def warm_latency(questions) -> list[float]:
    from bot.app import build_tutor
    from bot.settings import CoreSettings, LLMSettings
    from engine.domain.records import LearnerRef

    with tempfile.TemporaryDirectory() as tmp:
        settings = CoreSettings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/b.db")
        async with build_tutor(settings, workers=1, warmups=(),
                               llm=LLMSettings(base_url=None, model=None)) as tutor:
            learner = LearnerRef("console", "bench", "u1")
            base = await tutor.retriever.knowledge()  # warm: the index built in the worker
            await tutor.executor.submit("ask", DenseQuery(base.hash, base.dense_texts, "warm",
                                                          str(Path(tmp) / "ask-index")),
                                        key="warm", timeout=900)
            times, dense = [], 0
            for q in questions:
                start = time.perf_counter()
                reply = await tutor.handle(learner, f"/ask {q.question[:500]}")
                times.append(time.perf_counter() - start)
                dense += bool(reply.facts.get("dense"))
            print(f"  ({dense} of {len(times)} timed answers used both BM25 and MiniLM)")
            return times


async def first_words(questions, rounds: int = 20) -> list[float]:
    """Seconds from the model's first streamed token leaving a loopback OpenAI-compatible
    server to the first progress report (what the adapters show in the live message)."""
    from bot import migrate
    from engine.domain.records import LearnerRef
    from engine.learning.curriculum import default_curriculum
    from engine.llm.openai_chat import OpenAIAnswerer
    from engine.services.ask import PoolRetriever
    from engine.services.tutor import Tutor
    from engine.storage.db import make_engine
    from engine.storage.repository import SqlStore
    from testkit.fake_openai import FakeOpenAI

    cur = default_curriculum()

    async def course():
        return cur

    gaps = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/llm.db"
        migrate.upgrade(url)
        async with FakeOpenAI(delay=0.05) as llm:
            answerer = OpenAIAnswerer(llm.base_url, "fake-model")
            tutor = Tutor(SqlStore(make_engine(url)), None, answerer=answerer,
                          retriever=PoolRetriever(None, course))
            for i, q in enumerate([q for q in questions if not q.off_topic][:rounds]):
                seen: list[float] = []

                async def progress(_, seen=seen):
                    if not seen:
                        seen.append(time.monotonic())

                reply = await tutor.handle(LearnerRef("console", "bench", f"u{i}"),
                                           f"/ask {q.question}", on_progress=progress)
                if reply.facts.get("mode") == "llm" and seen:
                    gaps.append(seen[0] - llm.first_chunk_at[-1])
            await answerer.close()
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-latency", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as in a worker
    ask_job.warm()
    cur = default_curriculum()
    questions, skipped = load_eval({le.id for le in cur.lessons})
    base, build, cpu = build_index()
    print(f"knowledge base: {len(base.chunks)} chunks "
          f"({sum(c.kind == 'glossary' for c in base.chunks)} glossary); index build "
          f"{build:.2f} s wall, {cpu:.2f} s CPU on one thread with the shipped vectors "
          f"(goal <= {GOAL_BUILD:g} s)")
    print(f"evaluation set: {len(questions)} questions scored, {len(skipped)} left out (they "
          "cite only lessons this curriculum does not have yet)")
    texts = list(base.dense_texts)
    cpu = time.process_time()
    plain = ask_job.embed_in_order(texts, list(range(len(texts))))
    cpu_plain = time.process_time() - cpu
    cpu = time.process_time()
    ours = ask_job.embed_texts(texts)
    cpu_sorted = time.process_time() - cpu
    print(f"A/B embedding every passage instead (no shipped vectors): batches in content "
          f"order {cpu_plain:.2f} s CPU, "
          f"batches of similar length (shipped) {cpu_sorted:.2f} s CPU; "
          f"largest difference {abs(plain - ours).max():.1e}")
    ranked = rankings(base, questions)
    shipped = Threshold()
    show(f"shipped threshold (dense {shipped.dense}, coverage {shipped.coverage})",
         score(questions, ranked, shipped))
    best, balanced = calibrate(questions, ranked, DENSE_GRID, COVERAGE_GRID, shipped)
    print(f"calibration on all questions: dense {best.dense}, coverage {best.coverage} "
          f"(balanced accuracy {balanced:.3f})")
    halves = [list(range(0, len(questions), 2)), list(range(1, len(questions), 2))]
    for fit, test in (halves, halves[::-1]):
        th, _ = calibrate([questions[i] for i in fit], [ranked[i] for i in fit], DENSE_GRID,
                          COVERAGE_GRID, shipped)
        show(f"2-fold: fitted dense {th.dense}/coverage {th.coverage}, held-out half",
             score([questions[i] for i in test], [ranked[i] for i in test], th))
    lexical = [base.rank(q.question, None) for q in questions]
    show("BM25 alone (workers unavailable)", score(questions, lexical, shipped))
    if not args.no_latency:
        times = asyncio.run(warm_latency(questions))
        print(f"warm /ask (no LLM, SQLite, 1 worker): median {statistics.median(times):.3f} s, "
              f"p90 {sorted(times)[int(0.9 * len(times))]:.3f} s over {len(times)} questions "
              f"(goal median <= {GOAL_WARM} s)")
        gaps = asyncio.run(first_words(questions))
        print(f"streaming LLM (loopback fake, 50 ms per chunk): first words shown "
              f"{statistics.median(gaps) * 1000:.0f} ms median, {max(gaps) * 1000:.0f} ms max "
              f"after the model's first token, over {len(gaps)} answers (goal <= 1 s)")


if __name__ == "__main__":
    main()
