"""Sentence embeddings: same numbers as sentence-transformers, unit length, sensible similarity."""

import numpy as np
import pytest
import torch

from engine.demos.embeddings import (
    compare_sentences,
    cosine_matrix,
    embed,
    least_similar_pair,
    mean_pool,
    most_similar_pair,
    pca_2d,
)
from engine.demos.minilm import load_minilm

SENTENCES = [
    "A cat is sleeping on the sofa.",
    "A kitten naps on the couch.",
    "The stock market fell sharply today.",
    "Share prices dropped at the close of trading.",
    "How do I reset my password?",
]


def test_matches_sentence_transformers_for_the_same_model():
    from sentence_transformers import SentenceTransformer  # a dev dependency: never skipped

    reference = SentenceTransformer(load_minilm().path, device="cpu")
    expected = reference.encode(SENTENCES, convert_to_numpy=True)
    ours = embed(SENTENCES)
    error = float(np.abs(ours - expected).max())
    print(f"worst difference from sentence-transformers: {error:.2e}")
    assert error < 1e-5


def test_vectors_have_unit_length_and_384_dims():
    vectors = embed(SENTENCES)
    assert vectors.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_paraphrases_are_closer_than_unrelated_sentences():
    similarity = compare_sentences(SENTENCES).similarity
    assert similarity[0, 1] > 0.5 and similarity[2, 3] > 0.5
    for a, b in ((0, 2), (0, 4), (1, 3), (2, 4)):
        assert similarity[0, 1] > similarity[a, b] + 0.3
        assert similarity[2, 3] > similarity[a, b] + 0.3
    assert most_similar_pair(similarity)[:2] in {(0, 1), (2, 3)}
    i, j, _ = least_similar_pair(similarity)
    assert {i, j} not in ({0, 1}, {2, 3})


def test_padding_does_not_change_a_sentence_embedding():
    alone = embed([SENTENCES[4]])
    with_long_neighbour = embed([SENTENCES[4], SENTENCES[3] + " " + SENTENCES[2]])
    np.testing.assert_allclose(alone[0], with_long_neighbour[0], atol=1e-5)


def test_mean_pool_ignores_masked_positions():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])  # (1, 3, 2)
    mask = torch.tensor([[1, 1, 0]])
    torch.testing.assert_close(mean_pool(hidden, mask), torch.tensor([[2.0, 3.0]]))


def test_cosine_matrix_is_symmetric_with_ones_on_the_diagonal():
    vectors = np.random.default_rng(0).standard_normal((4, 10))
    similarity = cosine_matrix(vectors)
    np.testing.assert_allclose(similarity, similarity.T)
    np.testing.assert_allclose(np.diag(similarity), 1.0)
    assert similarity[0, 1] == pytest.approx(
        vectors[0] @ vectors[1] / np.linalg.norm(vectors[0]) / np.linalg.norm(vectors[1])
    )


def test_pca_agrees_with_scikit_learn_up_to_sign_and_has_a_fixed_sign():
    from sklearn.decomposition import PCA

    vectors = np.random.default_rng(3).standard_normal((6, 20))
    ours = pca_2d(vectors)
    reference = PCA(n_components=2).fit(vectors)
    expected = reference.transform(vectors)
    for axis in range(2):
        sign = np.sign(ours.points[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(ours.points[:, axis], sign * expected[:, axis], atol=1e-9)
    np.testing.assert_allclose(ours.explained, reference.explained_variance_ratio_, atol=1e-9)
    flipped = pca_2d(-vectors)  # the same cloud mirrored: the fixed-sign rule gives mirrored axes
    np.testing.assert_allclose(np.abs(flipped.points), np.abs(ours.points), atol=1e-9)
    np.testing.assert_array_equal(pca_2d(vectors).points, ours.points)


def test_pca_of_two_points_pads_the_second_axis():
    projection = pca_2d(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    assert projection.points.shape == (2, 2)
    np.testing.assert_allclose(projection.points[:, 1], 0.0, atol=1e-12)
    assert projection.explained[0] == pytest.approx(1.0)
