"""consent invariants: the database refuses an unknown action or language, and a version the site never published

Revision ID: 0010_consent_invariants
Revises: 0009_recorder_role
Create Date: 2026-12-05 18:30:00

Three constraints on consents, named by extensions.NAMING:
- ck_consents_action and ck_consents_language: the values of models/vocabulary.py, spelt
  out here (a migration is frozen history; tests/models/test_constraints.py checks that a
  migrated database allows exactly the Python definitions).
- fk_consents_site_id_policy_versions: (site_id, policy_version) references
  policy_versions (site_id, version), which is unique (uq_policy_versions_site_id_version).
  ON DELETE RESTRICT: policy versions are never deleted (a trigger of 0001 refuses it) and
  a consent must never go with one. Erasure and retention only update or delete consents.

Rows that break them are not repaired: a consent log is evidence, and what a wrong row
should have said is for its owner to decide. Before anything changes, the upgrade looks for
such rows and stops, naming each (id, receipt id, what is wrong), up to 20.

PostgreSQL, safe on a large table: the constraints are added NOT VALID in one ALTER TABLE,
which reads no rows but takes ACCESS EXCLUSIVE on consents (the checks) and SHARE ROW
EXCLUSIVE on policy_versions (the key) for a moment; it waits for transactions already
using consents (a long export) and the requests queue behind it meanwhile. That is
committed; then each VALIDATE CONSTRAINT runs in its own transaction and scans the table
holding only SHARE UPDATE EXCLUSIVE on consents (ROW SHARE on policy_versions): decisions
are recorded and read throughout. The search for broken rows before reads the table once
more, without blocking anyone. A failed upgrade can be run again.

SQLite: batch mode rebuilds consents (every row copied into a new table, the old one
dropped, the copy renamed, its indexes rebuilt) in one transaction holding the write lock:
writers wait, and the file needs free space about the table's size. Foreign keys are off
while migrations run and checked before the commit (migrations/env.py). No trigger lives
on consents in SQLite (the triggers of 0006 are PostgreSQL's).
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_consent_invariants'
down_revision = '0009_recorder_role'
branch_labels = None
depends_on = None

ACTIONS = ('accept_all', 'reject_all', 'custom', 'withdraw', 'gpc', 'placeholder')
LANGUAGES = ('sv', 'en')
SHOWN = 20  # broken rows named in the error

CHECKS = {
    'ck_consents_action': "action IN ({})".format(", ".join(f"'{value}'" for value in ACTIONS)),
    'ck_consents_language': "language IN ({})".format(", ".join(f"'{value}'" for value in LANGUAGES)),
}
KEY = 'fk_consents_site_id_policy_versions'
KEY_SQL = ("FOREIGN KEY (site_id, policy_version) REFERENCES policy_versions (site_id, version) "
           "ON DELETE RESTRICT")

BROKEN_ROWS = sa.text("""
    SELECT c.id, c.receipt_id, c.site_id, c.policy_version, c.action, c.language,
           EXISTS (SELECT 1 FROM policy_versions p
                   WHERE p.site_id = c.site_id AND p.version = c.policy_version) AS published
    FROM consents c
    WHERE c.action NOT IN :actions OR c.language NOT IN :languages
       OR NOT EXISTS (SELECT 1 FROM policy_versions p WHERE p.site_id = c.site_id AND p.version = c.policy_version)
    ORDER BY c.id
    LIMIT :shown
""").bindparams(sa.bindparam('actions', expanding=True), sa.bindparam('languages', expanding=True))


def _refuse_broken_rows() -> None:
    """Stop the upgrade, changing nothing, when rows break the new constraints; name them."""
    found = op.get_bind().execute(
        BROKEN_ROWS, {'actions': list(ACTIONS), 'languages': list(LANGUAGES), 'shown': SHOWN + 1}).all()
    if not found:
        return
    lines = []
    for row in found[:SHOWN]:
        wrong = []
        if row.action not in ACTIONS:
            wrong.append(f"action {row.action!r} is none of {', '.join(ACTIONS)}")
        if row.language not in LANGUAGES:
            wrong.append(f"language {row.language!r} is none of {', '.join(LANGUAGES)}")
        if not row.published:
            wrong.append(f"site {row.site_id} has no policy version {row.policy_version}")
        lines.append(f"  consent id {row.id} (receipt {row.receipt_id}): {'; '.join(wrong)}")
    more = "\n  ... and more" if len(found) > SHOWN else ""
    # flask-migrate prints a RuntimeError's message as one error and exits with status 1.
    raise RuntimeError(
        "0010_consent_invariants: consent records break the new constraints; nothing was changed. "
        "Correct or remove them by hand (the log is evidence: decide what each should say), "
        "then run the upgrade again:\n" + "\n".join(lines) + more)


def upgrade():
    _refuse_broken_rows()
    if op.get_bind().dialect.name == 'postgresql':
        # IF EXISTS: a run stopped before its VALIDATE left them NOT VALID; they are made again.
        clauses = [f"DROP CONSTRAINT IF EXISTS {name}" for name in (*CHECKS, KEY)]
        clauses += [f"ADD CONSTRAINT {name} CHECK ({sql}) NOT VALID" for name, sql in CHECKS.items()]
        clauses.append(f"ADD CONSTRAINT {KEY} {KEY_SQL} NOT VALID")
        op.execute("ALTER TABLE consents " + ", ".join(clauses))
        with op.get_context().autocommit_block():  # commits the ALTER: its lock goes
            for name in (*CHECKS, KEY):
                op.execute(f"ALTER TABLE consents VALIDATE CONSTRAINT {name}")
        return
    with op.batch_alter_table('consents', schema=None) as batch_op:
        for name, sql in CHECKS.items():
            batch_op.create_check_constraint(op.f(name), sql)
        batch_op.create_foreign_key(op.f(KEY), 'policy_versions', ['site_id', 'policy_version'],
                                    ['site_id', 'version'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KEY), type_='foreignkey')
        for name in reversed(CHECKS):
            batch_op.drop_constraint(op.f(name), type_='check')
