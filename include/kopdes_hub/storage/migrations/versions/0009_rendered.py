"""Feedback rendered off the decision path (issue 17): ``submission.rendered_at``, when the clerk's feedback and the
engineer's GX page of a submission were last written; null (or older than ``validated_at``) = still to render.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submission", sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("rendered_at")
