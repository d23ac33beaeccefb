"""The rank of each placement on the graduate's list of preferences (issue 13):
assignments.choice_rank, empty when the post was not listed or the round has no preferences.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice_rank', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('choice_rank')
