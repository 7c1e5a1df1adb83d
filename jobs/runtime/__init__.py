"""Run-time plumbing of the jobs: the run lock, run records, progress, report tables, the clock, prefetching."""
