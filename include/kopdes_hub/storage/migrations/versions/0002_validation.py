"""Validation: decision, counts and output paths per submission; validation runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (
    ("decision", sa.String(20)),
    ("decision_reason", sa.Text),
    ("rows_silver", sa.Integer),
    ("rows_quarantine", sa.Integer),
    ("catalogue_version", sa.String(20)),
    ("validation_run_id", sa.String(40)),
    ("validated_at", sa.DateTime(timezone=True)),
    ("silver_path", sa.Text),
    ("quarantine_path", sa.Text),
    ("feedback_path", sa.Text),
    ("gx_result_path", sa.Text),
    ("superseded_by", sa.String(16)),
)


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_))
    op.create_table(
        "validation_run",
        sa.Column("validation_run_id", sa.String(40), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submissions", sa.Integer, nullable=False),
        sa.Column("rows_bronze", sa.Integer, nullable=False),
        sa.Column("rows_silver", sa.Integer, nullable=False),
        sa.Column("rows_quarantine", sa.Integer, nullable=False),
        sa.Column("contract_version", sa.String(10), nullable=False),
        sa.Column("catalogue_version", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("validation_run")
    with op.batch_alter_table("submission") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
