"""Every Slack call honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY -- the Web API, the picture
bytes posted to the upload_url Slack hands back, and response_urls (issue 15). A loopback
proxy records what passes through it."""


async def test_every_slack_call_and_the_picture_upload_go_through_the_proxy(harness, proxy):
    fake = harness.fake
    await harness.command("tokenize", "hello proxy")
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    [upload] = fake.named("upload")
    through = [t.removeprefix(fake.base).split("?")[0] for t in proxy.targets()]
    assert "/api/files.getUploadURLExternal" in through
    assert f"/upload/{upload.params['file_id']}" in through  # the bytes to the upload_url
    assert "/api/files.completeUploadExternal" in through
    # every call the fake saw came through the proxy
    assert len(through) >= len([c for c in fake.calls])


async def test_a_response_url_goes_through_the_proxy(harness, proxy):
    fake = harness.fake
    await harness.command("help")
    await fake.wait_for(lambda: fake.named("response"))
    assert any(t.startswith(f"{fake.base}/response/") for t in proxy.targets())


async def test_no_proxy_sends_those_hosts_direct(harness, proxy, monkeypatch):
    fake = harness.fake
    await harness.command("help")  # Bolt's one auth.test (before any middleware of ours)
    await fake.wait_for(lambda: fake.named("response"))
    proxy.seen.clear()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    await harness.command("tokenize", "hello direct")
    await fake.wait_for(lambda: fake.named("files.completeUploadExternal"))
    assert fake.named("upload") and proxy.seen == [], [t.split("?")[0] for t in proxy.targets()]
