"""docker-compose.yml is valid and wires Postgres, migrations and the bot in order."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


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
