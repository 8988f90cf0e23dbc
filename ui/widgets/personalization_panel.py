"""Personalization, in plain words first: one "Write like me" switch, what was learned
(the description, the words typical of the user, the samples it came from, one sentence
of effect from the build's own test) and the side-by-side example; the method list,
strength and layer sit under "Advanced", each with one line of what it does. The build
shows its stage and the time left. The preview: one prompt answered with the profile
off and on, side by side, with the words the profile made more likely marked
(`assistant.profile.preview`, run by the model worker: `previewRequested` out, `show_preview`
back). Moving the strength slider previews the
new strength; "Use this strength" saves it.

The panel holds the profile service it reads and edits (made on first use: it may
pull in torch, and the window must open without it); the menu lists every method
of `assistant.method_registry`, and picking one saves it as the `chat_method` the CLI reads
too (`methods.use`). The build runs in a child process (`ProcessTaskHost`,
`ui.build_process`), so chatting stays possible and the window smooth meanwhile.
What the panel shows is read in `ui.widgets.profile_state`; the preview is
`ui.widgets.profile_preview`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant import method_registry as methods
from assistant.app import AppContext
from assistant.profile.kinds import DEFAULT_KIND
from ui.dialogs import guarded, show_error
from ui.errors import USER_ERRORS
from ui.widgets.head_map import HeadMap
from ui.widgets.profile_preview import ProfilePreview
from ui.widgets.profile_state import ProfileState, build_args, profile_state
from ui.workers import ProcessTaskHost

STRENGTH_STEPS = 100  # slider units per 1.0 of strength
MAX_STRENGTH = 6.0  # the builder tries 0.5 to 4

if TYPE_CHECKING:  # pragma: no cover
    from assistant.profile.service import ProfileService


def _eta(seconds: float) -> str:
    """Time left in words: "about 3 min", "under a minute"."""
    if seconds < 60:
        return QCoreApplication.translate("PersonalizationPanel", "under a minute")
    return QCoreApplication.translate("PersonalizationPanel", "about {0} min").format(
        round(seconds / 60))


class PersonalizationPanel(QWidget):
    personalizationChanged = Signal(bool)  # on / off, for the status bar
    message = Signal(str)
    previewRequested = Signal(str, object)  # the prompt, the strength to try (None: saved)

    def __init__(
        self, app: AppContext, tasks: ProcessTaskHost, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._service: ProfileService | None = None
        self._fints_items: list[dict] = []
        self._labels = {m.name: m.label for m in methods.METHODS.values()}
        self._tasks = tasks
        self._state = ProfileState()
        self._selected: str | None = None  # the method picked in the box (may be unbuilt)
        self._current_model: tuple[str, str] = ("", "")


        self.method = QComboBox(self)
        self.method.setObjectName("profileMethod")
        self.method.setAccessibleName(self.tr("Personalization method"))
        self.method.activated.connect(self._on_method)
        self.strength = QSlider(Qt.Orientation.Horizontal, self)
        self.strength.setObjectName("profileStrength")
        self.strength.setAccessibleName(self.tr("Personalization strength"))
        self.strength.setRange(0, int(MAX_STRENGTH * STRENGTH_STEPS))
        self.strength.setPageStep(10)
        self.strength_value = QLabel(self.tr("0.00"), self)
        self.strength_value.setMinimumWidth(self.strength_value.fontMetrics().horizontalAdvance(
            "00.00"))
        self.strength.valueChanged.connect(
            lambda v: self.strength_value.setText(f"{v / STRENGTH_STEPS:.2f}")
        )
        self.strength.sliderReleased.connect(self._on_strength)
        self.use_strength = QPushButton(self.tr("Use this strength"), self)
        self.use_strength.setObjectName("profileUseStrength")
        self.use_strength.setToolTip(self.tr("Save the strength the preview shows."))
        self.use_strength.clicked.connect(self.save_strength)
        self.use_strength.setVisible(False)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("profileModel")
        self.model_label.setWordWrap(True)
        self.recommendation = QLabel(self)
        self.recommendation.setObjectName("profileRecommendation")
        self.recommendation.setWordWrap(True)
        self.use_recommended = QPushButton(self.tr("Use it"), self)
        self.use_recommended.setObjectName("profileUseRecommended")
        self.use_recommended.setAccessibleName(self.tr("Use the recommended method"))
        self.use_recommended.clicked.connect(self.apply_recommendation)
        self._first_build = False

        self.build_button = QPushButton(self.tr("Build profile"), self)
        self.build_button.setObjectName("profileBuild")
        self.build_button.setAccessibleName(self.tr("Build profile"))
        self.build_button.clicked.connect(self.start_build)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("profileCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel building the profile"))
        self.cancel_button.clicked.connect(self._tasks.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("profileProgress")
        self.progress.setAccessibleName(self.tr("Profile build progress"))
        self.progress.setTextVisible(True)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("profileProgressLabel")

        self.description = QPlainTextEdit(self)
        self.description.setObjectName("profileDescription")
        self.description.setAccessibleName(self.tr("What was learned about your writing"))
        self.description.setPlaceholderText(self.tr(
            "After a build, a plain-words description of your writing appears here; "
            "you can edit it."))
        self.description.textChanged.connect(self._update_enabled)
        self.save_description = QPushButton(self.tr("Save description"), self)
        self.save_description.setObjectName("profileSaveDescription")
        self.save_description.setAccessibleName(self.tr("Save description"))
        self.save_description.clicked.connect(self.store_description)
        self.tokens_label = QLabel(self)
        self.tokens_label.setObjectName("profileTokens")
        self.tokens_label.setWordWrap(True)
        self.tokens_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # ---- the preview ----
        self.preview = ProfilePreview(self)
        self.preview.asked.connect(lambda: self.request_preview())
        # The preview's parts, by the names the panel has always had.
        self.preview_prompt, self.preview_button = self.preview.prompt, self.preview.button
        self.preview_status = self.preview.status
        self.preview_off, self.preview_on = self.preview.off, self.preview.on
        self._previewing = False
        self.heads_caption = QLabel(self.tr("Preference heads (DPS), layer by head:"), self)
        self.head_map = HeadMap(self)
        self.fints_items_label = QLabel(self.tr(
            "Fints: no reply yet"), self)  # items of the last reply
        self.fints_items_label.setObjectName("profileFintsItems")
        self.fints_items_label.setWordWrap(True)
        self.fints_items_label.setVisible(False)  # shown once Fints has steered a reply

        # ---- plain words first ----
        self.write_like_me = QCheckBox(self.tr("Write like me"), self)
        self.write_like_me.setObjectName("writeLikeMe")
        self.write_like_me.setAccessibleName(self.tr("Write like me"))
        self.write_like_me.setToolTip(self.tr(
            "Chat and drafting answer in your voice, learned from your writing history."))
        self.write_like_me.clicked.connect(self._on_write_like_me)
        self.switch_note = QLabel(self)
        self.switch_note.setObjectName("writeLikeMeNote")
        self.switch_note.setWordWrap(True)
        self.effect_label = QLabel(self)
        self.effect_label.setObjectName("profileEffect")
        self.effect_label.setWordWrap(True)
        self.samples_label = QLabel(self)
        self.samples_label.setObjectName("profileSamples")
        self.samples_label.setWordWrap(True)
        self.samples_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # ---- advanced: the methods, strength and layer, each with one line ----
        self.method_summary = QLabel(self)
        self.method_summary.setObjectName("profileMethodSummary")
        self.method_summary.setWordWrap(True)
        self.layer_label = QLabel(self)
        self.layer_label.setObjectName("profileLayer")
        self.layer_label.setWordWrap(True)
        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setObjectName("personalizationAdvancedToggle")
        self.advanced_toggle.setText(self.tr("Advanced"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QGroupBox(self)  # titled by its toggle
        self.advanced.setObjectName("personalizationAdvanced")
        self.advanced.setVisible(False)
        self.advanced_toggle.toggled.connect(self._show_advanced)

        form = QFormLayout()
        mcol = QVBoxLayout()
        mcol.addWidget(self.method)
        mcol.addWidget(self.method_summary)
        form.addRow(self.tr("Method"), mcol)
        srow = QHBoxLayout()
        srow.addWidget(self.strength, 1)
        srow.addWidget(self.strength_value)
        srow.addWidget(self.use_strength)
        scol = QVBoxLayout()
        scol.addLayout(srow)
        strength_note = QLabel(self.tr(
            "How strongly the profile pushes the reply toward your voice (0 is off)."), self)
        strength_note.setWordWrap(True)
        scol.addWidget(strength_note)
        form.addRow(self.tr("Strength"), scol)
        form.addRow(self.tr("Layer"), self.layer_label)
        form.addRow(self.tr("Model"), self.model_label)
        rrow = QVBoxLayout()  # the text wraps above its button (a narrow window: #37)
        rrow.addWidget(self.recommendation)
        rrow.addWidget(self.use_recommended, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Best for you"), rrow)
        adv = QVBoxLayout(self.advanced)
        adv.addLayout(form)
        adv.addWidget(self.fints_items_label)
        adv.addWidget(self.heads_caption)
        adv.addWidget(self.head_map)

        build_row = QHBoxLayout()
        build_row.addWidget(self.build_button)
        build_row.addWidget(self.progress, 1)
        build_row.addWidget(self.cancel_button)
        learned = QGroupBox(self.tr("What was learned"), self)
        ll = QVBoxLayout(learned)
        ll.addWidget(self.effect_label)
        ll.addWidget(self.description, 1)
        drow = QHBoxLayout()
        drow.addStretch(1)
        drow.addWidget(self.save_description)
        ll.addLayout(drow)
        ll.addWidget(QLabel(self.tr("Words typical of you:"), self))
        ll.addWidget(self.tokens_label)
        ll.addWidget(QLabel(self.tr("Learned from your writing samples:"), self))
        ll.addWidget(self.samples_label)
        # In a scroll area: the panel holds more than a small window's height, and the
        # window's minimum size must not grow with it.
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addWidget(self.write_like_me)
        layout.addWidget(self.switch_note)
        layout.addLayout(build_row)
        layout.addWidget(self.progress_label)
        layout.addWidget(learned, 1)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.advanced_toggle)
        layout.addWidget(self.advanced)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        tasks.progress.connect(self._on_progress)
        tasks.finished.connect(self._on_finished)
        tasks.runningChanged.connect(lambda _r: self._update_enabled())
        self._loaded = False
        self._build_t0 = 0.0
        self._update_enabled()

    @Slot(bool)
    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.ensure_loaded()
        self.show_fints_items()
        super().showEvent(event)

    def ensure_loaded(self) -> None:
        """Read the profile the first time it is needed, not at start-up: the profile
        service may pull in torch, and the window must open without it."""
        if not self._loaded:
            self._loaded = True
            self._fill_methods()
            self.refresh()

    @property
    def profiles(self) -> ProfileService:
        if self._service is None:
            from assistant.profile.service import ProfileService

            self._service = ProfileService(self._app)
        return self._service

    def set_fints_items(self, items: list[dict]) -> None:
        """The history items Fints picked for the last reply (from the model worker)."""
        self._fints_items = list(items)
        if self.isVisible():
            self.show_fints_items()

    def show_fints_items(self) -> None:
        """The history items Fints used for the last reply, with their weights."""
        items = self._fints_items
        self.fints_items_label.setText(
            self.tr("Fints, last reply: {0}").format(
                "; ".join(f"{it['weight']:.2f} {it['text']}" for it in items))
            if items else self.tr("Fints: no reply yet"))
        self.fints_items_label.setVisible(bool(items))

    # ---- state -------------------------------------------------------------
    def _fill_methods(self) -> None:
        self.method.clear()
        for m in methods.METHODS.values():
            self.method.addItem(m.label, m.name)
            self.method.setItemData(self.method.count() - 1, m.summary,
                                    Qt.ItemDataRole.ToolTipRole)

    def set_current_model(self, name: str, fingerprint: str) -> None:
        """The model chat runs on: a profile built for another one is flagged."""
        self._current_model = (name, fingerprint)
        if self._loaded:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        st = guarded(self, profile_state, self._app, self.profiles, self._selected) \
            or ProfileState()
        # A previewed, unsaved strength survives a refresh of the same profile.
        pending = (self.strength.value() if not self.use_strength.isHidden()
                   and st.exists and st.method == self._state.method else None)
        self._state = st
        shown = self._selected or st.active
        self.method.blockSignals(True)
        self.method.setCurrentIndex(max(self.method.findData(shown), 0))
        self.method.blockSignals(False)
        self.strength.blockSignals(True)
        self.strength.setValue(round(st.strength * STRENGTH_STEPS) if pending is None
                               else pending)
        self.strength.blockSignals(False)
        self.strength_value.setText(f"{self.strength.value() / STRENGTH_STEPS:.2f}")
        self.use_strength.setVisible(pending is not None)
        self.description.blockSignals(True)
        self.description.setPlainText(st.description)
        self.description.blockSignals(False)
        self.tokens_label.setText(", ".join(st.top_tokens) if st.top_tokens else "—")
        self.write_like_me.setChecked(st.personalized)
        self.switch_note.setText(
            self.tr("On: chat and drafting use {0}.").format(
                self._labels.get(st.active, st.active)) if st.personalized else
            self.tr("Off: replies are the model's own. {0}").format(st.recommended_why))
        self.effect_label.setText(st.effect or (
            self.tr("Build your profile to see what it changes.") if not st.exists else ""))
        self.effect_label.setVisible(bool(self.effect_label.text()))
        self.samples_label.setText(
            self.tr("{0} included sample(s); the latest: {1}").format(
                st.n_included, "; ".join(f"“{x}”" for x in st.sources))
            if st.sources else self.tr(
                "None yet: add your own texts in the Writing history tab."))
        summary = methods.get(self.method.currentData() or "none").summary
        self.method_summary.setText(summary[:1].upper() + summary[1:] + ".")
        self.layer_label.setText(
            self.tr("{0}: where in the model the steering is added.").format(st.layer)
            if st.exists else "—")
        self.head_map.set_heads(st.heads, st.n_layer or 30, st.n_head or 9)
        self.head_map.setVisible(bool(st.heads))
        self.heads_caption.setVisible(bool(st.heads))
        self.model_label.setText(self._model_text(st))
        label = self._labels.get(st.recommended, st.recommended)
        self.recommendation.setText(self.tr("{0}. {1}").format(label, st.recommended_why)
                                    + (f"\n{st.steering_off}" if st.steering_off else ""))
        self.use_recommended.setVisible(st.recommended != st.active
                                        and bool(methods.get(st.recommended).needs))
        self.build_button.setText(
            self.tr("Rebuild profile") if st.exists else self.tr("Build profile"))
        if not self._tasks.running:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        self._update_enabled()
        self.personalizationChanged.emit(self.personalization_on)

    def _model_text(self, st: ProfileState) -> str:
        if not st.exists:
            label = self.method.currentText() if self._selected and \
                methods.get(self._selected).needs else ""
            return (self.tr("No {0} profile yet: build one from your writing history.")
                    .format(label) if label
                    else self.tr("No profile yet: build one from your writing history."))
        label = self._labels.get(st.method, st.method)
        text = self.tr("{0} profile for {1}, from {2} writing sample(s), built {3}.").format(
            label, st.model_name, st.samples_used, st.built_at)
        name, fingerprint = self._current_model
        if fingerprint and st.model_fingerprint and fingerprint != st.model_fingerprint:
            text += self.tr(" The model in use is {0}: rebuild the profile to use it.").format(
                name)
        if not st.personalized:
            text += self.tr(" Personalization is off.")
        return text

    @property
    def personalization_on(self) -> bool:
        return self._state.personalized

    @property
    def active_label(self) -> str:
        """For the status bar: the method chat is personalized with, or "off"."""
        if not self.personalization_on:
            return self.tr("off")
        return self._labels.get(self._state.active, self._state.active)

    def samples_used(self) -> tuple[int | None, str]:
        """For the history panel: how many samples the profile uses, or why none."""
        if not self._state.exists:
            return None, self.tr("No profile has been built from them yet.")
        return self._state.samples_used, ""

    def _update_enabled(self) -> None:
        running = self._tasks.running
        has = self._state.exists
        self.method.setEnabled(not running)
        self.strength.setEnabled(not running and has)
        self.description.setEnabled(not running and has)
        self.build_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.save_description.setEnabled(
            not running and has
            and self.description.toPlainText().strip() != self._state.description.strip()
        )

    # ---- actions -----------------------------------------------------------
    @Slot(int)
    def _on_method(self, _index: int) -> None:
        key = self.method.currentData()
        self._selected = key
        why = guarded(self, methods.use, self._app, key)
        if why:
            self.message.emit(self.tr("{0} cannot be used yet: {1}. Build its profile or add "
                                      "your texts first.").format(self.method.currentText(), why))
        self.refresh()

    @Slot(bool)
    def _on_write_like_me(self, on: bool) -> None:
        """The one switch: on uses what the user's texts showed best (their texts in the
        prompt until a build says more), off answers without personalization."""
        name = (self._state.recommended if self._state.recommended != "none" else "rag") \
            if on else "none"
        why = guarded(self, methods.use, self._app, name)
        if why:
            self.message.emit(self.tr("Cannot write like you yet: {0}. Add your own texts in "
                                      "the Writing history tab.").format(why))
        self._selected = None
        self.refresh()

    @Slot()
    def _on_strength(self) -> None:
        """A new strength is previewed first; "Use this strength" saves it."""
        changed = abs(self.strength.value() / STRENGTH_STEPS - self._state.strength) > 1e-9
        self.use_strength.setVisible(self._state.exists and changed)
        if self._state.exists and changed:
            self.request_preview()

    @Slot()
    def save_strength(self) -> None:
        if self._state.exists:
            guarded(self, lambda: self.profiles.set_strength(
                self._state.method, alpha=self.strength.value() / STRENGTH_STEPS))
        self.use_strength.setVisible(False)
        self.refresh()

    def request_preview(self) -> None:
        """Ask the window's model worker for the two replies (at the slider's strength)."""
        prompt = self.preview_prompt.text().strip()
        if not prompt or self._previewing:
            return
        strength = self.strength.value() / STRENGTH_STEPS if self.strength.isEnabled() \
            else None
        self._previewing = True
        self.preview.writing()
        self.previewRequested.emit(prompt, strength)

    def show_preview(self, result: dict) -> None:
        self._previewing = False
        self.preview.show_result(result, self._labels,
                                 unsaved=not self.use_strength.isHidden())

    @Slot()
    def store_description(self) -> None:
        if not self._state.exists:
            return
        try:
            self.profiles.set_description(self.description.toPlainText(), self._state.method)
        except USER_ERRORS as exc:
            show_error(self, str(exc), self.tr("Description not saved"))
            return
        self.message.emit(self.tr("Description saved; the next build keeps your wording."))
        self.refresh()

    @Slot()
    def start_build(self) -> None:
        if self._tasks.running:
            return
        method = self.method.currentData()
        if method is None or not methods.get(method).needs:  # "Off": build the shown one
            method = self._state.method or DEFAULT_KIND
        args = guarded(self, build_args, self._app, self.profiles, method)
        if args is None:
            return
        self._selected = method
        # The first SteerX profile: chat then uses what the user's texts showed best.
        self._first_build = method == DEFAULT_KIND and not self._state.exists
        self.progress.setRange(0, 0)  # busy until the first progress report
        self._build_t0 = time.monotonic()
        self.progress_label.setText(self.tr("Starting… (loading the models)"))
        guarded(self, self._tasks.start, args)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        stage = message or self.tr("{0} of {1}").format(done, total)
        self.progress_label.setText(self.stage_text(stage, done / max(total, 1),
                                                    time.monotonic() - self._build_t0))

    def stage_text(self, stage: str, frac: float, elapsed: float) -> str:
        """The build's stage and the time left, from the share done so far."""
        if frac < 0.02 or elapsed <= 0:
            return self.tr("{0} (estimating the time left…)").format(stage)
        left = elapsed * (1 - frac) / frac
        return self.tr("{0}: {1} left").format(stage, _eta(left))

    @Slot(dict)
    def _on_finished(self, result: dict) -> None:
        status = result.get("status")
        if status == "cancelled":
            self.progress_label.setText(self.tr("Cancelled; the previous profile is kept."))
        elif status == "error":
            self.progress_label.setText(self.tr("The build failed; the previous profile is kept."))
        else:
            self.progress_label.setText(self.tr("Profile built; chat now uses it."))
            self.message.emit(self.tr("Your profile is built."))
            if self._first_build:
                self._first_build = False
                self.refresh()
                self.apply_recommendation()
                return
        self.refresh()

    @Slot()
    def apply_recommendation(self) -> None:
        """Chat and drafting use the method the user's own texts showed best."""
        rec = self._state.recommended
        if not methods.get(rec).needs:  # "none": nothing to personalize with yet
            return
        why = guarded(self, methods.use, self._app, rec)
        if why:
            self.message.emit(self.tr("{0} cannot be used yet: {1}.").format(
                self._labels.get(rec, rec), why))
            return
        self._selected = rec
        self.progress_label.setText(self.tr("Chat now uses {0}.").format(
            self._labels.get(rec, rec)))
        self.refresh()
