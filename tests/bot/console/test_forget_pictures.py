"""/forget-me in the console also deletes the learner's pictures on disk, and only theirs
(issue 15): real worker pool, real database, real files."""

import io

from bot.app import build_tutor
from bot.console.adapter import ConsoleAdapter
from bot.settings import CoreSettings
from engine.domain.records import LearnerRef


async def test_forget_me_deletes_the_learners_pictures(db_url, tmp_path):
    settings = CoreSettings(database_url=db_url, data_dir=tmp_path / "data")
    images = tmp_path / "images"
    async with build_tutor(settings, workers=1, warmups=()) as tutor:
        ada = ConsoleAdapter(tutor, images, out=io.StringIO())
        bob = ConsoleAdapter(tutor, images, out=io.StringIO(),
                             learner=LearnerRef("console", "local", "bob", "bob"))
        assert await ada.answer("/tokenize my private words")
        assert await ada.answer("/progress")
        assert await bob.answer("/tokenize bob's words")
        mine = [p for p in images.iterdir() if p.name.startswith(ada_prefix(ada))]
        theirs = set(images.iterdir()) - set(mine)
        assert len(mine) == 2 and len(theirs) == 1
        assert await ada.answer("/forget-me")
        assert await ada.answer("1")  # "Yes, delete everything"
    said = ada.out.getvalue()
    assert "Done: I deleted everything" in said and "deleted the 2 picture(s)" in said
    assert set(images.iterdir()) == theirs  # Bob's picture stays


def ada_prefix(adapter: ConsoleAdapter) -> str:
    from bot.console.adapter import picture_owner

    return picture_owner(adapter.learner) + "-"
