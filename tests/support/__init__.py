"""Real external servers and processes the tests start and stop themselves (never the shared ones): an SMTP sink,
Redis, `crisisdesk serve`, free ports; tests/deploy/topology.py puts them together as compose.yaml's topology."""
