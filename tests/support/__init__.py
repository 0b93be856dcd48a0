"""Helpers shared by the tests and the benchmarks (``bench/``): throwaway PostgreSQL clusters."""
