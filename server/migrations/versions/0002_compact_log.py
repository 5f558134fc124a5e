"""A log the size of the team's data: sizes, quotas, streams, compaction.

Adds what the server now keeps per team (``roster`` for event streams,
``stored_bytes`` for the quota, ``last_active`` for idle-team expiry) and
per row (``size``, so pages are cut before rows are read), indexes for
compaction, and then compacts every team's log by the rule of
``server.compaction`` (copied here as it is today: a migration must not
change when the code does). Push ids beyond each member's newest 16 are
forgotten. Everything runs in the one transaction ``server.db.migrate``
opens: killed half-way, the database is as it was, and the next start
runs it again.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PUSH_IDS_KEPT = 16

COMPACT = """
DELETE FROM changes WHERE EXISTS (
    SELECT 1 FROM changes AS newer
    WHERE newer.team_id = changes.team_id AND newer.record_id = changes.record_id AND newer.seq > changes.seq
      AND ((newer.author_id = changes.author_id AND newer.key_version = changes.key_version)
           OR (newer.kind = 'tombstone' AND changes.kind <> 'tombstone'))
)
"""

PRUNE_PUSHES = f"""
DELETE FROM pushes WHERE id < (
    SELECT keep.id FROM pushes AS keep
    WHERE keep.team_id = pushes.team_id AND keep.member_id = pushes.member_id
    ORDER BY keep.id DESC LIMIT 1 OFFSET {PUSH_IDS_KEPT - 1}
)
"""


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('stored_bytes', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_active', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_changes_record', ['team_id', 'record_id'], unique=False)
    with op.batch_alter_table('pushes', schema=None) as batch_op:
        batch_op.create_index('ix_pushes_member', ['team_id', 'member_id'], unique=False)

    op.execute("UPDATE changes SET size = length(ciphertext)")
    op.execute(COMPACT)
    op.execute(PRUNE_PUSHES)
    op.execute("UPDATE teams SET stored_bytes = COALESCE((SELECT SUM(size) FROM changes WHERE changes.team_id = teams.id), 0)")
    op.execute("UPDATE teams SET roster = (SELECT COUNT(*) FROM members WHERE members.team_id = teams.id)")
    op.execute("""UPDATE teams SET last_active = COALESCE(
        (SELECT MAX(last_seen) FROM members WHERE members.team_id = teams.id), created_at)""")


def downgrade() -> None:
    with op.batch_alter_table('pushes', schema=None) as batch_op:
        batch_op.drop_index('ix_pushes_member')
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index('ix_changes_record')
        batch_op.drop_column('size')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('last_active')
        batch_op.drop_column('stored_bytes')
        batch_op.drop_column('roster')
