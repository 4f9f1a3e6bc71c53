"""Real servers started on this machine for `dev`, tests and benchmarks (never mocks)."""
