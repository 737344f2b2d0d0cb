"""refusals: daily counts of refused consent POSTs per site, reason and origin

Revision ID: 0007_refusals
Revises: 0006_state_notify
Create Date: 2026-12-05 18:00:00

One row per site, UTC day, refusal reason (the error code answered) and, for
origin_not_allowed only, the refused origin (else ''). No address, no visitor id.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007_refusals'
down_revision = '0006_state_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('refusal_counts',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False, comment='UTC day of the refusals'),
    sa.Column('reason', sa.String(length=40), nullable=False, comment='the error code the POST was answered with'),
    sa.Column('origin', sa.String(length=255), nullable=False,
              comment="the refused origin for origin_not_allowed; '' otherwise"),
    sa.Column('count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_refusal_counts_site_id_sites'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'day', 'reason', 'origin', name=op.f('pk_refusal_counts'))
    )


def downgrade():
    op.drop_table('refusal_counts')
