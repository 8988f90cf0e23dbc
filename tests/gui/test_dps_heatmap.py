"""The DPS head heat map: paints the 30x9 grid offscreen, kept heads coloured by score."""

from __future__ import annotations


def test_head_map_paints_the_kept_heads(gui_app, qtbot, artifacts_dir):
    from ui.widgets.head_map import HeadMap

    w = HeadMap()
    qtbot.addWidget(w)
    w.set_heads([{"layer": 0, "head": 0, "score": 0.5}, {"layer": 29, "head": 8, "score": 0.1}])
    w.resize(w.sizeHint())
    img = w.grab().toImage()
    img.save(str(artifacts_dir / "dps_head_map.png"))
    cell_w, cell_h = (w.width() - 2) / 9, (w.height() - 2) / 30

    def color(layer, head):
        return img.pixelColor(int(1 + (head + 0.5) * cell_w), int(1 + (layer + 0.5) * cell_h))

    strong, weak, off = color(0, 0), color(29, 8), color(15, 4)
    assert strong != off and weak != off and strong != weak
    assert strong.green() < weak.green()  # the stronger head is the deeper red
    assert "layer 0 head 0" in w.toolTip()
