"""A PostgreSQL streaming replica for reads (``CRISISDESK_DATABASE_READ_URL``, product §11.8).

Infrastructure, like ``app/db.py``: it imports no domain. ``rules.py`` holds the pure arithmetic (staleness from
WAL positions, the signed read-after mark); ``routing.py`` the per-process ``ReadReplica`` that checks the
replica and opens read sessions on it or on the primary. The web layer chooses, per route, a session that may
lag (``app.web.deps.ReadSessionDep``) or not (``SessionDep``). docs/operations.md, "A read replica", is the
operator's side.
"""

from app.replica.routing import ReadReplica, ReplicaState

__all__ = ["ReadReplica", "ReplicaState"]
