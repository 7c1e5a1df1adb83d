"""Run-time plumbing of the jobs: the run lock, run records, progress, the clock, prefetching."""
