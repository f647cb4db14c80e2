"""/train-demo's job: replies, exact commands, facts, hints, buttons, refusals, progress."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from engine.commands import LINE
from engine.commands.parsing import parse
from engine.demos.mlp import MLPConfig
from engine.demos.training import EpochReport, train
from engine.domain.errors import BadInput, BadOption, Refused
from engine.domain.replies import Progress, no_progress
from engine.jobs import train_demo

PNG = b"\x89PNG\r\n\x1a\n"


def answer(line: str, progress=no_progress):
    return train_demo.run(parse(line), progress)


def test_the_default_run_answers_picture_command_facts_hint_and_buttons():
    reply = answer("/train-demo seed=3")
    assert LINE.invocation(reply.command) == "/train-demo seed=3"
    (image,) = reply.images
    assert image.data.startswith(PNG) and image.mime == "image/png"
    assert PILImage.open(io.BytesIO(image.data)).size == (1200, 480)
    facts = reply.facts
    assert facts["test_accuracy"] > 0.95 and facts["epochs"] == 100 and not facts["diverged"]
    assert facts["test_loss"] == pytest.approx(train(MLPConfig(seed=3)).test_loss[-1], abs=1e-6)
    assert "test accuracy **" in reply.text and "_What to notice:_" in reply.text
    ids = [b.id for b in reply.buttons]
    assert "run:/train-demo layers=0 seed=3" in ids
    assert "run:/train-demo seed=3 animate=yes" in ids
    assert ids[-2] == "run:/train-demo"  # new data: the Tutor draws a fresh seed
    link = reply.buttons[-1]  # keep playing in the TensorFlow Playground
    assert link.id == "link:playground" and link.url.startswith(
        "https://playground.tensorflow.org/#activation=tanh&")
    for button_id in ids[:-1]:  # every other button is a valid command
        parse(button_id.removeprefix("run:"))


def test_same_command_and_seed_give_identical_bytes():
    for line in ("/train-demo dataset=xor layers=3 seed=8 show_test=yes",
                 "/train-demo animate=yes epochs=30 seed=8",
                 "/train-demo compare=lr:0.01,0.3 epochs=20 seed=8"):
        first, second = answer(line), answer(line)
        assert first.images[0].data == second.images[0].data, line
        assert first.facts == second.facts and first.text == second.text
    assert answer("/train-demo seed=8").images[0].data != answer("/train-demo seed=9").images[0].data


def test_the_command_is_canonical_and_reproduces_the_reply():
    reply = answer("/train-demo features=x2sq,x1sq,x1,x2 layers= seed=4")
    assert LINE.invocation(reply.command) == "/train-demo features=x1,x2,x1sq,x2sq layers=0 seed=4"
    again = answer(LINE.invocation(reply.command))
    assert again.images[0].data == reply.images[0].data


def test_no_hidden_layer_on_xor_explains_the_straight_line():
    reply = answer("/train-demo dataset=xor layers=0 seed=2")
    assert reply.facts["test_accuracy"] < 0.75
    assert "only draw one straight line" in reply.text
    assert "run:/train-demo dataset=xor layers=4 epochs=200 seed=2" in [b.id for b in reply.buttons]


def test_divergence_gives_a_clear_reply_a_fix_and_a_sound_picture():
    reply = answer("/train-demo lr=10 batch=1 seed=2")  # diverges on every BLAS kernel
    assert reply.facts["diverged"] and reply.facts["fix"] == {"lr": 1.0}
    assert "The learning rate 10 is too high" in reply.text and "lr=1" in reply.text
    assert reply.buttons[0].id == "run:/train-demo lr=1 batch=1 seed=2"
    exploded = answer("/train-demo dataset=reg-plane lr=10 seed=1")
    assert exploded.facts["divergence"] in ("exploded", "nan") and exploded.facts["epochs"] == 0
    assert "**Training diverged** at epoch 1" in exploded.text
    image = PILImage.open(io.BytesIO(exploded.images[0].data))
    image.load()  # a complete, decodable picture of the last healthy state
    assert image.size == (1200, 480)


def test_animation_is_a_small_gif_of_at_most_40_frames():
    reply = answer("/train-demo animate=yes seed=2")
    (image,) = reply.images
    assert image.mime == "image/gif" and image.name.endswith(".gif")
    gif = PILImage.open(io.BytesIO(image.data))
    assert 2 <= gif.n_frames <= 40 and reply.facts["frames"] == gif.n_frames
    assert len(image.data) < 2 * 1024 * 1024
    assert "run:/train-demo seed=2 animate=yes" not in [b.id for b in reply.buttons]


def test_compare_trains_each_value_on_the_same_data():
    reply = answer("/train-demo compare=activation:relu,linear dataset=xor seed=6")
    runs = reply.facts["runs"]
    assert [r["value"] for r in runs] == ["relu", "linear"] and reply.facts["compare"] == "activation"
    alone = train(MLPConfig(dataset="xor", activation="linear", seed=6))
    assert runs[1]["test_loss"] == pytest.approx(alone.test_loss[-1], abs=1e-6)
    assert reply.facts["best"] == "relu" and runs[0]["test_accuracy"] > runs[1]["test_accuracy"]
    assert LINE.invocation(reply.command) == "/train-demo dataset=xor seed=6 compare=activation:relu,linear"
    assert "- `activation=relu`: test loss" in reply.text
    assert PILImage.open(io.BytesIO(reply.images[0].data)).size == (660, 590)  # 2 panels


BAD = {
    "/train-demo layers=4,,2": "`layers` must be 0 to 6 comma-separated whole numbers, each from "
                               "1 to 8, like 4,2 (0 for none); got '4,,2' (an empty item between commas)",
    "/train-demo layers=9": "got '9' (9 is out of range)",
    "/train-demo layers=8,8,8,8,8,8,8": "must be 0 to 6 comma-separated whole numbers",
    "/train-demo activation=tahn": "`activation` must be one of relu, tanh, sigmoid, linear; "
                                   "got 'tahn' (did you mean tanh?)",
    "/train-demo noise=-5": "`noise` must be a whole number from 0 to 50; got '-5'",
    "/train-demo epochs=10000": "`epochs` must be a whole number from 1 to 1000; got '10000'",
    "/train-demo lr=20": "`lr` must be a number from 1e-05 to 10",
    "/train-demo batch=0": "`batch` must be a whole number from 1 to 30",
    "/train-demo train_share=95": "`train_share` must be a whole number from 10 to 90",
    "/train-demo features=x1,x3": "`features` items must be from x1, x2, x1sq",
    "/train-demo dataset=spirals": "(did you mean spiral?)",
    "/train-demo compare=activation:relu": "(only 1 value)",
    "/train-demo compare=activation:relu,tahn": "In `compare`: `activation` must be one of",
    "/train-demo compare=colour:red,blue": "`compare` can compare dataset, noise",
}


@pytest.mark.parametrize("line", list(BAD))
def test_bad_input_is_named_exactly(line):
    with pytest.raises(BadInput) as err:
        answer(line)
    assert BAD[line] in err.value.user_message


def test_oversized_work_is_refused_with_the_limit():
    with pytest.raises(Refused) as err:
        answer("/train-demo batch=1 epochs=1000 layers=8,8,8,8,8,8 train_share=90 seed=1")
    message = err.value.user_message
    assert "the limit is 500,000" in message and "Use at most 158 epochs" in message
    with pytest.raises(Refused, match="over 4 runs"):
        answer("/train-demo batch=1 epochs=300 compare=layers:1/2/3/4 seed=1")
    with pytest.raises(BadOption, match="animate=yes` works on a single run"):
        answer("/train-demo animate=yes compare=lr:0.1,0.3 seed=1")


def test_this_job_trains_only_the_playground_network():
    with pytest.raises(Refused, match="model=transformer runs engine.jobs.train_transformer"):
        answer("/train-demo model=transformer")


def test_progress_reports_fractions_and_occasionally_a_picture():
    ticks = iter(range(1000))
    sent: list[Progress] = []
    config = MLPConfig(epochs=10)
    reporter = train_demo.Reporter(sent.append, config, "circle", text_every=2, image_every=6,
                                   clock=lambda: next(ticks))
    train(config, on_epoch=reporter)
    assert [p.fraction for p in sent] == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert "epoch 4/10" in sent[1].text
    with_image = [p for p in sent if p.image is not None]
    assert len(with_image) == 1 and with_image[0].image.data.startswith(PNG)


def test_work_counts_weight_updates():
    assert train_demo.work(MLPConfig()) == 100 * 25 * 3
    assert train_demo.work(MLPConfig(dataset="reg-gauss", batch=7, layers=())) == 100 * 86 * 1


def test_epoch_report_type_is_what_the_reporter_reads():
    report = EpochReport(3, 10, 0.5, 0.6, network=None)
    assert report.epoch / report.epochs == 0.3
