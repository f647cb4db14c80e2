"""Check every lesson's and predict question's /train-demo claims in this process and print
the broken ones as JSON (run by test_demos_on_every_kernel.py under each BLAS kernel)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile

from bot import migrate
from engine.domain.records import LearnerRef
from engine.learning.curriculum import default_curriculum
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.executors import ThreadExecutor

PREFIX = "/train-demo"


def claims() -> list[tuple[str, str, list]]:
    """(lesson or question id, demo, its verify clauses) for every MLP demo with claims."""
    cur = default_curriculum()
    items = [(lesson.id, lesson.demo, list(lesson.verify)) for lesson in cur.lessons]
    items += [(q.id, q.demo, [q.verify]) for q in cur.questions if q.kind == "predict"]
    return [(i, demo, clauses) for i, demo, clauses in items
            if demo.startswith(PREFIX) and "model=transformer" not in demo]


async def broken(items) -> tuple[int, list[str]]:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/claims.db"
        migrate.upgrade(url)
        store = SqlStore(make_engine(url))
        tutor = Tutor(store, ThreadExecutor(), rng=random.Random(0))
        facts: dict[str, dict] = {}
        problems = []
        for item_id, demo, clauses in items:
            if demo not in facts:
                reply = await tutor.handle(LearnerRef("console", "local", "claims"), demo)
                facts[demo] = reply.facts
            problems += [f"{item_id}: {demo!r}: {detail}" for clause in clauses
                         for holds, detail in [clause.check(facts[demo])] if not holds]
        store.engine.dispose()
        return len(facts), problems


if __name__ == "__main__":
    runs, problems = asyncio.run(broken(claims()))
    json.dump({"demos": runs, "broken": problems}, sys.stdout)
