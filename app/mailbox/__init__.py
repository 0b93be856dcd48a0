"""The mailbox that opens cases: the worker reads new mail over IMAP (product §11.6)."""
