"""Run torch on one thread here, as pool workers do: on a busy 2-core machine, two OpenMP
threads doing many tiny operations wait on each other and run many times slower."""

import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def warm_ask_index():
    """The built-in course's passage embeddings (the shipped vectors) and MiniLM, loaded
    once per test session in this process (the ThreadExecutor runs the "ask" job here, so
    later questions hit the cache instead of racing /ask's wait for the dense side on a
    loaded machine)."""
    from engine.jobs import ask as ask_job
    from engine.knowledge.dense import DenseQuery
    from engine.services.ask import KnowledgeBase

    base = KnowledgeBase.built_in()
    ask_job.passage_vectors(DenseQuery(base.hash, base.dense_texts, "warm", None))
    return base.hash
