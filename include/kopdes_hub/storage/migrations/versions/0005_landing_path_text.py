"""A landing path of any length: ``submission_file.path`` becomes text (a path over 512 characters, legal on Linux,
failed its batch's insert on PostgreSQL on every sweep).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission_file") as table:  # SQLite rebuilds the table, PostgreSQL alters the type
        table.alter_column("path", type_=sa.Text, existing_type=sa.String(512), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_file") as table:
        table.alter_column("path", type_=sa.String(512), existing_type=sa.Text, existing_nullable=False)
