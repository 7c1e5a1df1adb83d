"""Jobs and the CLI: generate, ingest, features, train, evaluate, score, run, schedule, demo."""
