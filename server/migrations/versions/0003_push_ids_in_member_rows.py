"""Push ids in the member's own row: the ``pushes`` table goes.

Each member's newest 16 push ids (with their first sequence number and
record count) move to ``members.recent_pushes`` in the form
``server.push_ids`` reads (copied here as it is today: a migration must not
change when the code does), so a retry sent across the upgrade still
appends nothing. A push then reads them with the token check and writes
them back with ``last_seen``: three statements fewer per push. Runs in the
one transaction ``server.db.migrate`` opens.

Revision ID: 0003
Revises: 0002
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PUSH_IDS_KEPT = 16


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recent_pushes', sa.String(length=1000), nullable=False, server_default=''))
    connection = op.get_bind()
    recent = defaultdict(list)
    for member_id, push_id, first_seq, count in connection.execute(sa.text(
            "SELECT member_id, push_id, first_seq, count FROM pushes ORDER BY id")):
        recent[member_id].append(f"{push_id}:{first_seq}:{count}")
    if recent:
        connection.execute(sa.text("UPDATE members SET recent_pushes = :recent WHERE id = :member"),
                           [{"member": member, "recent": " ".join(entries[-PUSH_IDS_KEPT:])}
                            for member, entries in recent.items()])
    op.drop_table('pushes')


def downgrade() -> None:
    op.create_table('pushes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('push_id', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.String(length=32), nullable=False),
    sa.Column('first_seq', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'push_id')
    )
    with op.batch_alter_table('pushes', schema=None) as batch_op:
        batch_op.create_index('ix_pushes_member', ['team_id', 'member_id'], unique=False)
    connection = op.get_bind()
    rows, seen = [], set()
    for member_id, team_id, recent in connection.execute(sa.text(
            "SELECT id, team_id, recent_pushes FROM members WHERE recent_pushes <> ''")):
        for entry in recent.split():
            push_id, first_seq, count = entry.split(":")
            if (team_id, push_id) in seen:  # the old table held a push id once per team
                continue
            seen.add((team_id, push_id))
            rows.append({"team": team_id, "push": push_id, "member": member_id, "first": int(first_seq),
                         "count": int(count)})
    if rows:
        connection.execute(sa.text("INSERT INTO pushes (team_id, push_id, member_id, first_seq, count) "
                                   "VALUES (:team, :push, :member, :first, :count)"), rows)
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('recent_pushes')
