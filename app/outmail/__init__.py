"""Mail to addresses outside the staff (subscribers, mailbox senders, webhook owners): an outbox of messages
claimed by ``crisisdesk worker`` with row locks and sent through the same SMTP mailer as the notifications."""
