"""The MLP demos show what their lessons say on every machine, not only on the one they were
written on.

NumPy's matrix products run on OpenBLAS, which picks a kernel for the CPU it finds (Nehalem:
SSE, Sandybridge: AVX, Haswell: AVX2, SkylakeX: AVX-512). Each kernel adds in its own order,
so the last bits of a product differ, and a training run of thousands of steps amplifies them:
a demo whose claim held on an AVX2 machine ("the learning rate of 3 blows training up", "the
overfit network scores under 82% on test points") failed on an AVX-512 one. Here every
lesson's and predict question's /train-demo runs in a fresh process under each kernel this CPU
can run (``OPENBLAS_CORETYPE``) and every claim is checked there. A demo belongs in the course
only if its claim is the typical outcome, not a lucky draw of the rounding.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# OpenBLAS kernel -> the CPU flags (/proc/cpuinfo) it needs
KERNELS = {"Nehalem": {"sse4_2"}, "Sandybridge": {"avx"}, "Haswell": {"avx2", "fma"},
           "SkylakeX": {"avx512f", "avx512bw", "avx512vl", "avx512dq"}}


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags")
            for flag in line.split(":", 1)[1].split()}


def runnable_kernels() -> list[str]:
    flags = cpu_flags()
    return [kernel for kernel, needs in KERNELS.items() if needs <= flags]


def check_claims(kernel: str) -> subprocess.Popen:
    """A process checking every claim with OpenBLAS forced to ``kernel`` (and saying so)."""
    env = {**os.environ, "OPENBLAS_CORETYPE": kernel, "OPENBLAS_VERBOSE": "2",
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}  # one thread, as a worker
    return subprocess.Popen([sys.executable, "-m", "tests.engine.learning.demo_claims"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                    reason="the kernels compared are x86 ones (OPENBLAS_CORETYPE names)")
def test_every_train_demo_claim_holds_under_every_blas_kernel_this_cpu_runs():
    kernels = runnable_kernels()
    assert len(kernels) >= 2, f"this CPU offers too few OpenBLAS kernels to compare: {kernels}"
    results = {}
    for pair in (kernels[i:i + 2] for i in range(0, len(kernels), 2)):  # the machine: 2 cores
        running = {kernel: check_claims(kernel) for kernel in pair}
        try:
            results |= {kernel: process.communicate(timeout=600) + (process.returncode,)
                        for kernel, process in running.items()}
        finally:
            for process in running.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
    broken = {}
    for kernel, (out, err, code) in results.items():
        assert code == 0, f"{kernel}: {err[-2000:]}"
        assert f"Core: {kernel}" in err, f"OpenBLAS did not run the {kernel} kernel: {err[-500:]}"
        result = json.loads(out)
        assert result["demos"] >= 20
        if result["broken"]:
            broken[kernel] = result["broken"]
    assert not broken, json.dumps(broken, indent=1)
