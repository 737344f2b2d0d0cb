"""cache notify: PostgreSQL tells listening workers when a site or its origins change

Revision ID: 0008_cache_notify
Revises: 0007_refusals
Create Date: 2026-12-05 18:00:00

Each worker keeps the site lookups it has made (consent_server/storage/lookup_cache.py) while the
database's global change stamp stays put. On PostgreSQL that stamp moves on the notice '*'
on the channel 'consent_state' (migration 0006); the triggers below send it in every
transaction that writes sites or site_origins, whoever writes them (the server, a CLI
command, SQL by hand), so every worker on every node forgets its kept sites when the
change commits. SQLite needs none of this (the commit stamps a file beside the database).
"""
from alembic import op

revision = '0008_cache_notify'
down_revision = '0007_refusals'
branch_labels = None
depends_on = None

TABLES = ("sites", "site_origins")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:  # consent_state_all_changed() comes from 0006: one '*' notice per statement
        op.execute(f"""
            CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION consent_state_all_changed()
        """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
