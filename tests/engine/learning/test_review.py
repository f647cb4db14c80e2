"""FSRS cards: right answers push the next review out, wrong ones pull it in."""

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, Scheduler, State

from engine.learning.review import (
    SCHEDULER,
    interval,
    is_due,
    new_card,
    rating_for,
    retrievability,
    review,
)

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


def answer_on_due_dates(answers):
    card, now = new_card("q1", T0), T0
    cards = []
    for correct in answers:
        card = review(card, correct, now)
        cards.append(card)
        now = card.due
    return cards


def test_a_new_card_is_due_at_once():
    card = new_card("q1", T0)
    assert is_due(card, T0) and card.is_new and retrievability(card, T0) == 0.0


def test_good_pushes_the_next_review_further_out_each_time():
    cards = answer_on_due_dates([True] * 4)
    gaps = [interval(c) for c in cards]
    assert gaps[0] >= timedelta(days=1)
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False))
    assert all(c.lapses == 0 for c in cards) and cards[-1].reps == 4


def test_again_pulls_the_next_review_in_and_counts_a_lapse():
    before = answer_on_due_dates([True, True, True])
    after = answer_on_due_dates([True, True, True, False])[-1]
    assert interval(after) < interval(before[-1])
    assert after.lapses == 1 and after.stability < before[-1].stability
    wrong_first = answer_on_due_dates([False])[0]
    assert wrong_first.lapses == 0  # the first answer cannot be forgetting


def test_right_versus_wrong_from_the_same_state():
    card = answer_on_due_dates([True, True])[-1]
    now = card.due
    good, again = review(card, True, now), review(card, False, now)
    assert good.due > again.due > now


def test_due_dates_match_the_fsrs_package_itself():
    # the reference: the same scheduler settings driven directly through the fsrs API
    reference = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    from fsrs import Card

    ref_card, now = Card(card_id=7, due=T0), T0
    ours = new_card("q1", T0)
    for correct in [True, False, True, True]:
        rating = Rating.Good if correct else Rating.Again
        ref_card, _ = reference.review_card(ref_card, rating, now)
        ours = review(ours, correct, now)
        assert ours.due == ref_card.due and ours.stability == pytest.approx(ref_card.stability)
        now = ref_card.due
    assert ours.state == State.Review.value


def test_ratings_and_determinism():
    assert rating_for(True) == Rating.Good and rating_for(False) == Rating.Again
    assert SCHEDULER.enable_fuzzing is False
    assert answer_on_due_dates([True, False, True]) == answer_on_due_dates([True, False, True])


def test_retrievability_falls_as_time_passes():
    card = answer_on_due_dates([True])[0]
    soon, late = retrievability(card, T0 + timedelta(hours=1)), retrievability(card, card.due)
    assert 1.0 >= soon > late > 0.8  # ~0.9 at the due date: FSRS's desired retention


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        review(new_card("q", T0), True, datetime(2025, 1, 1))
