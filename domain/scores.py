"""The points table (bảng chấm điểm) and a unit's scores against it."""

from __future__ import annotations

from dataclasses import dataclass

# The table a bloc uses until its secretary sets its own (config ``[scores]``).
DEFAULT_CRITERIA: tuple[tuple[str, float], ...] = (
    ("Thực hiện nhiệm vụ chính trị, chuyên môn được giao", 50),
    ("Tổ chức phong trào thi đua, công tác khen thưởng", 20),
    ("Xây dựng cơ quan, tổ chức vững mạnh", 15),
    ("Tham gia các hoạt động chung của Khối", 10),
    ("Điểm thưởng: sáng kiến, mô hình mới", 5),
)


@dataclass(frozen=True)
class Criterion:
    name: str
    max: float


def effective(self_points: float | None, adjusted_points: float | None) -> float | None:
    """The points that count: the secretary's adjustment, else what the unit entered."""
    return adjusted_points if adjusted_points is not None else self_points


def total(points: list[float | None]) -> float | None:
    """A unit's total; None when it entered nothing."""
    known = [p for p in points if p is not None]
    return round(sum(known), 2) if known else None
