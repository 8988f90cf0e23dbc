"""A small layer-by-head heat map of DPS's preference heads.

Why a picture and not a list: where the heads sit (early, middle or late
layers; one head or several in a layer) is what a user or developer wants to
see at a glance. Rows are layers (top = first), columns are heads; a kept
head's cell is shaded by its score relative to the strongest one.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


class HeadMap(QWidget):
    """Paints an n_layer x n_head grid; cells of the given heads are coloured by score."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileHeadMap")
        self.setAccessibleName(self.tr("Preference heads, layer by head"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.n_layer, self.n_head = 30, 9
        self.heads: dict[tuple[int, int], float] = {}

    def set_heads(self, heads: list[dict], n_layer: int = 30, n_head: int = 9) -> None:
        """`heads`: [{layer, head, score}, ...] as stored in the DPS profile."""
        self.n_layer, self.n_head = max(1, n_layer), max(1, n_head)
        self.heads = {(int(h["layer"]), int(h["head"])): float(h.get("score", 0.0))
                      for h in heads}
        self.setToolTip(", ".join(self.tr("layer {0} head {1}: {2:+.3f}").format(L, k, s)
                                  for (L, k), s in self.heads.items()))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.n_head * 14 + 2, self.n_layer * 5 + 2)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        w = (self.width() - 2) / self.n_head
        h = (self.height() - 2) / self.n_layer
        top = max((s for s in self.heads.values() if s > 0), default=1.0)
        base = self.palette().base().color()
        p.fillRect(self.rect(), self.palette().mid().color())
        for L in range(self.n_layer):
            for k in range(self.n_head):
                s = self.heads.get((L, k))
                if s is None:
                    color = base
                else:
                    t = max(0.15, min(1.0, s / top)) if top > 0 else 1.0
                    color = QColor.fromRgbF(0.85, 0.85 * (1 - t), 0.2 * (1 - t))
                p.fillRect(QRectF(1 + k * w, 1 + L * h, w - 0.5, h - 0.5), color)
        p.setPen(Qt.PenStyle.NoPen)
        p.end()
