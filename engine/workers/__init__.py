"""Executors: where CPU jobs run (``engine.ports.Executor``). ``pool`` is the local process
pool, the embedded default."""
