"""The round a run was made from (runs.round_hash) and the app's sessions (app_sessions,
app_session_inputs, app_session_runs), so a reloaded page finds its round and scenarios.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_runs_round_hash'), ['round_hash'], unique=False)

    op.create_table('app_sessions',
    sa.Column('session', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('round_name', sa.String(length=500), nullable=False),
    sa.Column('bundled', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('session')
    )
    op.create_table('app_session_inputs',
    sa.Column('session', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('dtypes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['session'], ['app_sessions.session'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('session', 'name')
    )
    op.create_table('app_session_runs',
    sa.Column('session', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session'], ['app_sessions.session'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session', 'name')
    )


def downgrade() -> None:
    op.drop_table('app_session_runs')
    op.drop_table('app_session_inputs')
    op.drop_table('app_sessions')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_round_hash'))
        batch_op.drop_column('round_hash')
