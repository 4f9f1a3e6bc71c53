"""Benchmarks: each measures against a baseline taken in the same run, and prints its figures as the
last line of output, one JSON object (``python -m bench.NAME [--quick]``)."""
