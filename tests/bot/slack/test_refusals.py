"""When Slack refuses our answer the learner is told it was Slack, and what helps; not
"something went wrong on my side" (issue 15). Real HTTP against the loopback fake Slack."""

import logging


async def test_slack_500s_on_the_upload_are_slacks_side(harness, caplog):
    fake = harness.fake
    fake.fail_next("files.getUploadURLExternal", 500, times=3)  # the first try and 2 retries
    with caplog.at_level(logging.DEBUG):
        await harness.command("tokenize", "hello world")
        await fake.wait_for(lambda: fake.named("response"))
    text = fake.named("response")[-1].params["text"]
    assert "Slack refused my answer (HTTP 500" in text and "Slack's side" in text
    assert "on my side" not in text
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING
                and "refused the answer" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "SlackApiError" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_revoked_token_says_ask_an_admin_to_reinstall(harness):
    fake = harness.fake
    await harness.command("help")  # Bolt checks the token once (auth.test) and keeps it
    await fake.wait_for(lambda: fake.named("response"))
    fake.revoked.add("xoxb-test")  # then an admin revokes it
    await harness.command("tokenize", "hello world")
    await fake.wait_for(lambda: len(fake.named("response")) == 2)
    text = fake.named("response")[-1].params["text"]
    assert "Slack refused my answer (`token_revoked`" in text and "reinstall" in text
    assert harness.runs() != []  # the demo itself ran and was recorded
