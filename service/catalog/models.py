"""Catalogue tables. The link tables have no ORM `relationship()`: every read names its joins or subqueries
(service/catalog/services.py), so no attribute access can issue a hidden query and an N+1 cannot creep in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from service.catalog.enums import (
    Demand,
    EquipmentCategory,
    Laterality,
    Level,
    Mechanic,
    Modality,
    MuscleKind,
    MuscleRole,
    PatternRole,
    Position,
    RelationKind,
    SpinalLoad,
    Tendency,
    sql_in,
)
from service.catalog.enums import Force as ForceEnum
from service.db.base import Base, Timestamped

SLUG_LENGTH = 80
EXERCISE_NAME_LENGTH = 160
SLUG = String(SLUG_LENGTH)


class Muscle(Timestamped, Base):
    __tablename__ = "muscles"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(MuscleKind)})", name="kind"),
        CheckConstraint(f"tendency IN ({sql_in(Tendency)})", name="tendency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("muscles.id", ondelete="RESTRICT"), index=True)
    latin_name: Mapped[str | None] = mapped_column(String(160))
    actions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    antagonists: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    tendency: Mapped[str] = mapped_column(String(32))
    trigger_point_site: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class MuscleGroupMember(Base):
    """A muscle listed as a member of a group it is not a child of (rectus femoris in the hip flexors)."""

    __tablename__ = "muscle_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("muscles.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("muscles.id", ondelete="CASCADE"), primary_key=True)


class Equipment(Timestamped, Base):
    __tablename__ = "equipment"
    __table_args__ = (CheckConstraint(f"category IN ({sql_in(EquipmentCategory)})", name="category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class Condition(Timestamped, Base):
    __tablename__ = "conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class Pattern(Timestamped, Base):
    __tablename__ = "patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    typical_findings: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    references: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class PatternMuscle(Base):
    __tablename__ = "pattern_muscles"
    __table_args__ = (CheckConstraint(f"role IN ({sql_in(PatternRole)})", name="role"),)

    pattern_id: Mapped[int] = mapped_column(ForeignKey("patterns.id", ondelete="CASCADE"), primary_key=True)
    muscle_id: Mapped[int] = mapped_column(ForeignKey("muscles.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Exercise(Timestamped, Base):
    __tablename__ = "exercises"
    __table_args__ = (
        CheckConstraint(f"modality IN ({sql_in(Modality)})", name="modality"),
        CheckConstraint(f"level IN ({sql_in(Level)})", name="level"),
        CheckConstraint(f"mechanic IN ({sql_in(Mechanic)})", name="mechanic"),
        CheckConstraint(f"force IN ({sql_in(ForceEnum)})", name="force"),
        CheckConstraint(f"laterality IN ({sql_in(Laterality)})", name="laterality"),
        CheckConstraint(f"spinal_load IN ({sql_in(SpinalLoad)})", name="spinal_load"),
        CheckConstraint(f"positions <@ ARRAY[{sql_in(Position)}]::text[]", name="positions"),
        CheckConstraint(f"demands <@ ARRAY[{sql_in(Demand)}]::text[]", name="demands"),
        Index("ix_exercises_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_exercises_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index("ix_exercises_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(SLUG, unique=True)
    name: Mapped[str] = mapped_column(String(EXERCISE_NAME_LENGTH))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    instructions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    cues: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    modality: Mapped[str] = mapped_column(String(32))
    phases: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    level: Mapped[str] = mapped_column(String(16))
    mechanic: Mapped[str | None] = mapped_column(String(16))
    force: Mapped[str | None] = mapped_column(String(16))
    laterality: Mapped[str] = mapped_column(String(16))
    spinal_load: Mapped[str] = mapped_column(String(16))
    # Movement attributes (CLINICAL.md §4); null on imported records, which do not describe them.
    positions: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    demands: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    dose: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    source: Mapped[str] = mapped_column(String(40), default="curated", index=True)
    license: Mapped[str | None] = mapped_column(String(80))
    # Name and aliases in one string: the target of typo-tolerant trigram search and of full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR, Computed("to_tsvector('english'::regconfig, search_text)", persisted=True)
    )
    content_hash: Mapped[str] = mapped_column(String(64))


class ExerciseMuscle(Base):
    __tablename__ = "exercise_muscles"
    __table_args__ = (CheckConstraint(f"role IN ({sql_in(MuscleRole)})", name="role"),)

    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    muscle_id: Mapped[int] = mapped_column(ForeignKey("muscles.id", ondelete="RESTRICT"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)


class ExerciseEquipment(Base):
    __tablename__ = "exercise_equipment"

    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    equipment_id: Mapped[int] = mapped_column(
        ForeignKey("equipment.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class ExerciseContraindication(Base):
    __tablename__ = "exercise_contraindications"

    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    condition_id: Mapped[int] = mapped_column(
        ForeignKey("conditions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(Text)


class ExerciseRelation(Base):
    __tablename__ = "exercise_relations"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_in(RelationKind)})", name="kind"),)

    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
