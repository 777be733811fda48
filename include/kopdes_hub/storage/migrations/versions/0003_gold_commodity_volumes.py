"""Gold commodity volumes as a SQL table, and the publication fingerprints that make aggregation incremental.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("dataset", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("submissions", sa.Integer, nullable=False),
        sa.Column("schema_version", sa.String(10), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "gold_commodity_volumes",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("cooperative_id", sa.String(40), primary_key=True),
        sa.Column("commodity", sa.String(40), primary_key=True),
        sa.Column("flow", sa.String(10), primary_key=True),
        sa.Column("hub_id", sa.String(20), index=True),
        sa.Column("district_code", sa.String(10)),
        sa.Column("village_code", sa.String(16)),
        sa.Column("quantity_base", sa.Float, nullable=False),
        sa.Column("base_unit", sa.String(20), nullable=False),
        sa.Column("value_idr", sa.Float),
        sa.Column("submissions", sa.Integer, nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("catalogue_version", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gold_commodity_volumes")
    op.drop_table("publication")
