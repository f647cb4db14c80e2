"""Daily quizzes on Discord end to end: /quiz-schedule and /cohort from the channel they
are typed in, and the scheduler (on an injected clock) posting through the Discord poster
into that channel, the reveal with its chart, answers by button, and DM reminders.
Real discord.py against the loopback fake, a real worker pool, SQLite and Postgres."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import discord

from bot import migrate
from bot.app import running_scheduler
from bot.discord.poster import ChannelPoster
from engine.domain.records import ChannelRef, LearnerRef
from engine.domain.replies import Button, Image, Reply
from engine.learning.curriculum import default_curriculum
from engine.learning.review import new_card, review
from engine.learning.schedule import QuizSchedule
from engine.services.scheduler import SchedulerConfig
from engine.services.tutor import Tutor
from engine.storage.db import make_engine
from engine.storage.repository import SqlStore
from testkit.discord_payloads import LEARNER_ID, click, custom_ids, slash
from testkit.fake_discord import CHANNEL_ID, GUILD_ID, MANAGE_GUILD
from tests.bot.discord.conftest import png
from tests.engine.daily_helpers import Clock, utc

FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
CHANNEL_POST = rf"^/channels/{CHANNEL_ID}/messages$"
EPHEMERAL = 64
HERE = ChannelRef("discord", GUILD_ID, CHANNEL_ID)
FAST = SchedulerConfig(tick_seconds=0.02, spacing=0.0, channel_gap=0.0)
PNG = b"\x89PNG\r\n\x1a\n"
FACILITATOR_ID = "1400000000000000009"
ROOT = Path(__file__).resolve().parents[3]


def answer_to(fake, payload):
    [answer] = [c for c in fake.find("POST", FOLLOW_UP) if payload["token"] in c.path]
    return answer


async def command(fake, payload):
    """Dispatch a slash command and return its (only) follow-up."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_until(lambda: any(payload["token"] in c.path
                                      for c in fake.find("POST", FOLLOW_UP)))
    return answer_to(fake, payload)


def schedule_quiz(**options):
    return slash("quiz-schedule", {"action": "set", **options}, user_id=FACILITATOR_ID,
                 permissions=MANAGE_GUILD)


async def test_quiz_schedule_and_cohort_digest_act_on_the_channel_for_managers_only(
        start_bot, fake):
    async with start_bot(Tutor) as bot:
        store = bot.tutor.store
        allowed = await command(fake, schedule_quiz(time="09:00", tz="Europe/Warsaw",
                                                    days="weekdays", window=45))
        refused = await command(fake, slash("quiz-schedule", {"action": "set", "time": "07:00"},
                                            permissions=0))
        refused_pause = await command(fake, slash("quiz-schedule", {"action": "pause"}))
        digest = await command(fake, slash("cohort", {"digest": "here"}, user_id=FACILITATOR_ID,
                                           permissions=MANAGE_GUILD))
        schedule = store.schedules.get_schedule(HERE)
        workspace = store.workspaces.workspace_settings("discord", GUILD_ID)
    assert allowed.json["flags"] == EPHEMERAL
    assert "**Daily quiz set** for this channel: 09:00 Europe/Warsaw, weekdays" in (
        allowed.json["content"])
    for answer in (refused, refused_pause):
        assert answer.json["flags"] == EPHEMERAL
        assert "`/quiz-schedule` is for facilitators" in answer.json["content"]
    assert schedule is not None and schedule.channel == HERE
    assert (f"{schedule.at:%H:%M}", schedule.timezone, schedule.window_minutes,
            schedule.paused) == ("09:00", "Europe/Warsaw", 45, False)  # refusals changed nothing
    assert workspace.digest_channel == CHANNEL_ID and workspace.timezone == "Europe/Warsaw"
    assert "posted Mondays 09:00 Europe/Warsaw to this channel" in digest.json["content"]
    assert digest.files[0][2].startswith(PNG)


def posted(fake, text, pattern=CHANNEL_POST):
    """Channel messages (POST /channels/{id}/messages) whose content contains ``text``."""
    return [c for c in fake.find("POST", pattern) if text in (c.json or {}).get("content", "")]


def quiz_posts(fake):
    return posted(fake, "Daily quiz")


async def wait_posted(fake, text, pattern=CHANNEL_POST):
    await fake.wait_until(lambda: posted(fake, text, pattern))
    return posted(fake, text, pattern)


async def test_the_scheduler_posts_the_quiz_once_a_click_answers_it_then_the_reveal(
        start_bot, fake):
    clock = Clock(utc(2026, 3, 6, 7, 0))  # Friday 08:00 in Warsaw (UTC+1 in March)
    async with start_bot(Tutor, clock=clock, scheduler=FAST) as bot:
        store = bot.tutor.store
        await command(fake, schedule_quiz(time="09:00", tz="Europe/Warsaw", days="weekdays",
                                          window=30))
        await asyncio.sleep(0.2)  # ticks before quiz time post nothing
        assert not fake.find("POST", CHANNEL_POST)
        # a second instance ticks against the same database: the claim lets one post
        async with running_scheduler(bot.tutor, {"discord": ChannelPoster(bot, bot.tutor.store.actions.save_action)}, config=FAST):
            clock.now = utc(2026, 3, 6, 8, 0, 5)  # 09:00:05 in Warsaw
            await fake.wait_until(lambda: quiz_posts(fake))
            await asyncio.sleep(0.4)  # twenty-odd more ticks of each instance
        [quiz] = quiz_posts(fake)
    rows = quiz.json["components"]
    buttons = [b for row in rows for b in row["components"]]
    prompt_id = int(re.fullmatch(r"quiz:(\d+):0", buttons[0]["custom_id"])[1])
    assert [b["custom_id"] for b in buttons] == [f"quiz:{prompt_id}:{i}"
                                                 for i in range(len(buttons))]
    assert "Answers close at 09:30 Europe/Warsaw" in quiz.json["content"]
    assert quiz.json["allowed_mentions"] == {"parse": []} and not quiz.files
    claims = [c for c in fake.calls if c.method == "POST" and re.search(CHANNEL_POST, c.path)]
    assert len(claims) == 1  # one attempt at posting, not one failure and a retry
    prompt = store.quizzes.get_prompt(prompt_id)
    question = default_curriculum().question(prompt.question_id)
    wrong = (question.answer + 1) % len(question.options)
    message = fake.messages[next(m for m, data in fake.messages.items()
                                 if data["components"] and "Daily quiz" in data["content"])]
    assert message["channel_id"] == CHANNEL_ID

    async with start_bot(Tutor, clock=clock, scheduler=FAST) as bot:  # restarted
        clock.now = utc(2026, 3, 6, 8, 10)
        pressed = click(message, custom_ids(message)[wrong])
        verdict = await command(fake, pressed)
        assert store.quizzes.prompt_choices(prompt_id) == [wrong]  # the attempt is recorded
        clock.now = utc(2026, 3, 6, 8, 31)  # the answers have closed
        [reveal] = await wait_posted(fake, "Answers closed")
        await asyncio.sleep(0.2)
    assert verdict.json["flags"] == EPHEMERAL and "Not quite" in verdict.json["content"]
    assert len(quiz_posts(fake)) == 1  # the restart posted the quiz again neither
    assert "0 of 1 right" in reveal.json["content"]
    [(name, _, data)] = reveal.files
    assert name == "daily-quiz-answers.png" and data.startswith(PNG)
    reveal_ids = [b["custom_id"] for row in reveal.json["components"] for b in row["components"]]
    assert any(i.startswith("run:/learn ") for i in reveal_ids)
    assert len(fake.find("POST", r"^/channels/\d+/messages$")) == 2  # quiz and reveal


async def test_the_poster_splits_long_text_attaches_pictures_and_waits_out_a_429(
        start_bot, fake):
    fake.fail_next("POST", CHANNEL_POST, 429,
                   {"message": "You are being rate limited.", "retry_after": 0.3,
                    "global": False},
                   headers={"Retry-After": "1", "Via": "1.1 google", "X-RateLimit-Scope": "user"})
    long_text = "\n".join(f"line {i}: " + "words " * 12 for i in range(60))  # ~4 700 chars
    reply = Reply(long_text, images=(Image("chart.png", png(), "a chart"),),
                  buttons=(Button("quiz:7:0", "A"), Button("quiz:7:1", "B")))
    async with start_bot() as bot:
        ref = await ChannelPoster(bot, bot.tutor.store.actions.save_action)(HERE, reply)
    attempts = [c for c in fake.calls if c.method == "POST" and re.search(CHANNEL_POST, c.path)]
    assert [c.status for c in attempts] == [429, 200, 200, 200]
    assert attempts[1].at - attempts[0].at >= 0.3  # waited as Discord asked
    sent = attempts[1:]
    assert all(len(c.json["content"]) <= 2000 for c in sent)
    assert "\n".join(c.json["content"] for c in sent) == long_text
    assert [bool(c.files) for c in sent] == [False, False, True]  # pictures and buttons last
    assert sent[-1].files[0][0] == "chart.png" and sent[-1].files[0][2].startswith(PNG)
    assert [c.json.get("components") for c in sent[:-1]] == [[], []]
    assert custom_ids(fake.messages[ref]) == ["quiz:7:0", "quiz:7:1"]  # the last message's id


async def test_a_refused_quiz_post_is_not_retried_in_a_loop_but_after_the_claim_deadline(
        start_bot, fake):
    clock = Clock(utc(2026, 3, 6, 7, 0))
    fake.fail_next("POST", CHANNEL_POST, 403, {"message": "Missing Access", "code": 50001})
    async with start_bot(Tutor, clock=clock, scheduler=FAST):
        await command(fake, schedule_quiz(time="09:00", tz="Europe/Warsaw"))
        clock.now = utc(2026, 3, 6, 8, 0, 5)
        await fake.wait_until(lambda: any(c.status == 403 for c in fake.calls))
        await asyncio.sleep(0.4)  # twenty-odd ticks: none tries again
        assert not quiz_posts(fake)
        clock.now = utc(2026, 3, 6, 8, 6)  # past the 5-minute claim deadline
        await wait_posted(fake, "Daily quiz")
        await asyncio.sleep(0.2)
    attempts = [c for c in fake.calls if c.method == "POST" and re.search(CHANNEL_POST, c.path)]
    assert [c.status for c in attempts] == [403, 200]


async def test_tutorbot_discord_runs_the_daily_quiz_scheduler(fake, tmp_path):
    """The console script itself: once connected, a quiz due this minute is posted."""
    now = datetime.now(UTC)
    url = f"sqlite:///{tmp_path / 'tutorbot.db'}"
    migrate.upgrade(url)
    store = SqlStore(make_engine(url))
    store.schedules.save_schedule(QuizSchedule(HERE, time(now.hour, now.minute), "UTC", "everyday"),
                        now=now - timedelta(hours=1))
    store.engine.dispose()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "TUTORBOT_"))}
    env.update(fake.env(), TUTORBOT_DATABASE_URL=url, TUTORBOT_DATA_DIR=str(tmp_path / "data"),
               TUTORBOT_WORKERS="1", TUTORBOT_LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "discord", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        [quiz] = await wait_posted(fake, "Daily quiz")
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    ids = [b["custom_id"] for row in quiz.json["components"] for b in row["components"]]
    assert ids and all(i.startswith("quiz:") for i in ids)
    assert len(quiz_posts(fake)) == 1 and "Traceback" not in err.decode()
    # the fewest intents (servers, and the messages /ask answers: @mentions and DMs), so no
    # privileged message content; commands are not synced on start
    assert fake.identify["intents"] == discord.Intents(guilds=True, guild_messages=True,
                                                       dm_messages=True).value
    assert not fake.identify["intents"] & discord.Intents(message_content=True).value
    assert not [c for c in fake.calls if c.method == "PUT" and re.fullmatch(
        r"/applications/\d+(/guilds/\d+)?/commands", c.path)]


async def test_a_due_review_is_a_dm_whose_buttons_act_in_the_server(start_bot, fake):
    """A DM belongs to no server: the reminder's buttons carry the server, so "Review now"
    reviews the server's cards and "Stop reminders" stops them."""
    clock = Clock(utc(2026, 3, 6, 8, 0))  # Friday 09:00 in Warsaw
    learner = LearnerRef("discord", GUILD_ID, LEARNER_ID)
    question = default_curriculum().questions[0]
    async with start_bot(Tutor, clock=clock, scheduler=FAST) as bot:
        store = bot.tutor.store
        await command(fake, slash("settings", {"timezone": "Europe/Warsaw", "reminders": True,
                                               "reminder_time": "10:00"}))
        learner_id = store.learners.upsert_learner(learner)  # answered wrong on Friday: due Saturday
        store.reviews.update_card(learner_id, question.id,
                          lambda _: review(new_card(question.id, clock()), False, clock()))
        clock.now = utc(2026, 3, 7, 9, 0, 5)  # Saturday 10:00 in Warsaw
        [reminder] = await wait_posted(fake, "due for review", r"^/channels/\d+/messages$")
        dm = fake.messages[next(m for m, data in fake.messages.items()
                                if "due for review" in data["content"])]
        review_now, stop = custom_ids(dm)
        shown = await command(fake, click(dm, review_now, guild=False))
        asked = fake.messages[next(m for m, data in fake.messages.items()
                                   if ":quiz:" in "".join(custom_ids(data)))]
        prompt_id = int(custom_ids(asked)[0].split(":")[3])
        await command(fake, click(asked, custom_ids(asked)[question.answer], guild=False))
        await command(fake, click(dm, stop, guild=False))
        choices = store.quizzes.prompt_choices(prompt_id)
        settings = store.learners.learner_settings(learner_id)
        dm_learners = store.workspaces.workspace_learners("discord", "dm")
    [opened] = fake.find("POST", r"^/users/@me/channels$")
    assert str(opened.json["recipient_id"]) == LEARNER_ID and opened.at < reminder.at
    assert reminder.path != f"/channels/{CHANNEL_ID}/messages"  # the DM channel it opened
    assert "1 question is due for review" in reminder.json["content"]
    assert (review_now, stop) == (f"in:{GUILD_ID}:run:/review",
                                  f"in:{GUILD_ID}:run:/settings reminders=off")
    assert "**Review** · 1 due" in shown.json["content"] and question.prompt[:40] in (
        shown.json["content"])
    assert custom_ids(asked)[0] == f"in:{GUILD_ID}:quiz:{prompt_id}:0"
    assert store.quizzes.get_prompt(prompt_id).learner_key == learner.key
    assert choices == [question.answer]  # recorded for the server's learner
    assert settings.reminders is False and not dm_learners
