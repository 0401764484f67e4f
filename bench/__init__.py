"""Benchmarks: the outbox, the dashboard and the HTTP harness (``bench/web.py``)."""
