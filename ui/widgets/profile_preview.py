"""The Personalization panel's "See the difference": one prompt answered with the profile
off and on, side by side, the words the profile made more likely marked.

The panel asks for the two replies (`asked`, then the window's model worker runs
`assistant.profile.preview`) and hands the result to `show_result`. Its texts are translated in
the panel's context ("PersonalizationPanel").
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.profile.preview import DEFAULT_PROMPT, MARK_GAIN

translate = QCoreApplication.translate  # (context, text): lupdate reads these calls

MARK_STYLE = "background-color:#ffe08a; color:#000"


def marked_html(pieces: list, marked: bool) -> tuple[str, int]:
    """The profile-on reply as HTML with the words the profile made at least e^MARK_GAIN
    times as likely marked, and how many were."""
    parts, n = [], 0
    for text, gain in pieces:
        piece = html.escape(text).replace("\n", "<br>")
        if marked and gain >= MARK_GAIN and text.strip():
            piece = f'<span style="{MARK_STYLE}" title="{gain:+.1f}">{piece}</span>'
            n += 1
        parts.append(piece)
    return "".join(parts), n


class ProfilePreview(QGroupBox):
    asked = Signal()  # the prompt was sent (Return or the button)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("PersonalizationPanel", "See the difference"), parent)
        self.prompt = QLineEdit(translate("PersonalizationPanel", DEFAULT_PROMPT), self)
        self.prompt.setObjectName("previewPrompt")
        self.prompt.setAccessibleName(translate("PersonalizationPanel", "Prompt to preview"))
        self.prompt.returnPressed.connect(self.asked)
        self.button = QPushButton(translate("PersonalizationPanel", "Preview"), self)
        self.button.setObjectName("previewButton")
        self.button.clicked.connect(self.asked)
        self.status = QLabel(translate(
            "PersonalizationPanel",
            "Answer one prompt with your profile off and on, side by side."), self)
        self.status.setObjectName("previewStatus")
        self.status.setWordWrap(True)
        self.off = QTextBrowser(self)
        self.off.setObjectName("previewOff")
        self.off.setAccessibleName(translate("PersonalizationPanel", "Reply with the profile off"))
        self.on = QTextBrowser(self)
        self.on.setObjectName("previewOn")
        self.on.setAccessibleName(translate("PersonalizationPanel", "Reply with the profile on"))

        pv = QVBoxLayout(self)
        prow = QHBoxLayout()
        prow.addWidget(self.prompt, 1)
        prow.addWidget(self.button)
        pv.addLayout(prow)
        pv.addWidget(self.status)
        sides = QHBoxLayout()
        for title, view in (
            (translate("PersonalizationPanel", "Without your voice"), self.off),
            (translate("PersonalizationPanel",
                "In your voice (marked: words your profile made likelier)"), self.on),
        ):
            col = QVBoxLayout()
            heading = QLabel(title, self)
            heading.setWordWrap(True)  # two narrow columns in a small window
            col.addWidget(heading)
            col.addWidget(view, 1)
            sides.addLayout(col, 1)
            view.setMinimumHeight(120)
        pv.addLayout(sides, 1)

    def writing(self) -> None:
        """The two replies are being written."""
        self.button.setEnabled(False)
        self.status.setText(translate("PersonalizationPanel", "Writing both replies…"))

    def show_result(self, result: dict, labels: Mapping[str, str], *, unsaved: bool) -> None:
        """The model worker's answer; `labels` names the methods, `unsaved`: the strength
        shown is not saved yet."""
        self.button.setEnabled(True)
        if result.get("status") != "complete":
            self.status.setText(str(result.get("error") or translate(
                "PersonalizationPanel", "The preview did not finish.")))
            return
        p = result["preview"]
        self.off.setPlainText(p["off"])
        body, n = marked_html(p["on"], p["marked"])
        self.on.setHtml(body)
        label = labels.get(p["method"], p["method"])
        at = (translate("PersonalizationPanel", " at strength {0:.2f}").format(p["strength"])
              if p.get("strength") is not None else "")
        note = (translate("PersonalizationPanel",
                          "{0}{1}: {2} word(s) marked, each made at least {3:.1f}× as likely "
                          "by your profile.").format(label, at, n, 2.718 ** MARK_GAIN)
                if p["marked"] else
                translate("PersonalizationPanel",
                          "{0}{1}: this method decodes by itself, so no words are marked.")
                .format(label, at))
        if unsaved:
            note += " " + translate("PersonalizationPanel",
                                    "Not saved yet: “Use this strength” keeps it.")
        self.status.setText(note)
