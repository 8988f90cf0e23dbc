"""The model worker's jobs (`ui.workers.ModelWorker`): one class per kind of work.

The window builds a job and hands it to `ModelHost.submit`, which gives it an id and
a `CancelToken`; the worker runs it by its class. A misspelt field is a TypeError at
the line that builds the job (and a type-check error before that), not a job that
silently reads a default.

    LoadJob            load the model (or reuse it) and say which one it is
    ChatJob            one chat turn (send, regenerate, edit, continue, cloud)
    DraftJob           one drafting action on the draft pane's text
    CloudPreviewJob    what sending a message to the cloud would send
    CloudTestJob       the cloud endpoint's connection and capability check
    ProfilePreviewJob  a prompt answered without and with the chosen method

`kind` names the class in the worker's result dicts (`finished`, `started`), which
the window reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.runtime.generation import CancelToken


@dataclass(frozen=True, kw_only=True)
class Job:
    """A piece of work for the model worker."""

    kind: ClassVar[str] = ""
    generates: ClassVar[bool] = False  # writes a reply or a draft: the window is busy
    quiet: bool = False  # a failure goes into the result only, not into a message box


@dataclass(frozen=True, kw_only=True)
class LoadJob(Job):
    kind: ClassVar[str] = "load"


@dataclass(frozen=True, kw_only=True)
class ChatJob(Job):
    """One chat turn; the fields are `assistant.chat.turn.ChatRequest`'s."""

    kind: ClassVar[str] = "chat"
    generates: ClassVar[bool] = True
    conversation_id: int | None = None
    text: str = ""
    sampling: dict[str, Any] = field(default_factory=dict)
    regenerate: bool = False
    edit_of: int | None = None
    reply_of: int | None = None
    continue_of: int | None = None
    cloud: bool = False


@dataclass(frozen=True, kw_only=True)
class DraftJob(Job):
    kind: ClassVar[str] = "draft"
    generates: ClassVar[bool] = True
    action: str
    text: str
    sampling: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CloudPreviewJob(Job):
    kind: ClassVar[str] = "cloud_preview"
    conversation_id: int | None
    text: str
    sampling: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CloudTestJob(Job):
    kind: ClassVar[str] = "cloud_test"
    fields: dict[str, Any] = field(default_factory=dict)  # CloudService.test_connection's


@dataclass(frozen=True, kw_only=True)
class ProfilePreviewJob(Job):
    kind: ClassVar[str] = "profile_preview"
    prompt: str
    strength: float | None = None  # None: the profile's own


@dataclass(frozen=True)
class Submitted:
    """A job on its way to the worker, with the id and the cancel token the host gave it."""

    job_id: int
    job: Job
    cancel: CancelToken
