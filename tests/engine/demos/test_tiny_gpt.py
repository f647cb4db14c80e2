"""The shipped tiny GPT: it loads, it is good enough, its attention is causal, sampling is seeded."""

import re

import numpy as np
import pytest

from engine.demos.lm_training import corpus_loss, load_corpus
from engine.demos.tiny_gpt import (
    CHECKPOINT_PATH,
    load_tiny_gpt,
    next_token_distribution,
    sample,
    tiny_gpt_attention,
)

#: Measured after training (scripts/train_tiny_gpt.py): val loss 1.4185; a margin on top.
VAL_LOSS_MAX = 1.55


@pytest.fixture(scope="module")
def tiny():
    return load_tiny_gpt()


def test_checkpoint_is_small_and_loads_once(tiny):
    assert CHECKPOINT_PATH.stat().st_size <= 10 * 1024 * 1024
    assert load_tiny_gpt() is tiny
    assert not tiny.model.training
    assert tiny.vocab.size == tiny.config.vocab_size


def test_shipped_model_reaches_its_recorded_validation_loss(tiny):
    corpus = load_corpus(vocab=tiny.vocab)
    val = corpus_loss(tiny.model, corpus.val)
    assert val == pytest.approx(tiny.training["val_loss"], abs=1e-3)
    assert val < VAL_LOSS_MAX
    assert tiny.training["val_loss"] < tiny.training["train_loss"] + 0.4  # not just memorised


def test_attention_is_causal_and_rows_are_distributions(tiny):
    text = "Attention lets each token look back."
    tokens, weights = tiny_gpt_attention(text)
    assert "".join(tokens) == text
    cfg = tiny.config
    assert weights.shape == (cfg.n_layer, cfg.n_head, len(text), len(text))
    assert np.all(np.triu(weights, k=1) == 0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    np.testing.assert_allclose(weights[..., 0, 0], 1.0)  # the first token can only see itself
    assert weights[..., 10, :11].std(axis=-1).max() > 0.05  # trained heads are not uniform


def test_attention_cuts_long_text_and_reads_unknown_characters(tiny):
    tokens, weights = tiny_gpt_attention("na\u00efve \U0001f600 " * 40, max_tokens=64)
    assert len(tokens) == 64 and weights.shape[-1] == 64
    assert tokens[:8] == list("naive ? ")
    with pytest.raises(ValueError, match="no text"):
        tiny_gpt_attention("\x00\u200d")


def test_next_token_distribution_is_sorted_and_knows_common_words():
    dist = next_token_distribution("The cat sat on th", temperature=1.0)
    assert dist.probs.sum() == pytest.approx(1.0)
    assert np.all(np.diff(dist.probs) <= 0)
    assert dist.tokens[0] == "e"
    after_stop = next_token_distribution("It learns. ", temperature=1.0)
    assert after_stop.tokens[0].isupper()


def test_temperature_and_top_k_reshape_the_same_distribution():
    cold = next_token_distribution("The model", temperature=0.2)
    hot = next_token_distribution("The model", temperature=1.5)
    assert cold.tokens[0] == hot.tokens[0]
    assert cold.probs[0] > hot.probs[0]
    assert len(hot.tokens) > len(cold.top(3))
    top3 = next_token_distribution("The model", temperature=1.5, top_k=3)
    assert top3.tokens == hot.tokens[:3]
    np.testing.assert_allclose(top3.probs, hot.probs[:3] / hot.probs[:3].sum())


def test_sampling_is_deterministic_for_a_seed(tiny):
    a = sample("Training a model ", 50, temperature=1.0, seed=3)
    assert a == sample("Training a model ", 50, temperature=1.0, seed=3)
    assert a != sample("Training a model ", 50, temperature=1.0, seed=4)
    assert len(a) == 50 and set(a) <= set(tiny.vocab.chars)
    greedy = sample("Training a model ", 30, temperature=0.0, seed=1)
    assert greedy == sample("Training a model ", 30, temperature=1.5, top_k=1, seed=2)


def test_samples_look_like_english():
    corpus_words = set(re.findall(r"[a-z]+", load_corpus().vocab.decode(
        load_corpus().train.tolist()).lower()))
    words = []
    for seed in range(5):
        words += re.findall(r"[a-z]+", sample("The model ", 100, 0.8, seed=seed).lower())[:-1]
    known = sum(w in corpus_words for w in words) / len(words)
    assert known > 0.6, (known, words)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "\U0001f600" * 3000, "x" * 5000])
def test_awkward_prompts_still_get_an_answer(text):
    dist = next_token_distribution(text, temperature=0.8, top_k=5)
    assert len(dist.tokens) == 5
    assert len(dist.prompt.ids) <= load_tiny_gpt().config.block_size
    assert len(sample(text, 20, 0.8, seed=0)) == 20
