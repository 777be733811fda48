"""The hub's summaries as SQL tables (hub balance, transfers, financing eligibility, leading commodities,
reporting compliance), column for column from their published schemas 1.0.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gold_hub_balance",
        sa.Column("period", sa.Text),
        sa.Column("level", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("district_code", sa.Text),
        sa.Column("village_code", sa.Text),
        sa.Column("commodity", sa.Text),
        sa.Column("base_unit", sa.Text),
        sa.Column("supply_base", sa.Float),
        sa.Column("demand_base", sa.Float),
        sa.Column("net_base", sa.Float),
        sa.Column("status", sa.Text),
        sa.Column("coverage", sa.Float),
        sa.Column("shipped_base", sa.Float),
        sa.Column("received_base", sa.Float),
        sa.Column("unsold_base", sa.Float),
        sa.Column("unmet_base", sa.Float),
    )
    op.create_index("ix_gold_hub_balance_period", "gold_hub_balance", ["period"])
    op.create_table(
        "gold_hub_transfers",
        sa.Column("period", sa.Text),
        sa.Column("transfer_id", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("commodity", sa.Text),
        sa.Column("from_village", sa.Text),
        sa.Column("to_village", sa.Text),
        sa.Column("quantity_base", sa.Float),
        sa.Column("base_unit", sa.Text),
        sa.Column("cost_per_unit_idr", sa.Float),
        sa.Column("cost_idr", sa.Float),
    )
    op.create_index("ix_gold_hub_transfers_period", "gold_hub_transfers", ["period"])
    op.create_table(
        "gold_financing_eligibility",
        sa.Column("period", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("district_code", sa.Text),
        sa.Column("village_code", sa.Text),
        sa.Column("cooperative_id", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("loan_requested_idr", sa.Float),
        sa.Column("monthly_cash_flow_idr", sa.Float),
        sa.Column("instalment_idr", sa.Float),
        sa.Column("dscr", sa.Float),
        sa.Column("dana_desa_monthly_cap_idr", sa.Float),
        sa.Column("max_loan_idr", sa.Float),
        sa.Column("max_opex_idr", sa.Float),
        sa.Column("failed_rules", sa.Text),
        sa.Column("rules_json", sa.Text),
    )
    op.create_index("ix_gold_financing_eligibility_period", "gold_financing_eligibility", ["period"])
    op.create_table(
        "gold_leading_commodities",
        sa.Column("period", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("district_code", sa.Text),
        sa.Column("commodity", sa.Text),
        sa.Column("base_unit", sa.Text),
        sa.Column("quantity_base", sa.Float),
        sa.Column("value_idr", sa.Float),
        sa.Column("share_of_district", sa.Float),
        sa.Column("share_of_hub_commodity", sa.Float),
        sa.Column("location_quotient", sa.Float),
        sa.Column("trend", sa.Float),
        sa.Column("rank_in_district", sa.BigInteger),
        sa.Column("leading", sa.Boolean),
    )
    op.create_index("ix_gold_leading_commodities_period", "gold_leading_commodities", ["period"])
    op.create_table(
        "gold_reporting_compliance",
        sa.Column("period", sa.Text),
        sa.Column("hub_id", sa.Text),
        sa.Column("district_code", sa.Text),
        sa.Column("village_code", sa.Text),
        sa.Column("cooperative_id", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("submissions", sa.BigInteger),
        sa.Column("first_received_at", sa.DateTime(timezone=True)),
        sa.Column("due_date", sa.Date),
        sa.Column("rows_bronze", sa.BigInteger),
        sa.Column("rows_quarantine", sa.BigInteger),
        sa.Column("rejection_rate", sa.Float),
        sa.Column("accepted", sa.Boolean),
        sa.Column("months_since_last_accepted", sa.BigInteger),
    )
    op.create_index("ix_gold_reporting_compliance_period", "gold_reporting_compliance", ["period"])


def downgrade() -> None:
    op.drop_table("gold_hub_balance")
    op.drop_table("gold_hub_transfers")
    op.drop_table("gold_financing_eligibility")
    op.drop_table("gold_leading_commodities")
    op.drop_table("gold_reporting_compliance")
