"""Helpers shared by the tests and the benchmarks (``bench/``): real external servers the tests start and stop
themselves (never the shared ones) — Redis, throwaway PostgreSQL clusters, `crisisdesk serve` processes."""
