"""Sweeps: a group of runs, one per scenario of ``allocator sweep`` (sweeps, sweep_runs).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 03:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sweeps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user', sa.String(length=200), nullable=True),
    sa.Column('round_name', sa.String(length=500), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('grid', sa.Text(), nullable=True),
    sa.Column('scenarios', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('sweeps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sweeps_name'), ['name'], unique=False)

    op.create_table('sweep_runs',
    sa.Column('sweep_id', sa.Integer(), nullable=False),
    sa.Column('scenario', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=False),
    sa.Column('row', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sweep_id'], ['sweeps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sweep_id', 'scenario'),
    sa.UniqueConstraint('run_id', name='uq_sweep_runs_run_id')
    )
    with op.batch_alter_table('sweep_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sweep_runs_input_hash'), ['input_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sweep_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sweep_runs_input_hash'))
    op.drop_table('sweep_runs')
    with op.batch_alter_table('sweeps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sweeps_name'))
    op.drop_table('sweeps')
