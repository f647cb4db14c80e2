"""Discord traffic -- REST and the gateway -- honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY
(issue 15). A loopback proxy records what passes through it."""

from testkit.discord_payloads import slash

FOLLOW_UP = r"^/webhooks/\d+/[^/]+$"


async def test_rest_and_the_gateway_go_through_the_proxy(start_bot, fake, proxy):
    async with start_bot():
        await fake.dispatch("INTERACTION_CREATE", slash("tokenize", {"text": "via proxy"}))
        await fake.wait_for("POST", FOLLOW_UP, timeout=60)
    through = [t.removeprefix(fake.api_base.rsplit("/api", 1)[0]) for t in proxy.targets()]
    assert any(t.startswith("/api/v10/users/@me") for t in through), through
    assert any("/callback" in t for t in through)  # the defer
    assert any(t.startswith("/api/v10/webhooks/") for t in through)  # the answer
    assert any("gateway" in t or t.startswith("ws") for t in proxy.targets()), through


async def test_no_proxy_goes_direct(start_bot, fake, proxy, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with start_bot():
        await fake.dispatch("INTERACTION_CREATE", slash("tokenize", {"text": "direct"}))
        await fake.wait_for("POST", FOLLOW_UP, timeout=60)
    assert proxy.seen == []
