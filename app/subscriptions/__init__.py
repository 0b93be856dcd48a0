"""Journalists' e-mail subscriptions to notices: by topic or all; double opt-in; one-click unsubscribe (RFC 8058)."""
