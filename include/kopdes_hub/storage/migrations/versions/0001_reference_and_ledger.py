"""Reference data (villages, cooperatives, commodities) and the submission ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "village",
        sa.Column("village_code", sa.String(16), primary_key=True),
        sa.Column("village_name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("district_code", sa.String(10), nullable=False, index=True),
        sa.Column("district_name", sa.String(100), nullable=False),
        sa.Column("regency_code", sa.String(8), nullable=False),
        sa.Column("regency_name", sa.String(100), nullable=False),
    )
    op.create_table(
        "cooperative",
        sa.Column("cooperative_id", sa.String(20), primary_key=True),
        sa.Column("cooperative_name", sa.String(200), nullable=False),
        sa.Column("hub_id", sa.String(20), nullable=False, index=True),
        sa.Column("village_code", sa.String(16), nullable=False),
        sa.Column("district_code", sa.String(10), nullable=False),
        sa.Column("cooperative_type", sa.String(4), nullable=False),
        sa.Column("formation_model", sa.String(20), nullable=False),
        sa.Column("sk_ahu_no", sa.String(60)),
        sa.Column("sk_ahu_date", sa.String(10)),
        sa.Column("nik_koperasi", sa.String(16)),
        sa.Column("npwp", sa.String(20)),
        sa.Column("nib", sa.String(13)),
        sa.Column("bank", sa.String(20)),
        sa.Column("bank_account", sa.String(20)),
        sa.Column("has_business_proposal", sa.Boolean, nullable=False),
        sa.Column("has_approval_letter", sa.Boolean, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("business_units", sa.Text, nullable=False),
        sa.Column("simkopdes_active", sa.Boolean, nullable=False),
        sa.Column("has_business_gerai", sa.Boolean, nullable=False),
        sa.Column("land_point_verified", sa.Boolean, nullable=False),
        sa.Column("pilot", sa.Boolean, nullable=False),
        sa.Column("dana_desa_pagu_idr", sa.BigInteger),
    )
    op.create_table(
        "commodity",
        sa.Column("commodity", sa.String(40), primary_key=True),
        sa.Column("commodity_name", sa.String(100), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("base_unit", sa.String(20), nullable=False),
        sa.Column("price_min_idr", sa.Float, nullable=False),
        sa.Column("price_max_idr", sa.Float, nullable=False),
        sa.Column("catalogue_version", sa.String(20), nullable=False),
    )
    op.create_table(
        "submission",
        sa.Column("submission_id", sa.String(16), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("reason_code", sa.String(40)),
        sa.Column("reason", sa.Text),
        sa.Column("file_format", sa.String(10)),
        sa.Column("encoding", sa.String(20)),
        sa.Column("delimiter", sa.String(4)),
        sa.Column("sheet", sa.String(100)),
        sa.Column("header_row", sa.Integer),
        sa.Column("kind", sa.String(10)),
        sa.Column("cooperative_id", sa.String(40), index=True),
        sa.Column("period", sa.String(20), index=True),
        sa.Column("rows_bronze", sa.Integer),
        sa.Column("bronze_path", sa.Text),
        sa.Column("contract_version", sa.String(10)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "submission_file",
        sa.Column("path", sa.String(512), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("submission.sha256"), primary_key=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("submission_file", "submission", "commodity", "cooperative", "village"):
        op.drop_table(table)
