"""state notify: PostgreSQL tells listening workers which visitors' states a commit changed

Revision ID: 0006_state_notify
Revises: 0005_seals
Create Date: 2026-11-26 01:00:00

Each worker keeps the current states it has read (consent_server/storage/state_cache.py); on
PostgreSQL it learns of other nodes' commits by LISTEN on the channel 'consent_state'.
The triggers below notify in the writing transaction, so the notice is sent exactly when
the change commits, whoever wrote it (the server, a CLI command, SQL by hand): for new
consent rows, one line '<site id> <visitor id>' per visitor; '*' for anything else.
SQLite needs none of this (its stamps live in a file beside the database).
"""
from alembic import op

revision = '0006_state_notify'
down_revision = '0005_seals'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # One notice per INSERT statement (the server writes a batch of rows with one), naming
    # each visitor on a line; a notice carries at most 8000 bytes, so a large batch is split.
    op.execute("""
        CREATE FUNCTION consent_state_visitors_changed() RETURNS trigger AS $$
        DECLARE
            payload text := '';
            line text;
        BEGIN
            FOR line IN SELECT DISTINCT site_id::text || ' ' || visitor_id FROM added LOOP
                IF position(E'\\n' IN line) > 0 THEN
                    line := '*';  -- written by hand with a line break: not nameable on a line
                END IF;
                IF octet_length(payload) + octet_length(line) > 7900 THEN
                    PERFORM pg_notify('consent_state', payload);
                    payload := '';
                END IF;
                payload := CASE WHEN payload = '' THEN line ELSE payload || E'\\n' || line END;
            END LOOP;
            IF payload <> '' THEN
                PERFORM pg_notify('consent_state', payload);
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE FUNCTION consent_state_all_changed() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('consent_state', '*');
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER consents_notify_new AFTER INSERT ON consents
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION consent_state_visitors_changed()
    """)
    # Erasure and retention purge change many visitors at once: one notice for the statement.
    op.execute("""
        CREATE TRIGGER consents_notify_changed AFTER UPDATE OR DELETE OR TRUNCATE ON consents
        FOR EACH STATEMENT EXECUTE FUNCTION consent_state_all_changed()
    """)
    op.execute("""
        CREATE TRIGGER policy_versions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policy_versions
        FOR EACH STATEMENT EXECUTE FUNCTION consent_state_all_changed()
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS policy_versions_notify ON policy_versions")
    op.execute("DROP TRIGGER IF EXISTS consents_notify_changed ON consents")
    op.execute("DROP TRIGGER IF EXISTS consents_notify_new ON consents")
    op.execute("DROP FUNCTION IF EXISTS consent_state_all_changed()")
    op.execute("DROP FUNCTION IF EXISTS consent_state_visitors_changed()")
