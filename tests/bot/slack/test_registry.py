"""Meta-test: every command in the table is a registered slash command and is in the manifest."""

import subprocess
import sys
from pathlib import Path

import yaml

from bot.slack.manifest import BOT_EVENTS, BOT_SCOPES, manifest
from engine.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[3]


def test_manifest_lists_every_command_with_help_and_usage():
    listed = {c["command"]: c for c in manifest()["features"]["slash_commands"]}
    assert set(listed) == {f"/{name}" for name in COMMANDS}
    for name, command in COMMANDS.items():
        entry = listed[f"/{name}"]
        assert entry["description"] == command.help
        assert entry.get("usage_hint", "") == command.usage.removeprefix(f"/{name}").strip()
        assert "url" not in entry  # Socket Mode


def test_manifest_scopes_events_and_http_mode():
    data = manifest(url="https://tutor.example.com/slack/events")
    assert set(data["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES) == {
        "commands", "chat:write", "files:write", "im:write", "users:read",
        "app_mentions:read", "im:history"}
    assert data["settings"]["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert all(c["url"] == "https://tutor.example.com/slack/events"
               for c in data["features"]["slash_commands"])
    assert data["oauth_config"]["redirect_urls"] == [
        "https://tutor.example.com/slack/oauth_redirect"]


def test_cli_prints_the_manifest():
    done = subprocess.run([sys.executable, "-m", "bot", "slack", "manifest"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout) == manifest()


async def test_every_command_in_the_table_is_registered_in_the_app(harness):
    fake = harness.fake
    for name in COMMANDS:  # text that no command can run: each answers privately
        status, body, _ = await harness.command(name, "x=1 " * 3, user=f"U{name}")
        assert (status, body) == (200, ""), name
    unknown, _, _ = await harness.command("not-a-tutorbot-command")
    assert unknown == 404  # so the 200s above were real registrations

    def answered(name: str) -> bool:
        user = f"U{name}"
        return any(c.params["_rid"] == f"{user}-{name}" for c in fake.named("response")) or any(
            f"<@{user}>" in c.params.get("initial_comment", "") or f"<@{user}>" in str(
                c.params.get("blocks", "")) for c in fake.named(
                "files.completeUploadExternal", "chat.postMessage", "chat.update"))

    await fake.wait_for(lambda: all(answered(name) for name in COMMANDS), timeout=60)
