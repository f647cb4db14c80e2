"""Real Celery worker processes (``tutorbot worker``) and private Redis servers for tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("TUTORBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Worker:
    """``tutorbot worker`` in its own process group (so kill -9 takes its children too)."""

    def __init__(self, url: str, prefix: str, name: str, data_dir: Path, *,
                 concurrency: int = 1) -> None:
        self.url, self.prefix, self.name = url, prefix, name
        env = {**os.environ, "TUTORBOT_QUEUE_URL": url, "TUTORBOT_QUEUE_PREFIX": prefix,
               "TUTORBOT_DATA_DIR": str(data_dir), "TUTORBOT_LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT)}
        self.log = open(data_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker", "-c", str(concurrency), "--warm",
             "tokenize", "-n", f"{name}@test"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    @property
    def hostname(self) -> str:
        return f"{self.name}@test"

    def wait_ready(self, timeout: float = 90) -> None:
        """Until its heartbeat is in Redis (its children have started)."""
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"worker {self.name} exited: {self.process.returncode}")
                try:
                    if client.exists(f"{self.prefix}:hb:{self.hostname}"):
                        return
                except redis.RedisError:
                    pass
                time.sleep(0.2)
            raise RuntimeError(f"worker {self.name} did not start within {timeout} s")
        finally:
            client.close()

    def kill(self) -> None:
        """kill -9 of the worker and its children."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class RedisServer:
    """A private redis-server on a free port, to stop and start at will."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
            finally:
                client.close()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def delete_prefix(url: str, prefix: str) -> None:
    """Delete this run's keys (and nothing else) from the shared Redis."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])
    finally:
        client.close()
