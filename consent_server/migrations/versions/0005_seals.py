"""seals: signing keys, sealed batches, consent leaves, erasures, purge checkpoints

Revision ID: 0005_seals
Revises: 0001
Create Date: 2026-11-25 15:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005_seals'
down_revision = '0001'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False, comment='first 16 hex of sha256(raw public key)'),
    sa.Column('public_key', sa.String(length=64), nullable=False, comment='base64 of the raw 32-byte Ed25519 public key'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('key_id', name=op.f('uq_signing_keys_key_id'))
    )
    op.create_table('seal_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False, comment='1, 2, 3 ... per site'),
    sa.Column('first_index', sa.BigInteger(), nullable=False, comment="leaf index of the batch's first leaf"),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('head', sa.Text(), nullable=False, comment='canonical JSON of the signed tree head'),
    sa.Column('signature', sa.String(length=128), nullable=False, comment='base64 Ed25519 signature of head'),
    sa.Column('first_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_seal_batches_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_batches')),
    sa.UniqueConstraint('site_id', 'batch', name=op.f('uq_seal_batches_site_id_batch')),
    sa.UniqueConstraint('site_id', 'first_index', name=op.f('uq_seal_batches_site_id_first_index'))
    )
    op.create_table('consent_leaves',
    sa.Column('consent_id', BIG_ID, nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('leaf_index', sa.BigInteger(), nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=True, comment='dropped on erasure'),
    sa.Column('personal_digest', sa.String(length=64), nullable=False, comment='sha256(salt || personal fields)'),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_consent_leaves_consent_id_consents')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_consent_leaves_site_id_sites')),
    sa.ForeignKeyConstraint(['batch_id'], ['seal_batches.id'], name=op.f('fk_consent_leaves_batch_id_seal_batches')),
    sa.PrimaryKeyConstraint('consent_id', name=op.f('pk_consent_leaves')),
    sa.UniqueConstraint('site_id', 'leaf_index', name=op.f('uq_consent_leaves_site_id_leaf_index'))
    )
    with op.batch_alter_table('consent_leaves', schema=None) as batch_op:
        batch_op.create_index('ix_consent_leaves_batch_index', ['batch_id', 'leaf_index'], unique=False)
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('visitor_hmac', sa.String(length=64), nullable=False, comment='keyed hash that replaced the visitor id'),
    sa.Column('records', sa.Integer(), nullable=False, comment='records redacted'),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('leaf_index', sa.BigInteger(), nullable=True),
    sa.Column('leaf_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_erasures_site_id_sites')),
    sa.ForeignKeyConstraint(['batch_id'], ['seal_batches.id'], name=op.f('fk_erasures_batch_id_seal_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures')),
    sa.UniqueConstraint('site_id', 'leaf_index', name=op.f('uq_erasures_site_id_leaf_index'))
    )
    with op.batch_alter_table('erasures', schema=None) as batch_op:
        batch_op.create_index('ix_erasures_site_batch', ['site_id', 'batch_id'], unique=False)
    op.create_table('seal_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False, comment='canonical JSON of the checkpoint'),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_seal_checkpoints_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_checkpoints'))
    )
    with op.batch_alter_table('seal_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_checkpoints_site_id'), ['site_id'], unique=False)


def downgrade():
    op.drop_table('seal_checkpoints')
    op.drop_table('erasures')
    op.drop_table('consent_leaves')
    op.drop_table('seal_batches')
    op.drop_table('signing_keys')
