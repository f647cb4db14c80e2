"""Fixtures shared by the platform adapters' tests."""

import pytest

from testkit.recording_proxy import RecordingProxy

PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "WS_PROXY", "WSS_PROXY")


@pytest.fixture
async def proxy(monkeypatch):
    """A loopback proxy recording what passes through it, set as HTTP_PROXY and HTTPS_PROXY
    (the fakes speak http:// and ws://) with every other proxy variable cleared."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    async with RecordingProxy() as running:
        monkeypatch.setenv("HTTP_PROXY", running.url)
        monkeypatch.setenv("HTTPS_PROXY", running.url)
        yield running
