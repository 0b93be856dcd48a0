"""Real external servers the tests start and stop themselves (never the shared ones)."""
