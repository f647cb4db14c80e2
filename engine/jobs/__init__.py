"""CPU jobs: each ``run(request, progress) -> Reply`` executes inside a pool worker."""
