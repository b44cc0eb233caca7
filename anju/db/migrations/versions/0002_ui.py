"""front end: saved task filters per user, when each user last looked at their tasks

Revision ID: 0002_ui
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_ui"
down_revision = "0001"
branch_labels = ("ui",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_task_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("project_code", sa.String(length=32), nullable=True),
        sa.Column("stage_key", sa.String(length=64), nullable=True),
        sa.Column("due", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_task_filters_name"),
    )
    op.create_index("ix_saved_task_filters_user_id", "saved_task_filters", ["user_id"])
    op.create_table(
        "tasks_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("tasks_seen")
    op.drop_index("ix_saved_task_filters_user_id", table_name="saved_task_filters")
    op.drop_table("saved_task_filters")
