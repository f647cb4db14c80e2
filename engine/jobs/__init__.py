"""CPU jobs: each ``run(..., progress)`` executes inside a pool worker and returns its
result (a demo's ``Reply``, a chart's ``Image``)."""
