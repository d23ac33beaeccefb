"""Runs, their inputs (content-addressed blobs) and results: the first schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 14:40:02.020562
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user', sa.String(length=200), nullable=True),
    sa.Column('round_name', sa.String(length=500), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('solver', sa.String(length=20), nullable=True),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('obligated_placed', sa.Integer(), nullable=True),
    sa.Column('obligated_total', sa.Integer(), nullable=True),
    sa.Column('weighted_deficit_before', sa.Float(), nullable=True),
    sa.Column('weighted_deficit', sa.Float(), nullable=True),
    sa.Column('total_km', sa.Float(), nullable=True),
    sa.Column('placed_total', sa.Integer(), nullable=True),
    sa.Column('graduates_total', sa.Integer(), nullable=True),
    sa.Column('input_hash', sa.String(length=64), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_input_hash'), ['input_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_status'), ['status'], unique=False)

    op.create_table('assignments',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.String(length=200), nullable=False),
    sa.Column('facility_id', sa.String(length=200), nullable=False),
    sa.Column('region_id', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=200), nullable=False),
    sa.Column('km', sa.Float(), nullable=False),
    sa.Column('programme_id', sa.String(length=200), nullable=True),
    sa.Column('payment', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'graduate_id')
    )
    op.create_table('deficits',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.String(length=200), nullable=False),
    sa.Column('specialty', sa.String(length=200), nullable=False),
    sa.Column('vacancies', sa.Integer(), nullable=False),
    sa.Column('placed', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('weight_basis', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'region_id', 'specialty')
    )
    op.create_table('run_inputs',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('dtypes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('run_id', 'name')
    )
    with op.batch_alter_table('run_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_inputs_sha256'), ['sha256'], unique=False)

    op.create_table('unplaced',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.String(length=200), nullable=False),
    sa.Column('funding', sa.String(length=40), nullable=True),
    sa.Column('specialty', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'graduate_id')
    )


def downgrade() -> None:
    op.drop_table('unplaced')
    with op.batch_alter_table('run_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_inputs_sha256'))

    op.drop_table('run_inputs')
    op.drop_table('deficits')
    op.drop_table('assignments')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_status'))
        batch_op.drop_index(batch_op.f('ix_runs_input_hash'))
        batch_op.drop_index(batch_op.f('ix_runs_created_at'))

    op.drop_table('runs')
    op.drop_table('blobs')
