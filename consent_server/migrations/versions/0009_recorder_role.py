"""recorder role: API keys that may only record consents (server-side integrations)

Revision ID: 0009_recorder_role
Revises: 0008_cache_notify
Create Date: 2026-12-05 17:30:00

A consent POST without a registered browser Origin needs a key of this role
(consent_server/api/consents.py, record_posted). The role check constraint of
api_keys gains 'recorder'; on SQLite the batch operation rebuilds the table.
"""
from alembic import op

revision = '0009_recorder_role'
down_revision = '0008_cache_notify'
branch_labels = None
depends_on = None


def _roles(roles: str) -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_keys_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_api_keys_role'), f"role IN ({roles})")


def upgrade():
    _roles("'owner', 'auditor', 'recorder'")


def downgrade():
    op.execute("DELETE FROM api_keys WHERE role = 'recorder'")
    _roles("'owner', 'auditor'")
