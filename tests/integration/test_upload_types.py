"""Uploads over real HTTP: an allow-list judged by the bytes, one file per part, and file names
that are never trusted; on the API and on the pages alike."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from tests.integration.conftest import Browser, Client, csrf_of
from tests.integration.helpers import act, ok, operation_issue

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def _ooxml(main: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"})


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["Số hồ sơ", "Ngày nhận"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _odf(media_type: str) -> bytes:
    return _zip({"mimetype": media_type.encode(), "content.xml": b"<office:document-content/>"})


def _ole(stream: str) -> bytes:
    """A compound file (Word or Excel 97-2003) whose directory names its main stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    root = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    name = stream.encode("utf-16-le") + b"\x00\x00"

    def entry(label: bytes, kind: int) -> bytes:
        raw = label.ljust(64, b"\x00") + struct.pack("<H", len(label)) + bytes([kind])
        return raw.ljust(128, b"\x00")

    return header + entry(root, 5) + entry(name, 2) + b"\x00" * 256


ACCEPTED = [
    ("Điều lệ.pdf", PDF, "application/pdf"),
    ("scan.png", _png(), "image/png"),
    ("ảnh.jpg", JPEG, "image/jpeg"),
    ("fax.tiff", TIFF, "image/tiff"),
    ("đơn.docx", _ooxml(WORD_MAIN), WORD_MAIN.removesuffix(".main+xml")),
    (
        "bảng.xlsx",
        _xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("văn bản.odt", _odf(ODT), ODT),
    ("bảng tính.ods", _odf(ODS), ODS),
    ("cũ.doc", _ole("WordDocument"), "application/msword"),
    ("cũ.xls", _ole("Workbook"), "application/vnd.ms-excel"),
]

REFUSED = [
    ("page.html", b"<!doctype html><script>alert(1)</script>", "text/html"),
    ("charter.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("notes.txt", "Điều lệ tổ chức.\n".encode(), "text/plain"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/svg+xml"),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/octet-stream"),
    ("bundle.zip", _zip({"readme.txt": b"hello"}), "application/zip"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, "application/octet-stream"),
    ("macro.docm", _ooxml(MACRO_MAIN), "application/octet-stream"),
    ("macro.docx", _ooxml(MACRO_MAIN), "application/octet-stream"),
    ("thing.doc", _ole("Something"), "application/msword"),
    ("charter.pdf", PDF, "text/html"),  # the declared type contradicts the bytes
    ("charter.html", PDF, "application/pdf"),  # a name a browser would render
    ("scan.pdf", _png(), "image/png"),  # the extension contradicts the bytes
]


def _dossier(client: Client) -> dict[str, Any]:
    found: dict[str, Any] = ok(client("handler").post("/dossiers", json=operation_issue()), 201)
    return found


@pytest.mark.parametrize(("name", "content", "media_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_is_stored_as_its_content_says(
    client: Client, name: str, content: bytes, media_type: str
) -> None:
    """The client says octet-stream; the stored and served type is the sniffed one."""
    handler = client("handler")
    d = _dossier(client)
    files = {"file": (name, content, "application/octet-stream")}
    doc = ok(handler.post(f"/dossiers/{d['id']}/documents", files=files), 201)
    assert doc["content_type"] == media_type and doc["name"] == name
    served = handler.get(f"/dossiers/{d['id']}/documents/{doc['id']}/content")
    assert served.content == content
    assert served.headers["content-type"].split(";")[0] == media_type
    assert served.headers["x-content-type-options"] == "nosniff"


def test_the_declared_type_may_name_the_content_or_its_container(client: Client) -> None:
    """A right declared type, or a generic container type for office files, is fine."""
    handler = client("handler")
    d = _dossier(client)
    url = f"/dossiers/{d['id']}/documents"
    for name, content, declared in (
        ("a.pdf", PDF, "application/pdf"),
        ("b.docx", _ooxml(WORD_MAIN), "application/zip"),
        ("c.xls", _ole("Workbook"), "application/vnd.ms-office"),
        ("d.jpg", JPEG, "image/jpeg; charset=binary"),
        ("no extension", PDF, ""),
    ):
        ok(handler.post(url, files={"file": (name, content, declared)}), 201)


@pytest.mark.parametrize(("name", "content", "declared"), REFUSED, ids=[r[0] for r in REFUSED])
def test_anything_else_is_422_listing_the_accepted_types(
    client: Client, name: str, content: bytes, declared: str
) -> None:
    """Judged by the bytes: 422 unaccepted_file_type with the allow-list; nothing stored."""
    handler = client("handler")
    d = _dossier(client)
    answer = handler.post(
        f"/dossiers/{d['id']}/documents", files={"file": (name, content, declared)}
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "unaccepted_file_type", body
    assert "accepted: PDF" in body["detail"]
    assert "application/pdf" in body["allowed_types"] and "text/html" not in body["allowed_types"]
    assert ok(handler.get(f"/dossiers/{d['id']}/documents")) == []
    assert ok(handler.get(f"/dossiers/{d['id']}"))["version"] == d["version"]


def test_an_empty_file_is_422(client: Client) -> None:
    """Nothing to judge, nothing stored."""
    handler = client("handler")
    d = _dossier(client)
    answer = handler.post(f"/dossiers/{d['id']}/documents", files={"file": ("a.pdf", b"")})
    assert answer.status_code == 422 and "empty" in answer.json()["detail"]


def test_two_file_parts_are_422_and_keep_nothing(client: Client) -> None:
    """The finding: two parts silently kept the last. Now 422 on every upload route."""
    handler = client("handler")
    d = _dossier(client)
    url = f"/dossiers/{d['id']}/documents"
    two = [("file", ("first.pdf", PDF, "application/pdf")), ("file", ("second.pdf", PDF, ""))]
    answer = handler.post(url, files=two)
    assert answer.status_code == 422, answer.text
    assert "one file per upload" in answer.json()["detail"]
    stray = [("file", ("first.pdf", PDF, "application/pdf")), ("extra", ("x.pdf", PDF, ""))]
    answer = handler.post(url, files=stray)
    assert answer.status_code == 422 and "unexpected file part extra" in answer.json()["detail"]
    assert ok(handler.get(f"/dossiers/{d['id']}/documents")) == []

    act(handler, d["id"], "accept")
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA"]})
    (request,) = [c for c in consulted["consultations"] if c["agency"] == "BCA"]
    letters = f"/consultations/{request['id']}/documents"
    assert client("BCA").post(letters, files=two).status_code == 422
    assert ok(client("BCA").get(letters)) == []

    csv = b"code,procedure\n"
    imports = [("dossiers", ("a.csv", csv, "text/csv")), ("dossiers", ("b.csv", csv, "text/csv"))]
    answer = client("admin").post("/imports/dossiers?dry_run=true", files=imports)
    assert answer.status_code == 422 and "dossiers: one file per upload" in answer.json()["detail"]


def _raw_upload(c: httpx.Client, url: str, filename: bytes, content: bytes) -> httpx.Response:
    """A multipart body written by hand, so that the file name reaches the server unescaped."""
    boundary = b"----bounds7c1f"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n--" + boundary + b"--\r\n"
    )
    return c.post(
        url,
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"},
    )


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (b"../../etc/passwd.pdf", "passwd.pdf"),
        (b"C:\\Users\\an\\scan.pdf", "scan.pdf"),
        (b"tai\x01lieu\x1b\x7f.pdf", "tailieu.pdf"),
        ("bao\u202ecod.pdf".encode(), "baocod.pdf"),
        (b"  ...  ", "document.pdf"),
        ("Điều lệ; bản sao.pdf".encode(), "Điều lệ; bản sao.pdf"),
        ("Đ".encode() * 400 + b".pdf", "Đ" * 196 + ".pdf"),
    ],
)
def test_file_names_are_reduced_to_a_safe_display_name(
    client: Client, sent: bytes, stored: str
) -> None:
    """No path, no control or format characters, at most 200 characters, never empty."""
    handler = client("handler")
    d = _dossier(client)
    answer = _raw_upload(handler, f"/dossiers/{d['id']}/documents", sent, PDF)
    doc = ok(answer, 201)
    assert doc["name"] == stored and len(doc["name"]) <= 200
    listed = ok(handler.get(f"/dossiers/{d['id']}/documents"))
    assert [item["name"] for item in listed] == [stored]


def test_the_upload_pages_apply_the_same_rules(client: Client, browser: Browser) -> None:
    """The dossier page, the agency's reply form and the handler's paper answer: an unaccepted
    file or two file parts is a 422 page and records nothing."""
    d = _dossier(client)
    page = browser("handler")
    shown = page.get(f"/app/dossiers/{d['id']}")
    token = csrf_of(shown.text)
    url = f"/app/dossiers/{d['id']}/documents"
    for files in (
        {"file": ("page.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")},
        [("file", ("a.pdf", PDF, "application/pdf")), ("file", ("b.pdf", PDF, "application/pdf"))],
    ):
        answer = page.post(url, data={"csrf_token": token}, files=files)
        assert answer.status_code == 422, answer.text[:300]
        assert answer.headers["content-type"].startswith("text/html")
        assert "Traceback" not in answer.text
    assert ok(client("handler").get(f"/dossiers/{d['id']}/documents")) == []
    saved = page.post(
        url, data={"csrf_token": token}, files={"file": ("../Điều lệ.pdf", PDF, "text/plain")}
    )
    assert saved.status_code == 422  # a PDF sent as text/plain: the type contradicts the bytes
    saved = page.post(url, data={"csrf_token": token}, files={"file": ("../Điều lệ.pdf", PDF)})
    assert saved.status_code == 303, saved.text[:300]
    (doc,) = ok(client("handler").get(f"/dossiers/{d['id']}/documents"))
    assert doc["name"] == "Điều lệ.pdf" and doc["content_type"] == "application/pdf"

    handler = client("handler")
    act(handler, d["id"], "accept")
    consulted = act(handler, d["id"], "consult", {"agencies": ["BCA", "BTC"]})
    by_agency = {c["agency"]: c for c in consulted["consultations"]}
    bca = browser("BCA")
    reply_url = f"/app/consultations/{by_agency['BCA']['id']}"
    form = {
        "csrf_token": csrf_of(bca.get(reply_url).text),
        "opinion": "agree",
        "letter_number": "321/BCA-A03",
        "letter_date": "2026-11-23",
    }
    bad = bca.post(reply_url, data=form, files={"file": ("letter.pdf", b"MZ\x90\x00", "")})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert ok(client("BCA").get(f"/consultations/{by_agency['BCA']['id']}"))["status"] == (
        "requested"
    )
    record_url = f"/app/consultations/{by_agency['BTC']['id']}/record-answer"
    record = {**form, "csrf_token": csrf_of(page.get(f"/app/dossiers/{d['id']}").text)}
    bad = page.post(record_url, data=record, files={"file": ("scan.pdf", b"<svg/>", "")})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert ok(handler.get(f"/consultations/{by_agency['BTC']['id']}"))["status"] == "requested"
    assert len(ok(handler.get(f"/dossiers/{d['id']}/documents"))) == 1
