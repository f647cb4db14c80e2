"""A fake Discord on loopback, a real Tutor (worker pool + database) and the real bot.

Besides the real table (/help, /tokenize, ...) a few test-only commands exercise what the
real table does not have yet (every option type, progress, admin-only, failures). Their use
cases live in ``StageTutor``, a Tutor subclass: the adapter under test is untouched.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import numpy as np
import pytest
from PIL import Image as PILImage

from bot.app import build_tutor
from bot.discord.client import TutorBot
from bot.settings import CoreSettings, DiscordSettings
from engine.commands import SEED, Command, Request
from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    ChoiceOption,
    FloatOption,
    IntListOption,
    IntOption,
    TextArg,
)
from engine.commands.parsing import TABLE, CommandTable
from engine.domain.errors import Busy
from engine.domain.records import LearnerRef
from engine.domain.replies import Button, Image, Progress, Reply
from engine.services.scheduler import Clock, SchedulerConfig
from engine.services.tutor import Context, Tutor
from testkit.fake_discord import FakeDiscord
from testkit.loopback import LoopbackOnly, loopback_only

MANY = tuple(f"set{i:02d}" for i in range(30))  # more than Discord's 25 fixed choices
LONG_ACTION = "run:/tokenize " + " ".join(["persistent"] * 12)  # > 100 chars: stored in the db

EXTRA = (
    Command("echo-test", "Echo the typed options back (tests only)", options=(
        IntOption("noise", "noise in percent", 0, min=0, max=50),
        FloatOption("lr", "learning rate", 0.03, min=0.0001, max=10.0),
        ChoiceOption("activation", "activation function", "tanh",
                     choices=("relu", "tanh", "sigmoid", "linear")),
        BoolOption("bias", "use a bias", True),
        IntListOption("layers", "hidden layer sizes", (4, 2), max_items=6, item_min=1,
                      item_max=8),
        ChoiceOption("dataset", "one of many datasets", "set00", choices=MANY),
        ChoiceListOption("features", "input features", ("x1", "x2"),
                         choices=("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")),
        SEED), text=TextArg("note", "a free note", max_len=50, required=False)),
    Command("slow-test", "Report progress, then answer with a picture and a button",
            heavy=True),
    Command("admin-test", "A facilitator-only command (tests only)", admin=True),
    Command("busy-test", "Always busy after the defer (tests only)", heavy=True),
    Command("bug-test", "Has a bug (tests only)"),
    Command("gif-test", "Answer with a large animation (tests only)", heavy=True),
)


def noise_gif(frames: int = 24, size: int = 160, seed: int = 0) -> bytes:
    """An animation that barely compresses (random pixels), so it is large."""
    rng = np.random.default_rng(seed)
    dark = rng.integers(0, 60, 384)  # palette entries 0-127: the last frame
    bright = rng.integers(200, 256, 384)  # entries 128-255: every other frame
    palette = np.concatenate([dark, bright]).astype(np.uint8).tolist()
    pictures = []
    for index in range(frames):
        if index == frames - 1:  # the last frame: one dark colour (compresses to nothing)
            pixels = np.full((size, size), 5, dtype=np.uint8)
        else:
            pixels = rng.integers(128, 256, (size, size), dtype=np.uint8)
        picture = PILImage.fromarray(pixels, "P")
        picture.putpalette(palette)
        pictures.append(picture)
    out = io.BytesIO()
    pictures[0].save(out, format="GIF", save_all=True, append_images=pictures[1:],
                     duration=80, loop=0)
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


STAGE_TABLE = TABLE.with_commands(*EXTRA)


class StageTutor(Tutor):
    """The real Tutor plus use cases for the test-only commands."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("commands", STAGE_TABLE)
        super().__init__(*args, **kwargs, extra_handlers={
            "echo-test": self.echo_test, "slow-test": self.slow_test,
            "admin-test": self.admin_test, "busy-test": self.busy_test,
            "gif-test": self.gif_test, "bug-test": self.bug_test})

    async def echo_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        spec = self.commands[request.command]
        return Reply(text=f"echo {request.canonical(spec)}", command=request.invocation(spec),
                     facts={"admin": ctx.admin})

    async def slow_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        for step in range(1, 4):
            assert ctx.on_progress is not None
            await ctx.on_progress(Progress(f"step {step} of 3", step / 3))
            await asyncio.sleep(0.05)
        return Reply(text="**finished** after 3 steps", images=(Image("done.png", png(), "x"),),
                     buttons=(Button(LONG_ACTION, "Tokenize again", "primary"),))

    async def admin_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        return Reply(text="quiz scheduled", ephemeral=True)

    async def busy_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        raise Busy("I'm busy with other demos right now; try again in a few seconds.")

    async def gif_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        gif = await asyncio.to_thread(noise_gif)
        return Reply(text="an animation", images=(Image("training.gif", gif, "noise",
                                                        mime="image/gif"),))

    async def bug_test(self, learner: LearnerRef, request: Request, ctx: Context) -> Reply:
        raise RuntimeError("boom: a bug in a use case")


@pytest.fixture(autouse=True)
def loopback(monkeypatch) -> Iterator[LoopbackOnly]:
    """Nothing in these tests may look up or connect to a host off loopback."""
    with loopback_only(monkeypatch) as guard:
        yield guard


@pytest.fixture
def table() -> CommandTable:
    """The real command table plus the test-only commands (StageTutor and the bot use it)."""
    return STAGE_TABLE


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


def discord_settings(fake: FakeDiscord) -> DiscordSettings:
    return DiscordSettings(token="fake-token", api_base=fake.api_base,
                           gateway_url=fake.gateway_url)


@pytest.fixture
def start_bot(fake, db_url, tmp_path, table) -> Callable:
    """``async with start_bot() as bot``: a connected bot on a fresh worker pool, same db,
    serving as in production (the quiz scheduler beside it; a ``clock`` and a faster
    ``scheduler`` config for daily-quiz tests)."""

    @asynccontextmanager
    async def start(tutor_class: type[Tutor] = StageTutor, *, clock: Clock | None = None,
                    scheduler: SchedulerConfig | None = None) -> AsyncIterator[TutorBot]:
        core = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
        async with build_tutor(core, workers=1, prepare=False) as base:
            tutor = tutor_class(base.store, base.executor, **({"clock": clock} if clock else {}))
            await tutor.prepare()  # as build_tutor prepares the Tutor it builds
            bot = TutorBot(discord_settings(fake), tutor,
                           guild_ready_timeout=0.05)  # no guilds to wait for
            # as `tutorbot discord` runs it: the quiz scheduler starts once the bot is ready
            runner = asyncio.create_task(bot.serve("fake-token", scheduler=scheduler))
            try:
                await asyncio.wait_for(bot.connected.wait(), 30)
                yield bot
            finally:
                await bot.close()
                await asyncio.wait_for(runner, 10)

    return start
