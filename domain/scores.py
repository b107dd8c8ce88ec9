"""The points table (bảng chấm điểm) and a unit's scores against it.

Pure rules: reading typed points ("45", "9,5", one per line or separated by ";" or
spaces), checking them against the criteria, reading a secretary's points table and
adjustment, and writing numbers the Vietnamese way ("95,5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.text import clean, fold

# The table a bloc uses until its secretary sets its own (config ``[scores]``).
DEFAULT_CRITERIA: tuple[tuple[str, float], ...] = (
    ("Thực hiện nhiệm vụ chính trị, chuyên môn được giao", 50),
    ("Tổ chức phong trào thi đua, công tác khen thưởng", 20),
    ("Xây dựng cơ quan, tổ chức vững mạnh", 15),
    ("Tham gia các hoạt động chung của Khối", 10),
    ("Điểm thưởng: sáng kiến, mô hình mới", 5),
)

# What a points table may hold (the same bounds as config ``[scores]``).
MAX_CRITERIA = 30
NAME_MIN, NAME_MAX = 2, 200
POINTS_LIMIT = 1000
REASON_MAX = 500


@dataclass(frozen=True)
class Criterion:
    name: str
    max: float


class ScoreError(ValueError):
    """Typed points or a typed table that cannot be taken; ``code`` names the problem
    (a template ``scores.error_<code>`` says it), ``details`` what the message needs."""

    def __init__(self, code: str, **details) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details


def effective(self_points: float | None, adjusted_points: float | None) -> float | None:
    """The points that count: the secretary's adjustment, else what the unit entered."""
    return adjusted_points if adjusted_points is not None else self_points


def total(points: list[float | None]) -> float | None:
    """A unit's total; None when it entered nothing."""
    known = [p for p in points if p is not None]
    return round(sum(known), 2) if known else None


def max_total(criteria: list[Criterion]) -> float:
    return round(sum(c.max for c in criteria), 2)


# ---- numbers ------------------------------------------------------------------------------

# Digits, then a decimal comma or point with at most two decimals; a sign is read so that
# "-5" is answered as negative rather than as not a number.
_NUMBER = re.compile(r"([+-]?)(\d{1,6})(?:[.,](\d{1,2}))?")
_SEPARATORS = re.compile(r"[;\s]+")


def parse_number(token: str) -> float:
    """One number, "9,5" or "9.5"; ScoreError("not_number") otherwise."""
    match = _NUMBER.fullmatch(token.strip())
    if match is None:
        raise ScoreError("not_number", text=token.strip()[:40])
    sign, whole, decimals = match.groups()
    value = float(f"{whole}.{decimals or 0}")
    return -value if sign == "-" else value


def parse_points(text: str) -> list[float]:
    """Points typed one per line, or separated by ";" or spaces, in the table's order."""
    lines = [clean(line) for line in (text or "").splitlines()]  # NFC, no zero-width characters
    tokens = [t for line in lines for t in _SEPARATORS.split(line) if t]
    if not tokens:
        raise ScoreError("empty")
    points = []
    for position, token in enumerate(tokens, start=1):
        try:
            points.append(parse_number(token))
        except ScoreError as exc:
            raise ScoreError("not_number", position=position, **exc.details) from None
    return points


def check(points: list[float], criteria: list[Criterion]) -> list[float]:
    """The points if they fit the table: one per criterion, none negative, none above
    its criterion's maximum. Raises ScoreError naming the first problem."""
    if len(points) != len(criteria):
        raise ScoreError("count", expected=len(criteria), got=len(points))
    for position, (value, criterion) in enumerate(zip(points, criteria), start=1):
        if value < 0:
            raise ScoreError("negative", position=position, criterion=criterion.name, value=value)
        if value > criterion.max:
            raise ScoreError("above_max", position=position, criterion=criterion.name, maximum=criterion.max,
                             value=value)
    return [round(value, 2) for value in points]


def fmt_points(value: float | None) -> str:
    """Vietnamese style: "95,5"; whole numbers without decimals ("50"); None as ""."""
    if value is None:
        return ""
    value = round(float(value), 2)
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").replace(".", ",")


# ---- the secretary's points table ------------------------------------------------------------

def parse_table(text: str) -> list[Criterion]:
    """A points table typed as lines "Tên tiêu chí | điểm tối đa"."""
    lines = [clean(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ScoreError("table_empty")
    if len(lines) > MAX_CRITERIA:
        raise ScoreError("table_too_many", limit=MAX_CRITERIA, got=len(lines))
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        name, bar, points = line.rpartition("|")
        name = clean(name)
        if not bar or not name:
            raise ScoreError("table_line", line=line[:80], number=number)
        if not NAME_MIN <= len(name) <= NAME_MAX:
            raise ScoreError("table_name", line=line[:80], number=number, low=NAME_MIN, high=NAME_MAX)
        try:
            maximum = parse_number(points)
        except ScoreError:
            raise ScoreError("table_max", line=line[:80], number=number, limit=POINTS_LIMIT) from None
        if not 0 < maximum <= POINTS_LIMIT:
            raise ScoreError("table_max", line=line[:80], number=number, limit=POINTS_LIMIT)
        if fold(name) in seen:
            raise ScoreError("table_duplicate", line=line[:80], number=number)
        seen.add(fold(name))
        criteria.append(Criterion(name, maximum))
    return criteria


def to_rows(criteria: list[Criterion]) -> list[dict]:
    """The JSON kept in ``points_table.criteria``."""
    return [{"name": c.name, "max": c.max} for c in criteria]


def from_rows(rows: list[dict]) -> list[Criterion]:
    return [Criterion(str(row["name"]), float(row["max"])) for row in rows]


# ---- the secretary's adjustment --------------------------------------------------------------

_REASON = re.compile(r"^l[ýyíi]\s*do\b\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Adjustment:
    unit: str  # the unit's name as typed
    points: str  # the points as typed (read with parse_points)
    reason: str


def parse_adjustment(text: str) -> Adjustment:
    """A secretary's adjustment: the unit's name on the first line, the points next (one
    line, or one per line), and last a line "Lý do: …" (a reason is required)."""
    lines = [clean(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ScoreError("adjust_empty")
    reason_at = next((i for i in range(len(lines) - 1, 0, -1) if _REASON.match(lines[i])), None)
    if reason_at is None:
        raise ScoreError("no_reason")
    line = lines[reason_at]
    reason = clean(line[_REASON.match(line).end():] + " " + " ".join(lines[reason_at + 1:]))
    if not reason:
        raise ScoreError("no_reason")
    if len(reason) > REASON_MAX:
        raise ScoreError("reason_too_long", limit=REASON_MAX, length=len(reason))
    points = "\n".join(lines[1:reason_at])
    if not points:
        raise ScoreError("adjust_no_points")
    return Adjustment(unit=lines[0], points=points, reason=reason)
