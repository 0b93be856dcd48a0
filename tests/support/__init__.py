"""Real servers and processes that several test packages start: an SMTP sink, free ports (and, for the
deployment test, the whole topology)."""
