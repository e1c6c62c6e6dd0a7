"""Catalogue: muscles, equipment, conditions, patterns, exercises and their links.

Revision ID: 7f211130723d
Revises:
Create Date: 2026-11-24 02:49:27.054234
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7f211130723d"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trigram search for typo-tolerant exercise lookup. Not dropped on downgrade: other schemas may use it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conditions")),
        sa.UniqueConstraint("slug", name=op.f("uq_conditions_slug")),
    )
    op.create_table(
        "equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "category IN ('bodyweight', 'free_weight', 'machine', 'cable', 'accessory', 'recovery')",
            name=op.f("ck_equipment_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
        sa.UniqueConstraint("slug", name=op.f("uq_equipment_slug")),
    )
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("aliases", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("instructions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("cues", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("modality", sa.String(length=32), nullable=False),
        sa.Column("phases", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("mechanic", sa.String(length=16), nullable=True),
        sa.Column("force", sa.String(length=16), nullable=True),
        sa.Column("laterality", sa.String(length=16), nullable=False),
        sa.Column("spinal_load", sa.String(length=16), nullable=False),
        sa.Column("dose", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("license", sa.String(length=80), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("force IN ('push', 'pull', 'static')", name=op.f("ck_exercises_force")),
        sa.CheckConstraint(
            "laterality IN ('bilateral', 'unilateral', 'alternating')", name=op.f("ck_exercises_laterality")
        ),
        sa.CheckConstraint("level IN ('beginner', 'intermediate', 'advanced')", name=op.f("ck_exercises_level")),
        sa.CheckConstraint("mechanic IN ('compound', 'isolation')", name=op.f("ck_exercises_mechanic")),
        sa.CheckConstraint(
            "modality IN ('self_myofascial_release', 'static_stretch', 'dynamic_stretch', 'activation', 'strength', 'mobility')",
            name=op.f("ck_exercises_modality"),
        ),
        sa.CheckConstraint("spinal_load IN ('none', 'low', 'moderate', 'high')", name=op.f("ck_exercises_spinal_load")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
        sa.UniqueConstraint("slug", name=op.f("uq_exercises_slug")),
    )
    op.create_index(
        "ix_exercises_search_text_trgm",
        "exercises",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_exercises_search_vector", "exercises", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(op.f("ix_exercises_source"), "exercises", ["source"], unique=False)
    op.create_index("ix_exercises_updated_at", "exercises", ["updated_at"], unique=False)
    op.create_table(
        "muscles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("latin_name", sa.String(length=160), nullable=True),
        sa.Column("actions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("antagonists", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("tendency", sa.String(length=32), nullable=False),
        sa.Column("trigger_point_site", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('group', 'muscle', 'part', 'fascia')", name=op.f("ck_muscles_kind")),
        sa.CheckConstraint(
            "tendency IN ('prone_to_overactivity', 'prone_to_underactivity', 'neutral')",
            name=op.f("ck_muscles_tendency"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["muscles.id"], name=op.f("fk_muscles_parent_id_muscles"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_muscles")),
        sa.UniqueConstraint("slug", name=op.f("uq_muscles_slug")),
    )
    op.create_index(op.f("ix_muscles_parent_id"), "muscles", ["parent_id"], unique=False)
    op.create_table(
        "patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("typical_findings", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("references", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patterns")),
        sa.UniqueConstraint("slug", name=op.f("uq_patterns_slug")),
    )
    op.create_table(
        "exercise_contraindications",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["condition_id"],
            ["conditions.id"],
            name=op.f("fk_exercise_contraindications_condition_id_conditions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_contraindications_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "condition_id", name=op.f("pk_exercise_contraindications")),
    )
    op.create_index(
        op.f("ix_exercise_contraindications_condition_id"),
        "exercise_contraindications",
        ["condition_id"],
        unique=False,
    )
    op.create_table(
        "exercise_equipment",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_exercise_equipment_equipment_id_equipment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_equipment_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "equipment_id", name=op.f("pk_exercise_equipment")),
    )
    op.create_index(op.f("ix_exercise_equipment_equipment_id"), "exercise_equipment", ["equipment_id"], unique=False)
    op.create_table(
        "exercise_muscles",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("muscle_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("role IN ('primary', 'secondary')", name=op.f("ck_exercise_muscles_role")),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_muscles_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["muscle_id"],
            ["muscles.id"],
            name=op.f("fk_exercise_muscles_muscle_id_muscles"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "muscle_id", name=op.f("pk_exercise_muscles")),
    )
    op.create_index(op.f("ix_exercise_muscles_muscle_id"), "exercise_muscles", ["muscle_id"], unique=False)
    op.create_table(
        "exercise_relations",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('regression', 'progression', 'alternative')", name=op.f("ck_exercise_relations_kind")
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_relations_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_relations_related_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "related_id", "kind", name=op.f("pk_exercise_relations")),
    )
    op.create_table(
        "muscle_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["muscles.id"],
            name=op.f("fk_muscle_group_members_group_id_muscles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["muscles.id"],
            name=op.f("fk_muscle_group_members_member_id_muscles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_muscle_group_members")),
    )
    op.create_table(
        "pattern_muscles",
        sa.Column("pattern_id", sa.Integer(), nullable=False),
        sa.Column("muscle_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("role IN ('overactive', 'underactive')", name=op.f("ck_pattern_muscles_role")),
        sa.ForeignKeyConstraint(
            ["muscle_id"],
            ["muscles.id"],
            name=op.f("fk_pattern_muscles_muscle_id_muscles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pattern_id"],
            ["patterns.id"],
            name=op.f("fk_pattern_muscles_pattern_id_patterns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pattern_id", "muscle_id", "role", name=op.f("pk_pattern_muscles")),
    )


def downgrade() -> None:
    op.drop_table("pattern_muscles")
    op.drop_table("muscle_group_members")
    op.drop_table("exercise_relations")
    op.drop_index(op.f("ix_exercise_muscles_muscle_id"), table_name="exercise_muscles")
    op.drop_table("exercise_muscles")
    op.drop_index(op.f("ix_exercise_equipment_equipment_id"), table_name="exercise_equipment")
    op.drop_table("exercise_equipment")
    op.drop_index(op.f("ix_exercise_contraindications_condition_id"), table_name="exercise_contraindications")
    op.drop_table("exercise_contraindications")
    op.drop_table("patterns")
    op.drop_index(op.f("ix_muscles_parent_id"), table_name="muscles")
    op.drop_table("muscles")
    op.drop_index("ix_exercises_updated_at", table_name="exercises")
    op.drop_index(op.f("ix_exercises_source"), table_name="exercises")
    op.drop_index("ix_exercises_search_vector", table_name="exercises", postgresql_using="gin")
    op.drop_index(
        "ix_exercises_search_text_trgm",
        table_name="exercises",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_table("exercises")
    op.drop_table("equipment")
    op.drop_table("conditions")
