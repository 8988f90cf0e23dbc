"""What counts as the user's writing: each sample's include flag, and edit pairs.

Chat messages were all writing samples; most are requests to the assistant ("Write a
note to ...", "Show a hello world"), and a profile built from them learned the
requests. They stay (nothing is deleted) but are excluded until the user includes them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("writing_samples") as batch:
        batch.add_column(
            sa.Column("include", sa.Boolean, nullable=False, server_default=sa.true())
        )
    op.execute("UPDATE writing_samples SET include = 0 WHERE source = 'chat'")
    op.create_table(
        "edit_pairs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("model_text", sa.Text, nullable=False),
        sa.Column("user_text", sa.Text, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column(
            "sample_id",
            sa.Integer,
            sa.ForeignKey("writing_samples.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_edit_pairs_sample_id", "edit_pairs", ["sample_id"])


def downgrade() -> None:
    op.drop_index("ix_edit_pairs_sample_id", "edit_pairs")
    op.drop_table("edit_pairs")
    with op.batch_alter_table("writing_samples") as batch:
        batch.drop_column("include")
