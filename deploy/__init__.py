"""Deployment files (compose's nginx template, PostgreSQL scripts) and their lint (``check_compose.py``).
Not part of the installed app: ``make lint`` runs it from the repository."""
