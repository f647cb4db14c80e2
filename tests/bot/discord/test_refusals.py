"""When Discord refuses our answer the learner is told it was Discord, and what helps; not
"something went wrong on my side" (issue 15). Real discord.py against the loopback fake."""

import logging

from testkit.discord_payloads import slash

FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"
ORIGINAL = r"^/webhooks/\d+/[^/]+/messages/@original$"


def told(fake) -> str:
    """The text of the message that told the learner about the refusal ('' until sent)."""
    for call in fake.calls:
        content = (call.json or {}).get("content") if isinstance(call.json, dict) else None
        if call.status < 300 and content and "refused my answer" in content:
            return content
    return ""


async def test_a_refused_follow_up_is_discords_side(start_bot, fake, caplog):
    async with start_bot() as bot:
        assert bot
        fake.fail_next("POST", FOLLOW_UP, 403,
                       {"message": "Missing Permissions", "code": 50013})
        with caplog.at_level(logging.INFO):
            await fake.dispatch("INTERACTION_CREATE", slash("tokenize", {"text": "hi there"}))
            await fake.wait_until(lambda: told(fake), timeout=60)
            # the public "thinking" message is removed once the private answer is out
            await fake.wait_for("DELETE", ORIGINAL, timeout=30)
    told_text = told(fake)
    assert "Discord refused my answer (HTTP 403, code 50013" in told_text, told_text
    assert "Send Messages" in told_text and "on my side" not in told_text
    refused = [r for r in caplog.records if "refused the answer" in r.getMessage()]
    assert len(refused) == 1 and refused[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
