"""The channels out and in, put together for the worker (webhooks, subscriptions, outgoing mail, the mailbox)."""
