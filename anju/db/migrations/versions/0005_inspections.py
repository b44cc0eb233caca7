"""inspections: joint inspection of a room against a checklist, its results, re-inspection slots

Revision ID: 0005_inspections
Revises: 0004_handover
Create Date: 2026-11-23 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_inspections"
down_revision = "0004_handover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.String(length=64), nullable=False),
        sa.Column("checklist_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_inspections_room_id", "unit_inspections", ["room_id"])
    op.create_table(
        "inspection_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("space", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=128), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("defect_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["inspection_id"], ["unit_inspections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["defect_id"], ["handover_defects.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inspection_results_inspection_id", "inspection_results", ["inspection_id"])
    op.create_table(
        "reinspection_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("with_owner", sa.Boolean(), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["rectification_id"], ["rectifications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reinspection_bookings_rectification_id", "reinspection_bookings", ["rectification_id"]
    )


def downgrade() -> None:
    op.drop_table("reinspection_bookings")
    op.drop_table("inspection_results")
    op.drop_table("unit_inspections")
