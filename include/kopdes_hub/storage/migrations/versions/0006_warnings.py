"""Warnings (contract v1.1): the rows a submission and a validation run accepted with a warning, the month's such
rows per cooperative in ``gold_reporting_compliance`` (schema 1.1), and each accepted lines submission's totals per
commodity and flow (``submission_total``, the history QUANTITY_OUTLIER compares a month with).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("submission", "validation_run", "gold_reporting_compliance")


def upgrade() -> None:
    for table in TABLES:
        kind = sa.BigInteger() if table.startswith("gold_") else sa.Integer()
        op.add_column(table, sa.Column("rows_warning", kind, nullable=True))
    op.create_table(
        "submission_total",
        sa.Column("submission_id", sa.String(16), sa.ForeignKey("submission.submission_id"), primary_key=True),
        sa.Column("commodity", sa.String(40), primary_key=True),
        sa.Column("flow", sa.String(10), primary_key=True),
        sa.Column("quantity_base", sa.Float, nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("submission_total")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("rows_warning")
