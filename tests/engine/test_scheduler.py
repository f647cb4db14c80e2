"""The quiz scheduler on an injected clock, against real SQLite and Postgres databases."""

import asyncio
import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from engine.domain.errors import Busy
from engine.domain.records import LearnerRef, LearnerSettings, WorkspaceSettings
from engine.learning.curriculum import default_curriculum
from engine.learning.review import new_card, review
from engine.learning.schedule import parse_hhmm
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from tests.engine.daily_helpers import Board, Clock, add_schedule, make_scheduler, utc
from tests.engine.executors import ThreadExecutor

WARSAW = ZoneInfo("Europe/Warsaw")


async def tick_until(scheduler, clock, end, step=timedelta(minutes=10)):
    while clock.now < end:
        clock.now = min(clock.now + step, end)
        await scheduler.tick()


async def test_posts_the_daily_quiz_at_nine_local_once(store):
    add_schedule(store)
    board = Board(Clock(utc(2025, 1, 15, 6, 0)))  # 07:00 in Warsaw (UTC+1 in January)
    scheduler = make_scheduler(store, board)
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 7, 50))
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 7, 59, 30), timedelta(minutes=3))
    assert board.posts == []
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 8, 1), timedelta(seconds=30))
    assert board.kinds() == ["quiz"] and board.posts[0].at == utc(2025, 1, 15, 8, 0)
    post = board.posts[0].reply
    assert post.buttons[0].id.startswith(f"quiz:{post.facts['prompt_id']}:")
    assert "10:00 Europe/Warsaw" in post.text  # answers close after the 60-minute window
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 8, 50))
    assert board.kinds() == ["quiz"]  # no repeat while the answers are open


async def test_across_a_clock_change_the_quiz_stays_at_nine_local(store):
    add_schedule(store, at="09:00")
    board = Board(Clock(utc(2025, 3, 29, 0)))  # Sat; clocks go forward Sunday 30 March
    scheduler = make_scheduler(store, board)
    await tick_until(scheduler, board.clock, utc(2025, 3, 31, 12), timedelta(hours=1))
    quizzes = [p for p, k in zip(board.posts, board.kinds(), strict=True) if k == "quiz"]
    local = [p.at.astimezone(WARSAW) for p in quizzes]
    assert [(t.day, t.hour, t.minute) for t in local] == [(29, 9, 0), (30, 9, 0), (31, 9, 0)]
    assert [q.at.hour for q in quizzes] == [8, 7, 7]  # UTC moves, local time does not


async def test_a_restarted_instance_after_quiz_time_posts_it_once(store):
    add_schedule(store)
    board = Board(Clock(utc(2025, 1, 15, 8, 20)))  # the old instance died at 08:55 local
    await make_scheduler(store, board, "restarted").tick()
    assert board.kinds() == ["quiz"]
    board.clock.advance(minutes=5)
    await make_scheduler(store, board, "restarted-again").tick()
    assert board.kinds() == ["quiz"]


async def test_a_new_schedule_does_not_post_today_if_its_time_has_passed(store):
    add_schedule(store, since=utc(2025, 1, 15, 9, 0))  # set at 10:00 local for 09:00
    board = Board(Clock(utc(2025, 1, 15, 9, 1)))
    scheduler = make_scheduler(store, board)
    await scheduler.tick()
    assert board.posts == []
    await tick_until(scheduler, board.clock, utc(2025, 1, 16, 8, 1), timedelta(hours=1))
    assert board.kinds() == ["quiz"]


async def test_two_instances_ticking_at_once_post_once_per_channel(db_url):
    setup = SqlStore(make_engine(db_url))
    for i in range(12):
        add_schedule(setup, channel=f"C{i}")
    setup.engine.dispose()
    boards, errors = [], []
    start = threading.Barrier(2)

    def instance(name):
        store = SqlStore(make_engine(db_url))
        board = Board(Clock(utc(2025, 1, 15, 8, 0, 5)))
        boards.append(board)
        try:
            start.wait()
            for _ in range(3):
                asyncio.run(make_scheduler(store, board, name).tick())
        except Exception as err:  # surfaced below
            errors.append(err)
        finally:
            store.engine.dispose()

    threads = [threading.Thread(target=instance, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    channels = [p.channel.channel for b in boards for p in b.posts]
    assert sorted(channels) == sorted(f"C{i}" for i in range(12))


async def test_a_claim_stuck_past_the_deadline_is_recovered_and_posted_once(store):
    schedule = add_schedule(store)
    dead = store.schedules.claim("quiz", f"schedule:{schedule.id}", date(2025, 1, 15),
                       now=utc(2025, 1, 15, 8, 0), instance="crashed", schedule_id=schedule.id)
    board = Board(Clock(utc(2025, 1, 15, 8, 3)))
    scheduler = make_scheduler(store, board, claim_deadline=timedelta(minutes=5))
    await scheduler.tick()
    assert board.posts == []  # the claim is still fresh: its owner may be posting
    board.clock.advance(minutes=3)
    report = await scheduler.tick()
    assert report.recovered == 1 and board.kinds() == ["quiz"]
    assert dead is not None and report.posted == [("quiz", dead.subject)]
    board.clock.advance(minutes=6)
    await make_scheduler(store, board, "other").tick()
    assert board.kinds() == ["quiz"]


async def test_a_failing_platform_is_retried_then_given_up(store):
    schedule = add_schedule(store)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)), fail=True)
    scheduler = make_scheduler(store, board, claim_deadline=timedelta(minutes=5),
                               max_attempts=2)
    assert (await scheduler.tick()).failed == [("quiz", f"schedule:{schedule.id}")]
    board.clock.advance(minutes=6)
    assert len((await scheduler.tick()).failed) == 1  # retried once by the sweeper
    board.fail = False
    board.clock.advance(minutes=6)
    report = await scheduler.tick()
    assert report.recovered == 0 and board.posts == []  # out of attempts: given up


async def test_the_reveal_posts_answer_chart_and_learn_more_once(store):
    add_schedule(store, window_minutes=30)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    executor = ThreadExecutor()
    scheduler = make_scheduler(store, board, executor=executor)
    await scheduler.tick()
    quiz = board.posts[0].reply
    prompt_id, question_id = quiz.facts["prompt_id"], quiz.facts["question_id"]
    for i, choice in enumerate([0, 1, 1]):
        store.quizzes.record_attempt(LearnerRef("slack", "T1", f"U{i}"), prompt_id,
                             question_id=question_id, concept="x", choice=choice,
                             correct=False, at=utc(2025, 1, 15, 8, 10))
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 8, 29), timedelta(minutes=7))
    assert board.kinds() == ["quiz"]
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 9, 30), timedelta(minutes=1))
    assert board.kinds() == ["quiz", "reveal"]
    reveal = board.posts[1].reply
    assert reveal.facts["answers"] == 3 and reveal.facts["per_option"][:2] == [1, 2]
    second = "False" if store_question_kind(question_id) == "true_false" else "B."
    assert reveal.images[0].data[:4] == b"\x89PNG"
    assert f"{second}" in reveal.images[0].alt and ": 2" in reveal.images[0].alt
    assert executor.jobs == ["reveal"]  # rendered in the pool
    assert any(b.label == "Learn more" and b.id.startswith("run:/learn ") for b in reveal.buttons)


async def test_many_channels_due_at_once_are_spread_out(store):
    for i in range(5):
        add_schedule(store, channel=f"C{i}")
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    await make_scheduler(store, board, spacing=0.5, channel_gap=1.1).tick()
    times = [p.mono for p in board.posts]
    assert len(times) == 5
    assert all(b - a >= 0.5 for a, b in zip(times, times[1:], strict=False))


async def test_posts_to_one_channel_keep_a_one_second_gap(store):
    add_schedule(store, channel="C1", window_minutes=5)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    scheduler = make_scheduler(store, board, spacing=0.0, channel_gap=1.1)
    await scheduler.tick()
    board.clock.advance(minutes=6)
    await scheduler.tick()  # the reveal goes to the same channel right away
    assert board.kinds() == ["quiz", "reveal"]
    assert board.posts[1].mono - board.posts[0].mono >= 1.1


async def test_paused_and_removed_schedules_do_not_post(store):
    schedule = add_schedule(store, channel="C1")
    from dataclasses import replace

    store.schedules.save_schedule(replace(schedule, paused=True), now=utc(2025, 1, 1))
    add_schedule(store, channel="C2")
    store.schedules.remove_schedule(schedule.channel.__class__("slack", "T1", "C2"))
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    await make_scheduler(store, board).tick()
    assert board.posts == []


async def test_review_reminders_go_out_at_the_learners_time_when_cards_are_due(store):
    ana = LearnerRef("slack", "T1", "UANA", "Ana")
    ana_id = store.learners.upsert_learner(ana)
    store.learners.save_learner_settings(ana_id, LearnerSettings("Europe/Warsaw", True,
                                                        parse_hhmm("08:30")))
    first = review(new_card("ai-01", utc(2025, 1, 10)), True, utc(2025, 1, 10))
    store.reviews.update_card(ana_id, "ai-01", lambda _: first)  # due 12 January
    board = Board(Clock(utc(2025, 1, 11, 7, 0)))
    scheduler = make_scheduler(store, board)
    await tick_until(scheduler, board.clock, utc(2025, 1, 11, 12), timedelta(minutes=30))
    assert board.posts == []  # nothing due on the 11th
    board.clock.now = utc(2025, 1, 12, 7, 0)
    await tick_until(scheduler, board.clock, utc(2025, 1, 12, 12), timedelta(minutes=30))
    assert board.kinds() == ["reminder"]
    assert board.posts[0].channel.channel == "@UANA"
    assert board.posts[0].at == utc(2025, 1, 12, 7, 30)  # 08:30 in Warsaw


async def test_the_weekly_digest_posts_monday_morning_once(store):
    store.workspaces.save_workspace_settings(WorkspaceSettings("slack", "T1", "Europe/Warsaw", "CLEADS"))
    board = Board(Clock(utc(2025, 1, 13, 7, 0)))  # Monday 08:00 local
    executor = ThreadExecutor()
    scheduler = make_scheduler(store, board, executor=executor)
    await tick_until(scheduler, board.clock, utc(2025, 1, 13, 12), timedelta(minutes=30))
    assert board.kinds() == ["digest"] and board.posts[0].channel.channel == "CLEADS"
    assert board.posts[0].at == utc(2025, 1, 13, 8, 0)
    assert board.posts[0].reply.images and executor.jobs == ["cohort"]


async def test_a_schedule_removed_while_answers_are_open_still_gets_its_reveal(store):
    schedule = add_schedule(store, channel="C7", window_minutes=30)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    scheduler = make_scheduler(store, board)
    await scheduler.tick()
    assert board.kinds() == ["quiz"]
    assert store.schedules.remove_schedule(schedule.channel)
    await tick_until(scheduler, board.clock, utc(2025, 1, 15, 9, 30), timedelta(minutes=1))
    assert board.kinds() == ["quiz", "reveal"]
    assert board.posts[1].channel == schedule.channel
    assert board.posts[1].at == utc(2025, 1, 15, 8, 30)
    board.clock.advance(minutes=10)  # past any claim deadline: nothing left to retry
    await make_scheduler(store, board, "other").tick()
    assert board.kinds() == ["quiz", "reveal"]


async def test_a_schedule_made_after_a_removal_posts_the_same_day(store):
    removed = add_schedule(store, channel="C7", at="09:00")
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    await make_scheduler(store, board).tick()
    store.schedules.remove_schedule(removed.channel)
    added = add_schedule(store, channel="C8", at="10:00", since=utc(2025, 1, 15, 8, 5))
    assert added.id != removed.id  # the removed schedule's claims still name its id
    board.clock.now = utc(2025, 1, 15, 9, 0)
    await make_scheduler(store, board).tick()
    posted = sorted(zip(board.kinds(), [p.channel.channel for p in board.posts], strict=True))
    assert posted == [("quiz", "C7"), ("quiz", "C8"), ("reveal", "C7")]


class FullPool(ThreadExecutor):
    """A pool whose workers are all busy with learners' demos for the first ``busy`` jobs."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy

    async def submit(self, fn, *args, key, timeout, on_progress=None):
        if self.busy:
            self.busy -= 1
            raise Busy("I'm busy with other demos right now; try again in a few seconds.")
        return await super().submit(fn, *args, key=key, timeout=timeout)


async def test_a_full_pool_delays_the_reveal_but_does_not_drop_it(store):
    add_schedule(store, window_minutes=5)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    scheduler = make_scheduler(store, board, executor=FullPool(busy=2), spacing=0.0,
                               channel_gap=0.0)
    await scheduler.tick()
    board.clock.advance(minutes=5)
    report = await scheduler.tick()
    assert board.kinds() == ["quiz", "reveal"] and report.failed == []
    assert board.slept == [1.0, 2.0]  # waited for room twice, then rendered


async def test_a_pool_full_for_too_long_still_reveals_with_the_chart_drawn_in_a_thread(store):
    add_schedule(store, window_minutes=5)
    board = Board(Clock(utc(2025, 1, 15, 8, 0)))
    pool = FullPool(busy=4)
    scheduler = make_scheduler(store, board, executor=pool, spacing=0.0, channel_gap=0.0)
    await scheduler.tick()
    board.clock.advance(minutes=5)
    report = await scheduler.tick()
    assert report.failed == [] and board.kinds() == ["quiz", "reveal"]  # on time, not lost
    assert board.slept == [1.0, 2.0, 4.0]  # waited for room three times, then drew it itself
    [image] = board.posts[1].reply.images
    assert image.data.startswith(b"\x89PNG") and "How the channel answered" in image.alt
    assert pool.jobs == []  # the pool never ran it


def store_question_kind(question_id: str) -> str:
    """The kind of a built-in question (true/false options are named, not lettered)."""
    return default_curriculum().question(question_id).kind
