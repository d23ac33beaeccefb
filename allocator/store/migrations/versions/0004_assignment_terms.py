"""The programme terms of each placement (issue 15): assignments.tier (remote or standard),
payment_total (every year's payment) and service_until (the year the service owed ends).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 19:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('payment_total', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('service_until', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('service_until')
        batch_op.drop_column('payment_total')
        batch_op.drop_column('tier')
