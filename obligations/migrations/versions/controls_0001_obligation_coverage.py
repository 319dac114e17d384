"""obligations keep their best accepted control coverage; covering indexes for gap analysis

Revision ID: controls_0001
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "controls_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE obligation SET coverage = CASE
    WHEN EXISTS (SELECT 1 FROM obligationcontrol oc WHERE oc.obligation_id = obligation.id
                 AND oc.state = 'accepted' AND oc.coverage = 'full') THEN 'full'
    WHEN EXISTS (SELECT 1 FROM obligationcontrol oc WHERE oc.obligation_id = obligation.id
                 AND oc.state = 'accepted') THEN 'partial'
    ELSE 'none' END
"""


def upgrade() -> None:
    with op.batch_alter_table("obligation") as batch:
        batch.add_column(
            sa.Column("coverage", sa.String(length=10), nullable=False, server_default="none")
        )
    op.execute(BACKFILL)
    with op.batch_alter_table("obligation") as batch:
        batch.create_index(
            "ix_obligation_gap_source",
            ["source_id", "superseded_by_version_id", "status", "coverage"],
            unique=False,
        )
        batch.create_index(
            "ix_obligation_gap_owner",
            ["owner", "superseded_by_version_id", "status", "coverage"],
            unique=False,
        )
    with op.batch_alter_table("obligationtopic") as batch:
        batch.create_index(
            "ix_obligationtopic_topic_obligation", ["topic", "obligation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("obligationtopic") as batch:
        batch.drop_index("ix_obligationtopic_topic_obligation")
    with op.batch_alter_table("obligation") as batch:
        batch.drop_index("ix_obligation_gap_owner")
        batch.drop_index("ix_obligation_gap_source")
        batch.drop_column("coverage")
