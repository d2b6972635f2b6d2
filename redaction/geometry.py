"""Rectangles and 2-D affine matrices in PDF user space (pure)."""

from __future__ import annotations

from typing import NamedTuple

_EPSILON = 1e-12


class Rect(NamedTuple):
    """An axis-aligned rectangle, normalised so that x0 <= x1 and y0 <= y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, x0: float, y0: float, x1: float, y1: float) -> Rect:
        return cls(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def intersects(self, other: Rect) -> bool:
        return not (
            other.x1 < self.x0 or other.x0 > self.x1 or other.y1 < self.y0 or other.y0 > self.y1
        )

    def padded(self, pad: float) -> Rect:
        return Rect(self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def as_list(self) -> list[float]:
        return [round(v, 2) for v in self]


class Matrix(NamedTuple):
    """The PDF matrix [a b c d e f]: x' = a*x + c*y + e, y' = b*x + d*y + f."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    def __matmul__(self, other: Matrix) -> Matrix:
        """``self @ other``: apply ``self`` first, then ``other`` (PDF's left-to-right order)."""
        a, b, c, d, e, f = self
        p, q, r, s, t, u = other
        return Matrix(
            a * p + b * r,
            a * q + b * s,
            c * p + d * r,
            c * q + d * s,
            e * p + f * r + t,
            e * q + f * s + u,
        )

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return (self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f)

    def transform_rect(self, rect: Rect) -> Rect:
        xs_ys = [self.apply(x, y) for x in (rect.x0, rect.x1) for y in (rect.y0, rect.y1)]
        xs = [p[0] for p in xs_ys]
        ys = [p[1] for p in xs_ys]
        return Rect(min(xs), min(ys), max(xs), max(ys))

    def inverse(self) -> Matrix | None:
        det = self.a * self.d - self.b * self.c
        if abs(det) < _EPSILON:
            return None
        a, b, c, d = self.d / det, -self.b / det, -self.c / det, self.a / det
        return Matrix(a, b, c, d, -(self.e * a + self.f * c), -(self.e * b + self.f * d))


IDENTITY = Matrix()
