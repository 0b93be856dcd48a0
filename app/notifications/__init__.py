"""Notifications ("tin nhắn"): what a user must know, in-app and by e-mail, and what waits for each user.

The messages react to the case's history through one entry point, ``events.on_case_event``, registered here with
``cases.events.listen``: importing any part of ``app.notifications`` wires it (the app, the worker and the CLI
import it).
"""

from app.cases.events import listen
from app.notifications.events import on_case_event

listen(on_case_event)
