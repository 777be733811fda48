"""The processing projection (issue 15): ``gold_processing_projection``, column for column from its published
schema (``storage/processing_schema.py``, version 1.0).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gold_processing_projection",
        sa.Column("period", sa.Text),
        sa.Column("level", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("district_code", sa.Text),
        sa.Column("commodity", sa.Text),
        sa.Column("product", sa.Text),
        sa.Column("product_name", sa.Text),
        sa.Column("input_base", sa.Float),
        sa.Column("input_base_12m", sa.Float),
        sa.Column("input_months_12m", sa.BigInteger),
        sa.Column("input_unit", sa.Text),
        sa.Column("yield_low", sa.Float),
        sa.Column("yield_high", sa.Float),
        sa.Column("output_low", sa.Float),
        sa.Column("output_high", sa.Float),
        sa.Column("output_unit", sa.Text),
        sa.Column("input_value_idr", sa.Float),
        sa.Column("output_value_low_idr", sa.Float),
        sa.Column("output_value_high_idr", sa.Float),
        sa.Column("value_added_low_idr", sa.Float),
        sa.Column("value_added_high_idr", sa.Float),
        sa.Column("unit_capacity_base", sa.Float),
        sa.Column("unit_months_of_supply", sa.Float),
        sa.Column("leading", sa.Boolean),
        sa.Column("missing", sa.Text),
        sa.Column("sources", sa.Text),
        sa.Column("processing_version", sa.Text),
        sa.Column("publication_version", sa.BigInteger),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("month_status", sa.Text),
    )
    op.create_index("ix_gold_processing_projection_period", "gold_processing_projection", ["period"])


def downgrade() -> None:
    op.drop_index("ix_gold_processing_projection_period", "gold_processing_projection")
    op.drop_table("gold_processing_projection")
