"""Schedules and post claims: the storage half of "post each daily quiz exactly once".

A claim is inserted with ``ON CONFLICT DO NOTHING`` on its UNIQUE (kind, subject, local date)
key, on SQLite and Postgres alike: exactly one concurrent insert returns a row, and no
transaction is aborted by a duplicate. Taking over a stale claim is a compare-and-set on
its ``attempts`` counter, so of two sweepers only one wins."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from engine.domain.records import (
    ChannelRef,
    Claim,
)
from engine.learning.schedule import CATCH_UP, QuizSchedule
from engine.storage.db import Database, aware
from engine.storage.models import (
    PostClaim,
    QuizScheduleRow,
)


def _schedule(row: QuizScheduleRow) -> QuizSchedule:
    return QuizSchedule(ChannelRef(row.platform, row.workspace, row.channel), row.at_time,
                        row.timezone, row.days, row.topic, row.window_minutes, row.paused,
                        row.id, aware(row.active_since))


def _claim(row: PostClaim) -> Claim:
    return Claim(row.id, row.kind, row.subject, row.local_date, aware(row.claimed_at),
                 row.attempts, row.schedule_id, row.learner_id, row.prompt_id,
                 aware(row.closes_at) if row.closes_at else None)


def _where_channel(channel: ChannelRef):
    return and_(QuizScheduleRow.platform == channel.platform,
                QuizScheduleRow.workspace == channel.workspace,
                QuizScheduleRow.channel == channel.channel)



class ScheduleRepository:
    """Schedules and post claims: the storage half of "post each daily quiz exactly once"."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save_schedule(self, schedule: QuizSchedule, *, now: datetime) -> QuizSchedule:
        def save(session: Session) -> QuizSchedule:
            row = session.scalar(select(QuizScheduleRow).where(_where_channel(schedule.channel)))
            if row is None:
                row = QuizScheduleRow(platform=schedule.channel.platform,
                                      workspace=schedule.channel.workspace,
                                      channel=schedule.channel.channel, created_at=now)
                session.add(row)
            row.at_time, row.timezone, row.days = schedule.at, schedule.timezone, schedule.days
            row.topic, row.window_minutes = schedule.topic, schedule.window_minutes
            row.paused, row.active_since, row.updated_at = schedule.paused, now, now
            session.flush()
            return _schedule(row)

        try:
            return self.db.write(save)
        except IntegrityError:  # created concurrently by another facilitator: update theirs
            return self.db.write(save)

    def get_schedule(self, channel: ChannelRef) -> QuizSchedule | None:
        with self.db.sessions() as session:
            row = session.scalar(select(QuizScheduleRow).where(_where_channel(channel)))
            return _schedule(row) if row else None

    def schedule_by_id(self, schedule_id: int) -> QuizSchedule | None:
        with self.db.sessions() as session:
            row = session.get(QuizScheduleRow, schedule_id)
            return _schedule(row) if row else None

    def remove_schedule(self, channel: ChannelRef) -> bool:
        return self.db.write(lambda s: s.execute(
            delete(QuizScheduleRow).where(_where_channel(channel))).rowcount > 0)

    def active_schedules(self, platforms: Collection[str]) -> list[QuizSchedule]:
        with self.db.sessions() as session:
            rows = session.scalars(select(QuizScheduleRow).where(
                QuizScheduleRow.platform.in_(list(platforms)),
                QuizScheduleRow.paused.is_(False)).order_by(QuizScheduleRow.id))
            return [_schedule(r) for r in rows]

    def claim(self, kind: str, subject: str, local_date: date, *, now: datetime, instance: str,
              schedule_id: int | None = None, learner_id: int | None = None,
              prompt_id: int | None = None) -> Claim | None:
        values = dict(kind=kind, subject=subject, local_date=local_date, claimed_at=now,
                      claimed_by=instance, attempts=1, schedule_id=schedule_id,
                      learner_id=learner_id, prompt_id=prompt_id)
        claim_id = self.db.insert_if_absent(PostClaim.__table__, values,
                                            ["kind", "subject", "local_date"],
                                            returning=PostClaim.id)
        if claim_id is None:
            return None  # another instance (or an earlier tick) holds it
        return Claim(claim_id, kind, subject, local_date, now, 1, schedule_id, learner_id,
                     prompt_id)

    def finish_claim(self, claim_id: int, *, now: datetime, message_ref: str | None,
                     prompt_id: int | None = None, closes_at: datetime | None = None) -> None:
        changes: dict[str, Any] = dict(posted_at=now, message_ref=message_ref, error=None)
        if prompt_id is not None:
            changes.update(prompt_id=prompt_id, closes_at=closes_at)
        self.db.write(lambda s: s.execute(
            update(PostClaim).where(PostClaim.id == claim_id).values(**changes)))

    def fail_claim(self, claim_id: int, *, error: str) -> None:
        self.db.write(lambda s: s.execute(
            update(PostClaim).where(PostClaim.id == claim_id).values(error=error[:1000])))

    def recover_claims(self, *, now: datetime, stale_before: datetime, instance: str,
                       max_attempts: int) -> list[Claim]:
        with self.db.sessions() as session:
            stale = session.scalars(select(PostClaim).where(
                PostClaim.posted_at.is_(None), PostClaim.gave_up_at.is_(None),
                PostClaim.claimed_at < stale_before).order_by(PostClaim.id)).all()
        won = []
        for row in stale:
            if row.attempts >= max_attempts:
                self._compare_and_set(row, gave_up_at=now)
            elif self._compare_and_set(row, claimed_at=now, claimed_by=instance,
                                       attempts=row.attempts + 1):
                won.append(replace(_claim(row), claimed_at=now, attempts=row.attempts + 1))
        return won

    def _compare_and_set(self, row: PostClaim, **values: Any) -> bool:
        """Update the claim only if nobody took it over since we read it."""
        statement = update(PostClaim).where(
            PostClaim.id == row.id, PostClaim.attempts == row.attempts,
            PostClaim.posted_at.is_(None), PostClaim.gave_up_at.is_(None)).values(**values)
        return self.db.write(lambda s: s.execute(statement).rowcount) == 1

    def prune_claims(self, before: datetime) -> int:
        return self.db.write(lambda s: s.execute(delete(PostClaim).where(
            PostClaim.claimed_at < before)).rowcount)

    def reveals_due(self, now: datetime) -> list[Claim]:
        reveal = aliased(PostClaim)
        revealed = exists().where(reveal.kind == "reveal", reveal.subject == PostClaim.subject,
                                  reveal.local_date == PostClaim.local_date)
        with self.db.sessions() as session:
            rows = session.scalars(select(PostClaim).where(
                PostClaim.kind == "quiz", PostClaim.posted_at.is_not(None),
                PostClaim.closes_at <= now, PostClaim.closes_at > now - CATCH_UP,
                ~revealed).order_by(PostClaim.closes_at))
            return [_claim(r) for r in rows]

