"""docker-compose.yml is valid and wires Postgres, migrations and the bot in order."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import AliasChoices, ValidationError

from bot.settings import CoreSettings, DiscordSettings, SlackSettings
from bot.shutdown import SHUTDOWN_BUDGET

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = (CoreSettings, SlackSettings, DiscordSettings)
NOT_PASSED = {"TUTORBOT_DATA_DIR"}  # the image's /data, where the botdata volume is mounted


def bot_environment() -> dict[str, str]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["bot"][
        "environment"]


def env_names(settings: type) -> list[set[str]]:
    """For each field, the environment variables that set it."""
    prefix = settings.model_config["env_prefix"]
    names = []
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.append(set(alias.choices) if isinstance(alias, AliasChoices)
                     else {prefix.upper() + name.upper()})
    return names


@pytest.mark.skipif(shutil.which("docker-compose") is None and not os.environ.get("CI"),
                    reason="docker-compose is not installed (.ci/run installs it)")
def test_docker_compose_config_is_valid():
    assert shutil.which("docker-compose"), "CI must validate docker-compose.yml: install it"
    done = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_migrations_run_before_the_bot_and_postgres_is_healthy_first():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully")
    assert "postgresql+psycopg://" in services["bot"]["environment"]["DATABASE_URL"]


def test_the_bot_is_given_longer_to_stop_than_its_shutdown_budget():
    bot = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["bot"]
    grace = bot.get("stop_grace_period", "10s")  # Docker's default
    assert grace.endswith("s") and grace[:-1].isdigit(), f"write it in seconds: {grace}"
    assert int(grace[:-1]) >= SHUTDOWN_BUDGET + 5  # the rest of the exit: pool, database


def test_the_bot_gets_every_setting_and_no_value_is_written_in_the_file():
    passed = bot_environment()
    for settings in SETTINGS:
        for names in env_names(settings):
            assert names & set(passed) or names <= NOT_PASSED, f"{names} not passed to the bot"
    for name, value in passed.items():
        if name == "TUTORBOT_QUEUE_URL":  # compose runs demos on its worker service
            assert value == "${TUTORBOT_QUEUE_URL:-redis://redis:6379/0}"
        elif name != "DATABASE_URL":
            assert value == f"${{{name}:-}}", f"{name} must pass the environment's value only"


def test_settings_left_unset_in_compose_arrive_empty_and_take_their_defaults(monkeypatch):
    for name, value in bot_environment().items():
        rendered = value.split(":-", 1)[1][:-1] if value.startswith("${") else value
        monkeypatch.setenv(name, rendered)  # as compose renders it with nothing set
    core, slack = CoreSettings(), SlackSettings()
    assert (core.workers, core.wait_limit, core.log_level, core.image_dir) == (
        2, 60.0, "INFO", None)
    assert core.queue_url == "redis://redis:6379/0" and core.queue_prefix == "tutorbot"
    assert core.worker_concurrency is None and core.worker_max_memory_mb == 3072
    assert (slack.port, slack.host, slack.api_url) == (3000, "0.0.0.0", "https://slack.com/api/")
    assert slack.bot_token is None and not slack.oauth
    assert slack.missing(http=False) == ["SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"]
    with pytest.raises(ValidationError) as err:
        DiscordSettings()
    assert [(e["loc"], e["type"]) for e in err.value.errors()] == [(("token",), "missing")]
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    assert DiscordSettings().guild_id is None and DiscordSettings().shards is None


def test_workers_scale_out_healthy_behind_redis():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    assert worker["command"] == ["worker"]
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["healthcheck"]["test"] == ["CMD", "tutorbot", "worker", "--ping"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=4
    assert services["bot"]["depends_on"]["redis"]["condition"] == "service_healthy"
    passed = set(worker["environment"])
    assert {"TUTORBOT_QUEUE_URL", "TUTORBOT_WORKER_CONCURRENCY",
            "TUTORBOT_WORKER_MAX_MEMORY_MB"} <= passed
    assert worker["environment"]["TUTORBOT_QUEUE_URL"] == services["bot"]["environment"][
        "TUTORBOT_QUEUE_URL"]
