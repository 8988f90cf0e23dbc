"""The desktop entry, the AppStream component, the icon and the window agree on one id."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "packaging"


def test_one_id_for_the_desktop_entry_appstream_icon_and_window():
    from ui.app import DESKTOP_ID

    meta = ET.parse(PKG / f"{DESKTOP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == DESKTOP_ID
    assert meta.find("launchable").text == f"{DESKTOP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(PKG / f"{DESKTOP_ID}.desktop")
    assert entry["Desktop Entry"]["Icon"] == DESKTOP_ID
    assert (PKG / f"{DESKTOP_ID}.svg").is_file()
