"""Idempotency keys: a client retrying a creating POST gets the first answer, not a second object."""
