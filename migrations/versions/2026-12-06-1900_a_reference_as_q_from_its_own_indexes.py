"""a reference as ``q`` from its own indexes: the first word of the folded text, the texts that quote a reference

``q=VV-2021-00101`` is ``search_text LIKE '%vv-2021-00101%'``. The trigram index answers it by intersecting the
posting lists of ``vv``, `` 20``, ``202``, ``00``… which every case has (its own reference): 14 ms of SQL at a
million cases, for one row. On PostgreSQL the list now writes a term containing ``vv-`` as the same condition in two
parts (``cases.queries._text_contains``): the text *starts* with the term (its first word does: the reference),
from ``ix_case_search_first_word`` (a btree on ``split_part(search_text, ' ', 1)``, ``text_pattern_ops`` for
``LIKE 'term%'``), or ``vv-`` occurs after the first character and the text contains the term, from
``ix_case_search_quotes_trgm`` (the trigram index of only those texts: cases whose title, summary or link quotes
a reference). Same rows: a match at the first character is the first case, any later one the second.

Both indexes are PostgreSQL's (SQLite scans the folded text for every ``q``). ``ANALYZE`` gives the planner the
expression's statistics at once (a few seconds at a million cases), not at autovacuum's next pass. The index
statements say ``IF NOT EXISTS``: on a large live database they may be built beforehand with ``CREATE INDEX
CONCURRENTLY`` (docs/operations.md), and the migration then only records them.

Revision ID: 6d2f8b4a1c93
Revises: 3c7a9e2d4b61
Create Date: 2026-12-06 19:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "6d2f8b4a1c93"
down_revision: str | Sequence[str] | None = "3c7a9e2d4b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/cases/models.py (QUOTES_REFERENCE_SQL): ``vv-`` after the first character of the folded text.
QUOTES_REFERENCE = "strpos(substr(search_text, 2), 'vv-') > 0"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        'CREATE INDEX IF NOT EXISTS ix_case_search_first_word ON "case" '
        "(split_part(search_text, ' ', 1) text_pattern_ops)"
    )
    op.execute(
        'CREATE INDEX IF NOT EXISTS ix_case_search_quotes_trgm ON "case" '
        f"USING gin (search_text gin_trgm_ops) WHERE {QUOTES_REFERENCE}"
    )
    op.execute('ANALYZE "case"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_case_search_quotes_trgm")
    op.execute("DROP INDEX IF EXISTS ix_case_search_first_word")
