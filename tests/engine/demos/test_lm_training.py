"""Training pieces: the corpus split, batches, the schedule, and live training that learns."""

import pytest
import torch

from engine.demos.gpt_model import GPT, GPTConfig
from engine.demos.lm_training import (
    TrainConfig,
    TrainEvent,
    get_batch,
    load_corpus,
    lr_at,
    train,
    train_live,
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_is_our_own_english_and_split_without_leaks(corpus):
    train_text = corpus.vocab.decode(corpus.train.tolist())
    val_text = corpus.vocab.decode(corpus.val.tolist())
    assert 60_000 < len(train_text) + len(val_text) < 150_000
    assert 0.05 < len(val_text) / len(train_text) < 0.2
    assert train_text.count(" the ") > 500
    for paragraph in val_text.split("\n\n"):
        if len(paragraph) > 200:
            assert paragraph not in train_text


def test_batches_are_windows_and_their_next_characters(corpus):
    x, y = get_batch(corpus.train, 32, 5, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 32)
    torch.testing.assert_close(x[:, 1:], y[:, :-1])


def test_learning_rate_warms_up_then_decays_to_the_floor():
    cfg = TrainConfig(max_steps=200, warmup_steps=10, learning_rate=1e-3, final_lr_fraction=0.1)
    warm = [lr_at(s, cfg) for s in range(10)]
    assert warm == sorted(warm) and warm[-1] == pytest.approx(1e-3)
    decay = [lr_at(s, cfg) for s in range(10, 201)]
    assert all(a >= b for a, b in zip(decay, decay[1:], strict=False))
    assert decay[-1] == pytest.approx(1e-4)


def test_step_bounded_training_is_reproducible(corpus):
    def run():
        torch.manual_seed(5)
        model = GPT(GPTConfig(vocab_size=corpus.vocab.size, block_size=16, n_layer=1,
                              n_head=2, n_embd=16, dropout=0.1))
        cfg = TrainConfig(max_steps=6, max_seconds=None, batch_size=4, seed=5,
                          sample_at=(0.0, 1.0), sample_tokens=10)
        return train(model, corpus, cfg)

    a, b = run(), run()
    assert a.losses == b.losses and len(a.losses) == 6
    assert [s.text for s in a.samples] == [s.text for s in b.samples]
    assert [s.step for s in a.samples] == [0, 6]
    assert not a.stopped_by_time


def test_live_training_learns_in_a_few_dozen_steps():
    events: list[TrainEvent] = []
    cfg = TrainConfig(max_steps=40, max_seconds=120.0, seed=1, sample_tokens=20)
    result, model = train_live(cfg, events.append)
    assert result.steps == 40 and not result.stopped_by_time
    assert [e.step for e in events] == list(range(41))  # one report per step, and step 0
    assert [e.sample for e in events if e.sample] == result.samples
    first, last = result.samples[0], result.samples[-1]
    assert [s.step for s in result.samples] == [0, 4, 10, 20, 40]
    assert first.text.startswith(cfg.sample_prompt) and len(first.text) == len(cfg.sample_prompt) + 20
    losses = [loss for _, loss in result.losses]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5
    assert last.val_loss < first.val_loss - 0.5
    assert model.cfg.n_layer == 2 and not model.training


def test_live_training_stops_at_its_time_budget_with_a_final_sample():
    result, _ = train_live(TrainConfig(max_steps=100_000, max_seconds=1.0, sample_tokens=5))
    assert result.stopped_by_time and 0 < result.steps < 100_000
    assert result.seconds < 1.0 + 5.0  # one step and one sample past the budget, on a busy box
    assert result.samples[-1].step == result.steps
