"""Personal profile: generic-response cache, per-item cache, built profiles.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generic_responses",
        sa.Column("prompt_hash", sa.String(64), primary_key=True),
        sa.Column("model_fingerprint", sa.String(32), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "profile_item_cache",
        sa.Column("item_hash", sa.String(64), primary_key=True),
        sa.Column("model_fingerprint", sa.String(32), primary_key=True),
        sa.Column("config", sa.String(64), primary_key=True),
        sa.Column("effects", sa.JSON, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("method", sa.String(32), nullable=False, unique=True),
        sa.Column("model_name", sa.String(500), nullable=False),
        sa.Column("model_fingerprint", sa.String(32), nullable=False),
        sa.Column("n_layer", sa.Integer, nullable=False),
        sa.Column("n_embd", sa.Integer, nullable=False),
        sa.Column("layer", sa.Integer, nullable=False),
        sa.Column("alpha", sa.Float, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("description_edited", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("preference_tokens", sa.JSON, nullable=False),
        sa.Column("n_samples", sa.Integer, nullable=False),
        sa.Column("item_hashes", sa.JSON, nullable=False),
        sa.Column("vectors", sa.LargeBinary, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("built_at", sa.DateTime, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("profiles")
    op.drop_table("profile_item_cache")
    op.drop_table("generic_responses")
