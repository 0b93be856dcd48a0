"""The clocks: legal and internal deadlines that run on a case.

The clocks react to the case's history through one entry point, ``service.on_event``, registered here with
``cases.events.listen``: importing any part of ``app.clocks`` wires it (the app, the worker and the CLI import it).
"""

from app.cases.events import listen
from app.clocks.service import on_event

listen(on_event)
