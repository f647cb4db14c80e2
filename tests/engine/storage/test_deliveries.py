"""Delivery claims on SQLite and Postgres: first claim wins, stale unfinished claims are
taken over, finished ones never are."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.domain.clock import utcnow
from engine.storage.db import make_engine
from engine.storage.deliveries import ClaimLog
from engine.storage.models import DeliveryClaim


@pytest.fixture
def claims(db_url):
    log = ClaimLog(make_engine(db_url))
    yield log
    log.engine.dispose()


def age(claims, key, minutes):
    with claims.db.sessions.begin() as session:
        session.execute(update(DeliveryClaim).where(DeliveryClaim.key == key)
                        .values(claimed_at=utcnow() - timedelta(minutes=minutes)))


def test_first_claim_wins(claims):
    stale = timedelta(minutes=4)
    assert claims.claim("slack:Ev1", stale_after=stale) is True
    assert claims.claim("slack:Ev1", stale_after=stale) is False
    assert claims.claim("slack:Ev2", stale_after=stale) is True


def test_stale_unfinished_claim_is_taken_over_once(claims):
    stale = timedelta(minutes=4)
    assert claims.claim("k", stale_after=stale)
    age(claims, "k", 5)
    assert claims.claim("k", stale_after=stale) is True
    assert claims.claim("k", stale_after=stale) is False  # the takeover refreshed it


def test_finished_claim_is_never_taken_over(claims):
    stale = timedelta(minutes=4)
    assert claims.claim("k", stale_after=stale)
    claims.finish("k")
    age(claims, "k", 60)
    assert claims.claim("k", stale_after=stale) is False


def test_purge_forgets_old_claims(claims):
    stale = timedelta(minutes=4)
    claims.claim("old", stale_after=stale)
    claims.claim("new", stale_after=stale)
    age(claims, "old", 60 * 25)
    assert claims.purge(timedelta(days=1)) == 1
    assert claims.claim("old", stale_after=stale) is True
    assert claims.claim("new", stale_after=stale) is False
