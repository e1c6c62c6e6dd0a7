"""The assessment enums as GraphQL enums, registered once before any type uses them (service.graphql.answers and
service.graphql.assessments both do). strawberry.enum registers the class itself and returns it: the names below
are the classes, so mypy takes them as types."""

from __future__ import annotations

import strawberry

from service.assessments import schemas as s

_DESCRIBED = {
    s.AgeBand: "The person's age range.",
    s.ActivityLevel: "How active a person is day to day.",
    s.TrainingExperience: "How much strength training a person has done.",
    s.PainRegion: "Where a person feels pain.",
    s.PainDuration: "How long the pain has lasted: acute under 6 weeks, subacute 6 to 12, chronic over 12.",
    s.Compensation: "A compensation seen in the overhead squat of the movement screen.",
    s.ThomasResult: "The result of a modified Thomas test on one side.",
    s.AssessmentStatus: "ok: findings to act on; refer: see a clinician first; incomplete: screening answers missing.",
    s.ClinicianRole: "The kind of clinician who cleared a person to train.",
}
for _enum, _description in _DESCRIBED.items():
    strawberry.enum(_enum, description=_description)
# Renamed where the catalogue already has the name (its Level is a training level).
strawberry.enum(
    s.ConcernLevel,
    name="ConcernLevel",
    description="How soon a concern needs a clinician: emergency, urgent, routine, or proceed (no concern).",
)
strawberry.enum(s.Band, name="PatternBand", description="How strongly an imbalance pattern shows.")
strawberry.enum(s.Side, name="FindingSide", description="The side a finding points at; both when not one-sided.")
strawberry.enum(s.OneSide, name="BodySide", description="One side of the body.")

AgeBand = s.AgeBand
ActivityLevel = s.ActivityLevel
TrainingExperience = s.TrainingExperience
PainRegion = s.PainRegion
PainDuration = s.PainDuration
Compensation = s.Compensation
ThomasResult = s.ThomasResult
AssessmentStatus = s.AssessmentStatus
Level = s.ConcernLevel
Band = s.Band
Side = s.Side
OneSide = s.OneSide
ClinicianRole = s.ClinicianRole
