"""Helpers shared by the tests and the benchmarks (``bench/``): real external servers the tests start and stop
themselves (never the shared ones) — an SMTP sink, Redis, throwaway PostgreSQL clusters, `crisisdesk serve`
processes, free ports; tests/deploy/topology.py puts them together as compose.yaml's topology."""
