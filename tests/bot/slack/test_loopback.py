"""SLACK_API_URL is used for every call: with every look-up and connection off loopback
refused (``testkit/loopback.py``, autouse here), whole answers still arrive at the fake."""

import socket

import aiohttp
import pytest

from testkit.loopback import OffLoopback
from testkit.slack_requests import action_body

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_command_a_button_and_the_dm_fallback_stay_on_slack_api_url(harness, loopback):
    fake = harness.fake
    await harness.command("tokenize", "an upload", user="U1")
    await fake.wait_for(lambda: len(fake.pictures()) == 1)
    await harness.post(action_body(fake, "run:/tokenize a button", user="U2"))
    await fake.wait_for(lambda: len(fake.pictures()) == 2)
    fake.not_member.add("C9")
    await harness.command("tokenize", "not a member here", user="U3", channel="C9")
    await fake.wait_for(lambda: len(fake.pictures()) == 3 and fake.named("response"))
    answers = fake.pictures()
    assert [c.params["channel"] for c in answers] == ["C1", "C1", "DU3"]  # DM fallback
    assert all(u.data.startswith(PNG) for u in fake.named("upload"))
    assert "/invite @tutorbot" in fake.named("response")[0].params["text"]
    assert len(harness.runs("U1")) == len(harness.runs("U2")) == len(harness.runs("U3")) == 1
    fake_port = int(fake.base.rsplit(":", 1)[1])
    assert ("127.0.0.1", fake_port) in loopback.connected  # the guard saw the calls go out
    assert loopback.refused == []


async def test_the_guard_refuses_look_ups_and_connections_off_loopback(loopback):
    with pytest.raises(OffLoopback):
        socket.getaddrinfo("slack.com", 443)
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectorError):  # a name: refused at the look-up
            await http.get("https://slack.com/api/auth.test")
        with pytest.raises(aiohttp.ClientConnectorError):  # an address: at the connection
            await http.get("http://192.0.2.1/api/auth.test")
    assert loopback.refused == ["look-up of slack.com:443", "look-up of slack.com:443",
                                "connection to 192.0.2.1:80"]
    loopback.refused.clear()  # refused on purpose: the test's end must not fail for them
