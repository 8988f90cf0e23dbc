"""Reading the user's writing where it is: Word (.docx), OpenDocument (.odt), PDF (the
text layer), and e-mail (.eml, mbox: only the messages the user sent).

Each reader turns one file into texts, or refuses it with one sentence that names the
file; nothing here stores anything. `assistant.writing.history.HistoryService.add_files` is the
one place the texts enter the history, with the same caps as a typed or .txt sample.
"""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
import re
import zipfile
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from assistant.errors import UserError

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 50_000_000  # a .docx/.odt/.pdf file, or one mailbox
MAX_UNZIPPED_BYTES = 200_000_000  # what a .docx/.odt may expand to (a zip bomb stops here)
DOCUMENT_SUFFIXES = {".docx", ".odt", ".pdf"}
MAIL_SUFFIXES = {".eml", ".mbox"}


def is_mail(path: Path) -> bool:
    """An .eml or mbox file (by suffix, or a suffix-less file that opens like an mbox)."""
    suffix = path.suffix.lower()
    if suffix in MAIL_SUFFIXES:
        return True
    if suffix or not path.is_file():
        return False
    with open(path, "rb") as fh:
        return fh.read(5) == b"From "


def handles(path: Path) -> bool:
    """Whether `path` is a format read here (not plain text)."""
    return path.suffix.lower() in DOCUMENT_SUFFIXES or is_mail(path)


def read_document(path: Path, sender: str | None = None) -> list[tuple[str, str]]:
    """(a name for where it came from, text) for each text in the file."""
    if not path.exists():
        raise UserError(f"File not found: {path}")
    if not path.is_file():
        raise UserError(f"Not a file: {path}")
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise UserError(f"{path.name} is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB.")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return [(path.name, read_docx(path))]
    if suffix == ".odt":
        return [(path.name, read_odt(path))]
    if suffix == ".pdf":
        return [(path.name, read_pdf(path))]
    if is_mail(path):
        return read_mail(path, sender)
    raise UserError(f"{path.name}: the app reads .txt, .md, .docx, .odt, .pdf, .eml and mbox.")


def _check_zip(path: Path, kind: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{path.name} is not a readable {kind} file (it is damaged or not "
                        f"{kind}).") from exc
    if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED_BYTES:
        zf.close()
        raise UserError(f"{path.name} expands to more than "
                        f"{MAX_UNZIPPED_BYTES // 1_000_000} MB; it cannot be a text document.")
    return zf


def _nonempty(text: str, path: Path, what: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise UserError(f"{path.name} has no text{what}.")
    return text


def read_docx(path: Path) -> str:
    """The paragraphs of a Word document (python-docx), tables' cells after them."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(path, ".docx").close()
    try:
        doc = docx.Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.append("\t".join(c.text for c in row.cells))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile,
            ElementTree.ParseError, SyntaxError) as exc:  # lxml's errors are SyntaxErrors
        raise UserError(f"{path.name} is not a readable .docx file (it is damaged: "
                        f"{type(exc).__name__}).") from exc
    return _nonempty("\n".join(parts), path, "")


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _odf_text(el: ElementTree.Element) -> str:
    """One paragraph's text: spaces (<text:s c=N/>), tabs and line breaks kept."""
    out = [el.text or ""]
    for child in el:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "s":
            out.append(" " * int(child.get(f"{{{_ODF_TEXT}}}c", "1")))
        elif tag == "tab":
            out.append("\t")
        elif tag == "line-break":
            out.append("\n")
        elif tag not in ("note", "annotation"):
            out.append(_odf_text(child))
        out.append(child.tail or "")
    return "".join(out)


def read_odt(path: Path) -> str:
    """The headings and paragraphs of an OpenDocument text (its content.xml), in order."""
    with _check_zip(path, ".odt") as zf:
        try:
            mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
            content = zf.read("content.xml")
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise UserError(f"{path.name} is not a readable .odt file (it is damaged or not "
                            "an OpenDocument text).") from exc
    if mimetype != "application/vnd.oasis.opendocument.text":
        raise UserError(f"{path.name} is not an OpenDocument text ({mimetype or 'no type'}).")
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise UserError(f"{path.name} is not a readable .odt file (its text is damaged: "
                        f"{exc}).") from exc
    parts = [_odf_text(el) for el in root.iter()
             if el.tag in (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h")]
    return _nonempty("\n".join(parts), path, "")


def read_pdf(path: Path) -> str:
    """The text layer of a PDF (pypdf); a scanned PDF without one is refused, not OCR'd."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(f"{path.name} is password-protected; save an unprotected copy.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UserError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, NotImplementedError) as exc:
        raise UserError(f"{path.name} is not a readable PDF (it is damaged: "
                        f"{type(exc).__name__}).") from exc
    return _nonempty("\n\n".join(pages), path,
                     " layer (a scanned PDF? Only PDFs with selectable text can be read)")


# ---- e-mail --------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^(on .{0,200}wrote:?|am .{0,200}schrieb.{0,40}:|le .{0,200}a écrit ?:|"
    r"-{2,} ?original message ?-{2,}|-{2,} ?forwarded message ?-{2,}|"
    r"_{10,}|from: .+)\s*$", re.IGNORECASE)
_SIGN_OFF_DEVICE = re.compile(r"^(sent from my .+|get outlook for .+)$", re.IGNORECASE)


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("style", "script", "blockquote"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in ("style", "script", "blockquote") and self._skip:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_to_text(html: str) -> str:
    p = _HtmlText()
    p.feed(html)
    return "".join(p.parts)


def strip_reply(body: str) -> str:
    """The part of an e-mail body the sender wrote: quoted lines (">"), everything from
    the quoted message's attribution ("On ... wrote:", "-----Original Message-----") on,
    and the signature (after "-- ", or a "Sent from my ..." line) are dropped."""
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        bare = line.strip()
        if line.rstrip("\n") in ("-- ", "--") or _ATTRIBUTION.match(bare):
            break
        if _SIGN_OFF_DEVICE.match(bare):
            break
        if bare.startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown or broken charset
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if not isinstance(content, str):
        return ""
    return _html_to_text(content) if part.get_content_type() == "text/html" else content


def _from_matches(msg: EmailMessage, sender: str) -> bool:
    try:
        addresses = [a.lower() for _n, a in getaddresses([str(msg.get("From", ""))])]
    except (TypeError, ValueError, IndexError):
        return False
    return sender.lower() in addresses


def _check_sender(sender: str | None, path: Path) -> str:
    if not sender or not sender.strip():
        raise UserError(f"{path.name} is e-mail: give the address you send from (--from "
                        "ADDRESS), so that only your own messages are imported.")
    sender = sender.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender):
        raise UserError(f"{sender!r} is not an e-mail address.")
    return sender


def read_mail(path: Path, sender: str | None) -> list[tuple[str, str]]:
    """The user's own messages of an .eml or mbox file: From matches `sender`; quoted
    replies and signatures stripped; messages with nothing left are skipped."""
    sender = _check_sender(sender, path)
    messages: list[EmailMessage] = []
    if path.suffix.lower() == ".eml":
        data = path.read_bytes()
        if b"\x00" in data:
            raise UserError(f"{path.name} is not an e-mail message (it contains binary data).")
        msg = email.message_from_bytes(data, policy=email.policy.default)
        if not msg.keys() or msg.get("From") is None:
            raise UserError(f"{path.name} is not an e-mail message (it has no headers).")
        messages.append(msg)  # type: ignore[arg-type]
    else:
        with open(path, "rb") as fh:
            head = fh.read(5)
        if head != b"From ":
            raise UserError(f"{path.name} is not an mbox mailbox (it must begin with "
                            "\"From \").")
        box = mailbox.mbox(str(path), factory=None, create=False)
        try:
            for key in box.iterkeys():
                raw = box.get_bytes(key)
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        except (OSError, mailbox.Error) as exc:
            raise UserError(f"{path.name} is a damaged mailbox ({exc}).") from exc
        finally:
            box.close()
    out: list[tuple[str, str]] = []
    mine = 0
    for i, msg in enumerate(messages):
        if not _from_matches(msg, sender):
            continue
        mine += 1
        text = strip_reply(_body(msg))
        if text:
            subject = " ".join(str(msg.get("Subject", "") or "").split())[:120]
            out.append((f"{path.name} #{i + 1}" + (f": {subject}" if subject else ""), text))
    if not out:
        raise UserError(
            f"{path.name} holds {len(messages)} message(s), none from {sender} with text of "
            "your own" + ("." if not mine else f" ({mine} from you were only quotes).")
        )
    log.info("read %d of %d messages from a mail file", len(out), len(messages))
    return out
