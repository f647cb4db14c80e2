"""Jobs for the worker-pool tests (top-level so spawned workers can import them)."""

import os
import time

from engine.domain.errors import Refused
from engine.domain.replies import Progress


def square(x, progress):
    progress(Progress("squaring", 0.5))
    return x * x


def threads(progress):
    import torch

    return os.environ.get("OMP_NUM_THREADS"), torch.get_num_threads(), os.getpid()


def sleepy(seconds, progress):
    time.sleep(seconds)
    return os.getpid()


def crash(progress):
    os._exit(3)


def refuse(progress):
    raise Refused("too much work")


def buggy(progress):
    return {}["missing"]


def slow_pid(seconds, progress):
    """Say which process runs it (so a test can kill that process), then take a while."""
    progress(Progress(f"pid {os.getpid()}", 0.0))
    time.sleep(seconds)
    return os.getpid()
