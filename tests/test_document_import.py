"""Importing the user's writing from .docx, .odt, .pdf, .eml and mbox (issue 35): each
format built here as a real file, read through `history add`, and a damaged file of each
kind refused with one sentence, nothing stored."""

from __future__ import annotations

import mailbox
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.writing.history import HistoryService

PARAS = ["The fence went up on a grey morning.", "Nobody asked us, and nobody minded."]
ME = "ana@example.org"


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    for p in PARAS:
        d.add_paragraph(p)
    d.save(str(path))
    return path


def make_odt(path: Path) -> Path:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    body = (f'<text:h>{PARAS[0]}</text:h>'
            f'<text:p>Nobody asked us,<text:s text:c="2"/>and nobody minded.</text:p>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
               f'<office:body><office:text>{body}</office:text></office:body>'
               '</office:document-content>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", "<manifest/>")
    return path


def make_pdf(path: Path, lines: list[str] = PARAS) -> Path:
    """A one-page PDF with a real text layer (Helvetica), offsets computed for the xref."""
    text_ops = " ".join(f"({ln}) Tj T*" for ln in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {text_ops} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def mail(sender: str, body: str, subject: str = "fence") -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Ana <{sender}>"
    m["To"] = "neighbour@example.org"
    m["Subject"] = subject
    m.set_content(body)
    return m


MY_REPLY = ("Thanks, that works for me. I will bring the tools on Saturday.\n\n"
            "On Tue, 3 Mar 2026, Bob <bob@example.org> wrote:\n> Can you help with the fence?\n"
            "> It fell over.\n")
SIGNED = "See you at nine.\n> quoted line\nBring coffee.\n-- \nAna Lima\nPhone 555-0100\n"


def make_eml(path: Path) -> Path:
    path.write_bytes(bytes(mail(ME, MY_REPLY)))
    return path


def make_mbox(path: Path) -> Path:
    box = mailbox.mbox(str(path))
    box.add(mail(ME, MY_REPLY))
    box.add(mail("bob@example.org", "Not mine at all. Someone else wrote this."))
    box.add(mail(ME.upper(), SIGNED, "coffee"))
    box.flush()
    box.close()
    return path


def test_docx_odt_and_pdf_come_in_as_one_sample_each(app, tmp_path):
    history = HistoryService(app.db)
    files = [make_docx(tmp_path / "a.docx"), make_odt(tmp_path / "b.odt"),
             make_pdf(tmp_path / "c.pdf")]
    ids = history.add_files(files)
    got = [history.get(i) for i in ids]
    assert [s.source_ref for s in got] == ["a.docx", "b.odt", "c.pdf"]
    assert all(s.source == "file" and s.include for s in got)
    assert got[0].text == "\n".join(PARAS)
    assert got[1].text == PARAS[0] + "\nNobody asked us,  and nobody minded."
    assert "The fence went up on a grey morning." in got[2].text
    assert "Nobody asked us, and nobody minded." in got[2].text


def test_mail_keeps_only_my_messages_without_quotes_or_signature(app, tmp_path):
    history = HistoryService(app.db)
    with pytest.raises(UserError, match="give the address you send from"):
        history.add_files([make_eml(tmp_path / "one.eml")])
    (one,) = [history.get(i) for i in history.add_files([tmp_path / "one.eml"], sender=ME)]
    assert one.text == "Thanks, that works for me. I will bring the tools on Saturday."
    ids = history.add_files([make_mbox(tmp_path / "Sent")], sender=ME)
    texts = [history.get(i).text for i in ids]
    assert texts == ["Thanks, that works for me. I will bring the tools on Saturday.",
                     "See you at nine.\nBring coffee."]
    assert history.get(ids[1]).source_ref == "Sent #3: coffee"
    with pytest.raises(UserError, match="none from carla@example.org"):
        history.add_files([tmp_path / "Sent"], sender="carla@example.org")


@pytest.mark.parametrize("kind", ["docx", "odt", "pdf", "eml", "mbox"])
def test_a_damaged_file_is_refused_cleanly_and_nothing_is_stored(app, tmp_path, kind):
    history = HistoryService(app.db)
    good = make_docx(tmp_path / "good.docx")
    bad = tmp_path / f"broken.{kind}"
    if kind == "docx":
        bad.write_bytes(make_docx(tmp_path / "x.docx").read_bytes()[:600])  # cut short
    elif kind == "odt":
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            zf.writestr("content.xml", "<office:document-content><unclosed>")
    elif kind == "pdf":
        bad.write_bytes(make_pdf(tmp_path / "x.pdf").read_bytes()[:150])
    elif kind == "eml":
        bad.write_bytes(b"\x00\x01binary garbage\xff" * 20)
    else:
        bad.write_bytes(b"this is not a mailbox\n")
    with pytest.raises(UserError) as err:
        history.add_files([good, bad], sender=ME)  # all or nothing: the good one waits too
    assert "broken." + kind in str(err.value) and "Traceback" not in str(err.value)
    assert history.count() == 0


def test_a_pdf_without_a_text_layer_says_so(app, tmp_path):
    with pytest.raises(UserError, match="no text layer"):
        HistoryService(app.db).add_files([make_pdf(tmp_path / "scan.pdf", lines=[])])


def test_the_cli_imports_mail_with_from(cli, tmp_path):
    make_mbox(tmp_path / "sent.mbox")
    r = cli("history", "add", str(tmp_path / "sent.mbox"), "--from", ME, "--json")
    assert r.rc == 0, r.err
    assert len(r.json()["added"]) == 2
    r = cli("history", "add", str(tmp_path / "sent.mbox"))
    assert r.rc == 1 and "--from" in r.err and "Traceback" not in r.err
