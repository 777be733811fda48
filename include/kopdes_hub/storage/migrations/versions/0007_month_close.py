"""The monthly close: each month's state (open or closed, its approved version), every decision on it (who, when,
why), and the publication columns of the summary tables (``publication_version``, ``published_at``,
``month_status``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUMMARY_TABLES = (
    "gold_hub_balance",
    "gold_hub_transfers",
    "gold_financing_eligibility",
    "gold_leading_commodities",
    "gold_reporting_compliance",
)


def upgrade() -> None:
    op.create_table(
        "month_close",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by", sa.String(100)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "month_decision",
        sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_month_decision_period", "month_decision", ["period"])
    for table in SUMMARY_TABLES:
        op.add_column(table, sa.Column("publication_version", sa.BigInteger))
        op.add_column(table, sa.Column("published_at", sa.DateTime(timezone=True)))
        op.add_column(table, sa.Column("month_status", sa.Text))


def downgrade() -> None:
    for table in SUMMARY_TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("publication_version", "published_at", "month_status"):
                batch.drop_column(column)
    op.drop_index("ix_month_decision_period", "month_decision")
    op.drop_table("month_decision")
    op.drop_table("month_close")
