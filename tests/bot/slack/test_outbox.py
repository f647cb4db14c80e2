"""The outbox against the fake Web API: progress updated in place, then replaced."""

import asyncio
import io

from PIL import Image as PILImage
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.origin import Origin
from bot.slack.outbox import Outbox
from engine.domain.replies import Button, Image, Invocation, Progress, Reply


def png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (64, 32), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def outbox(fake, **origin) -> Outbox:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    where = Origin(**{"team_id": "T1", "user_id": "U1", "channel": "C1", **origin})
    return Outbox(client, where, label="/train-demo")


async def test_progress_is_posted_updated_then_replaced_by_the_result(fake):
    box = outbox(fake, thread_ts="3.000001")
    box.progress._first_delay, box.progress._interval = 0.0, 0.05
    for step in range(1, 4):
        await box.progress.report(Progress(f"epoch {step * 10}/30", step / 3))
        await asyncio.sleep(0.15)
    reply = Reply("**Test accuracy 97%**", images=(Image("run.png", png(), "a decision map"),),
                  buttons=(Button("run:/train-demo seed=4", "Run again"),),
                  command=Invocation("train-demo", (("seed", "3"),)))
    await box.deliver(reply)
    methods = [c.method for c in fake.calls]
    assert methods[0] == "chat.postMessage" and methods[1] == "chat.update"
    assert methods[-4:] == ["files.getUploadURLExternal", "upload",
                            "files.completeUploadExternal", "chat.update"]
    post = fake.named("chat.postMessage")[0]
    assert post.params["thread_ts"] == "3.000001" and "epoch 10/30" in post.params["text"]
    updates = fake.named("chat.update")
    assert {u.params["ts"] for u in updates} == {post.answer["ts"]}
    assert "epoch 30/30" in updates[-2].params["text"]
    final = fake.blocks(updates[-1])  # the progress message becomes the whole answer
    assert [b["type"] for b in final] == ["section", "image", "actions", "context"]
    assert final[0]["text"]["text"] == "*Test accuracy 97%*"
    complete = fake.named("files.completeUploadExternal")[0]
    assert "channel_id" not in complete.params and "thread_ts" not in complete.params
    assert final[1]["slack_file"]["id"] == complete.answer["files"][0]["id"]
    assert final[1]["alt_text"] == "a decision map"
    assert final[2]["elements"][0]["action_id"] == "run:/train-demo seed=4"
    assert "`/train-demo seed=3`" in final[3]["elements"][0]["text"]


async def test_failed_request_marks_its_progress_message_stopped(fake):
    box = outbox(fake)
    box.progress._first_delay = 0.0
    await box.progress.report(Progress("training", 0.5))
    await fake.wait_for(lambda: fake.named("chat.postMessage"))
    await box.abandon()
    assert "stopped" in fake.named("chat.update")[-1].params["text"]


async def test_private_answers_in_a_channel_and_in_a_dm(fake):
    await outbox(fake).private("only **you**")
    await outbox(fake, channel="DU1", is_im=True).private("in the DM")
    (ephemeral,) = fake.named("chat.postEphemeral")
    assert ephemeral.params["user"] == "U1" and ephemeral.params["text"] == "only *you*"
    (dm,) = fake.named("chat.postMessage")
    assert dm.params["channel"] == "DU1"


async def test_text_reply_without_pictures_is_one_message_with_buttons(fake):
    await outbox(fake).deliver(Reply("Question 1: what is a token?",
                                     buttons=(Button("quiz:1:0", "A word"),
                                              Button("quiz:1:1", "A piece of text"))))
    (post,) = fake.named("chat.postMessage")
    blocks = fake.blocks(post)
    assert [e["action_id"] for e in blocks[1]["elements"]] == ["quiz:1:0", "quiz:1:1"]
    assert blocks[-1]["type"] == "context" and "<@U1>" in blocks[-1]["elements"][0]["text"]


async def test_private_reply_with_a_picture_goes_to_the_dm(fake):
    await outbox(fake).deliver(Reply("just for you", images=(Image("p.png", png(), "x"),),
                                     buttons=(Button("run:/quiz", "Another"),),
                                     ephemeral=True))
    (opened,) = fake.named("conversations.open")
    (complete,) = fake.named("files.completeUploadExternal")
    assert opened.params["users"] == "U1" and complete.params["channel_id"] == "DU1"
    assert "just for you" in complete.params["initial_comment"]
    (note,) = fake.named("chat.postEphemeral")  # the text and buttons stay in the channel
    assert note.params["channel"] == "C1" and note.params["user"] == "U1"
    assert "just for you" in note.params["text"] and "direct message" in note.params["text"]
    assert fake.blocks(note)[-1]["elements"][0]["action_id"] == "run:/quiz"
    assert not fake.named("chat.postMessage")


async def test_scheduled_post_with_a_picture_and_buttons_has_no_asker_footer(fake):
    box = Outbox(AsyncWebClient(token="xoxb-test", base_url=fake.api_url),
                 Origin(team_id="T1", user_id="", channel="C1"))
    ts = await box.deliver(Reply("**Answers closed**", images=(Image("c.png", png(), "chart"),),
                                 buttons=(Button("run:/learn attention", "Learn more"),)))
    (complete,) = fake.named("files.completeUploadExternal")
    (message,) = fake.named("chat.postMessage")  # one message: text, chart and buttons
    assert ts == message.answer["ts"] and message.at > complete.at
    blocks = fake.blocks(message)
    assert [b["type"] for b in blocks] == ["section", "image", "actions"]  # no asker footer
    assert blocks[0]["text"]["text"] == "*Answers closed*"
