"""Outbound webhooks: signed JSON POSTs to the portal, the Fanpage relay, a Zalo OA relay or a newsroom, fed from
an outbox written in the same transaction as the event (product §11.6). See ``docs/channels.md``."""
