"""The window's switch for other apps: it runs the real `assistant serve`, shows the address
and the token (hidden until asked), serves a real openai client, and stops when turned off."""

from __future__ import annotations

import socket

import httpx
import openai
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from assistant.settings import update_setting

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_switch_serves_my_voice_and_stops(window, qtbot, app):
    port = _free_port()
    update_setting(app.db, "serve_port", port)
    panel = window.serve_panel
    assert panel.status.text() == "Off." and not panel.copy_button.isEnabled()
    panel.switch.setChecked(True)
    qtbot.waitUntil(lambda: bool(panel.url), timeout=120_000)
    assert panel.url == f"http://127.0.0.1:{port}/v1" and panel.address.text() == panel.url
    token = panel.token.text()
    assert token.startswith("va-") and panel.token.echoMode() == QLineEdit.EchoMode.Password
    panel.show_button.click()
    assert panel.token.echoMode() == QLineEdit.EchoMode.Normal
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == token
    client = openai.OpenAI(base_url=panel.url, api_key=token, max_retries=0, timeout=60)
    reply = client.chat.completions.create(
        model="voice-assistant:plain", max_tokens=4,
        messages=[{"role": "user", "content": "Say hello."}])
    assert reply.choices[0].message.content is not None
    assert httpx.get(panel.url + "/models").status_code == 401
    panel.switch.setChecked(False)
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    assert panel.status.text() == "Off." and not panel.address.text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(panel.url or f"http://127.0.0.1:{port}/v1/models")


def test_a_port_in_use_is_said_and_the_switch_goes_back_off(window, qtbot, app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        update_setting(app.db, "serve_port", taken.getsockname()[1])
        panel = window.serve_panel
        panel.switch.setChecked(True)
        qtbot.waitUntil(lambda: not panel.running, timeout=60_000)
    assert not panel.switch.isChecked()
    assert "Cannot listen" in panel.status.text() and "--port" in panel.status.text()
