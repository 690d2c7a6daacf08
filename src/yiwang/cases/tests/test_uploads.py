"""Upload checks: every rule with real tiny files made here, and random bytes never escaping."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from yiwang.cases import uploads
from yiwang.cases.uploads import (
    ALLOWED_KINDS,
    DEFAULT_MAX_BYTES,
    UploadErrorCode,
    upload_check,
    upload_name_clean,
)
from yiwang.core.errors import YiwangError

HYPOTHESIS = settings(database=None, deadline=None, max_examples=300)

OFD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    b"<ofd:DocBody><ofd:DocInfo><ofd:DocID>0a1b</ofd:DocID></ofd:DocInfo>"
    b"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


# --- Real tiny files --------------------------------------------------------------------------


def pdf_bytes(*, pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ofd_bytes(**extra: bytes) -> bytes:
    return zip_bytes({"OFD.xml": OFD_XML, "Doc_0/Document.xml": b"<ofd:Document/>", **extra})


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds almost no pixels: enough for a bomb check."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def refused(code: UploadErrorCode, **kwargs: object) -> YiwangError:
    with pytest.raises(YiwangError) as info:
        upload_check(**kwargs)  # type: ignore[arg-type]
    assert info.value.code == code, info.value.message
    return info.value


# --- Accepted files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("营业执照.pdf", pdf_bytes(pages=2), "pdf", "application/pdf"),
        ("身份证正面.JPG", image_bytes("JPEG"), "jpeg", "image/jpeg"),
        ("身份证反面.jpeg", image_bytes("JPEG", mode="L"), "jpeg", "image/jpeg"),
        ("场所平面图.png", image_bytes("PNG", mode="RGBA"), "png", "image/png"),
        ("电子证照.ofd", ofd_bytes(), "ofd", "application/ofd"),
    ],
)
def test_each_kind_is_recognised_by_content(
    name: str, data: bytes, kind: str, content_type: str
) -> None:
    checked = upload_check(name=name, data=data)
    assert checked.name == name
    assert checked.kind == kind
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_a_name_without_extension_gets_the_right_one() -> None:
    assert upload_check(name="扫描件", data=pdf_bytes()).name == "扫描件.pdf"
    assert upload_check(name="照片", data=image_bytes("PNG")).name == "照片.png"
    # A dot inside the name is not an extension.
    assert upload_check(name="方案 v1.2", data=image_bytes("JPEG")).name == "方案 v1.2.jpg"


def test_pdf_with_junk_before_the_header_is_still_a_pdf() -> None:
    assert upload_check(name="a.pdf", data=b"\r\n" + pdf_bytes()).kind == "pdf"


def test_a_file_exactly_at_the_limit_passes() -> None:
    data = pdf_bytes()
    assert upload_check(name="a.pdf", data=data, max_bytes=len(data)).size == len(data)


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\营业执照.pdf", "营业执照.pdf"),
        ("/home/user/../scan.png", "scan.png"),
        ("  申请书 .pdf  ", "申请书 .pdf"),
        ("\u202egpj.exe", "gpj.exe"),  # right-to-left override removed
        ("a\x00b\x1fc.pdf", "abc.pdf"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_names_are_cut_to_a_clean_base_name(raw: str, clean: str) -> None:
    assert upload_name_clean(raw) == clean


def test_path_parts_never_reach_the_checked_name() -> None:
    checked = upload_check(name="..\\..\\windows\\system32\\营业执照.pdf", data=pdf_bytes())
    assert checked.name == "营业执照.pdf"


def test_a_long_name_keeps_its_extension() -> None:
    name = upload_name_clean("材" * 300 + ".pdf")
    assert len(name) == uploads.MAX_NAME_CHARS
    assert name.endswith(".pdf")


@pytest.mark.parametrize("name", ["", "   ", "../", "..", ".", "/", "C:\\dir\\", "\x00\x01"])
def test_an_empty_name_is_refused(name: str) -> None:
    error = refused(UploadErrorCode.BAD_NAME, name=name, data=pdf_bytes())
    assert "文件名" in error.message


# --- Size -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused_naming_it() -> None:
    error = refused(UploadErrorCode.EMPTY, name="申请书.pdf", data=b"")
    assert "申请书.pdf" in error.message
    assert "空文件" in error.message


def test_a_too_large_file_is_refused_saying_the_limit() -> None:
    data = pdf_bytes()
    error = refused(
        UploadErrorCode.TOO_LARGE, name="大文件.pdf", data=data, max_bytes=len(data) - 1
    )
    assert "大文件.pdf" in error.message
    assert error.status == 413


def test_the_default_limit_is_said_in_megabytes() -> None:
    data = b"%PDF-1.7\n" + b"0" * DEFAULT_MAX_BYTES
    error = refused(UploadErrorCode.TOO_LARGE, name="scan.pdf", data=data)
    assert "超过 10 MB" in error.message
    assert "10.0 MB" in error.message  # the file's own size


# --- Types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("动图.gif", image_bytes("GIF"), "GIF 图片"),
        ("位图.bmp", image_bytes("BMP"), "BMP 图片"),
        ("扫描.tif", image_bytes("TIFF"), "TIFF 图片"),
        ("材料.zip", zip_bytes({"a.txt": b"hello"}), "ZIP 压缩包"),
        ("申请书.docx", zip_bytes({"word/document.xml": b"<w:document/>"}), "Word 文档"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "Windows 可执行程序"),
    ],
)
def test_other_formats_are_refused_saying_what_they_are(name: str, data: bytes, what: str) -> None:
    error = refused(UploadErrorCode.UNSUPPORTED, name=name, data=data)
    assert name in error.message
    assert what in error.message
    assert "仅接受 PDF、JPEG、PNG、OFD" in error.message


def test_plain_text_is_unsupported() -> None:
    error = refused(UploadErrorCode.UNSUPPORTED, name="说明.txt", data="申请说明".encode())
    assert "仅接受" in error.message


def test_allowed_narrows_the_accepted_kinds() -> None:
    error = refused(
        UploadErrorCode.UNSUPPORTED, name="照片.pdf", data=pdf_bytes(), allowed=("jpeg", "png")
    )
    assert "是 PDF 文件" in error.message
    assert "仅接受 JPEG、PNG" in error.message
    assert upload_check(name="照片.png", data=image_bytes("PNG"), allowed=["png"]).kind == "png"


def test_allowed_must_name_known_kinds() -> None:
    with pytest.raises(ValueError):
        upload_check(name="a.pdf", data=pdf_bytes(), allowed=("pdf", "docx"))
    with pytest.raises(ValueError):
        upload_check(name="a.pdf", data=pdf_bytes(), allowed=())


@pytest.mark.parametrize(
    ("name", "data", "really", "ext"),
    [
        ("营业执照.pdf", image_bytes("PNG"), "PNG", ".pdf"),
        ("照片.png", image_bytes("JPEG"), "JPEG", ".png"),
        ("照片.jpg", pdf_bytes(), "PDF", ".jpg"),
        ("证照.pdf", ofd_bytes(), "OFD", ".pdf"),
        ("申请书.doc", pdf_bytes(), "PDF", ".doc"),
    ],
)
def test_an_extension_that_contradicts_the_content_is_refused(
    name: str, data: bytes, really: str, ext: str
) -> None:
    error = refused(UploadErrorCode.MISMATCH, name=name, data=data)
    assert name in error.message
    assert f"扩展名为 {ext}" in error.message
    assert f"实际是 {really} 文件" in error.message


def test_extension_case_does_not_matter() -> None:
    assert upload_check(name="SCAN.PDF", data=pdf_bytes()).name == "SCAN.PDF"


# --- Damaged and encrypted --------------------------------------------------------------------


def test_an_encrypted_pdf_is_refused() -> None:
    error = refused(UploadErrorCode.ENCRYPTED, name="加密.pdf", data=pdf_bytes(password="123456"))
    assert "加密.pdf" in error.message
    assert "加密" in error.message


def test_a_pdf_encrypted_with_an_empty_user_password_is_refused_too() -> None:
    refused(UploadErrorCode.ENCRYPTED, name="a.pdf", data=pdf_bytes(password=""))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%garbage that is no PDF at all\n",
        pdf_bytes()[:60],
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
    ids=["garbage", "truncated", "no-pages"],
)
def test_a_damaged_pdf_is_refused(data: bytes) -> None:
    error = refused(UploadErrorCode.DAMAGED, name="坏文件.pdf", data=data)
    assert "坏文件.pdf" in error.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused(fmt: str) -> None:
    buffer = io.BytesIO()
    # Noise, so the compressed data is long enough to cut in the middle.
    Image.effect_noise((200, 200), 64).convert("RGB").save(buffer, format=fmt)
    data = buffer.getvalue()
    name = "照片." + fmt.lower()
    error = refused(UploadErrorCode.DAMAGED, name=name, data=data[: len(data) // 2])
    assert name in error.message


def test_a_png_with_a_broken_checksum_is_refused() -> None:
    data = bytearray(image_bytes("PNG"))
    data[29] ^= 0xFF  # inside the IHDR CRC
    refused(UploadErrorCode.DAMAGED, name="a.png", data=bytes(data))


def test_an_image_over_the_pixel_limit_is_refused_before_decoding() -> None:
    data = image_bytes("PNG", size=(8000, 6300), mode="1")  # 50.4 megapixels, a few KB
    error = refused(UploadErrorCode.IMAGE_TOO_LARGE, name="巨图.png", data=data)
    assert "8000×6300" in error.message
    assert "50 百万像素" in error.message


def test_an_image_over_pillows_own_bomb_limit_is_refused() -> None:
    error = refused(
        UploadErrorCode.IMAGE_TOO_LARGE, name="炸弹.png", data=png_header_only(20000, 20000)
    )
    assert "炸弹.png" in error.message


def test_a_file_that_claims_a_kind_but_is_nothing_is_damaged() -> None:
    error = refused(UploadErrorCode.DAMAGED, name="扫描.pdf", data=b"\x00\x01\x02 not a pdf")
    assert "PDF" in error.message


# --- OFD --------------------------------------------------------------------------------------


def test_an_ofd_needs_ofd_xml_at_its_root() -> None:
    data = zip_bytes({"Doc_0/OFD.xml": OFD_XML})
    error = refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=data)
    assert "OFD.xml" in error.message


def test_an_ofd_named_zip_is_a_mismatch() -> None:
    refused(UploadErrorCode.MISMATCH, name="证照.zip", data=ofd_bytes())


def test_a_broken_zip_named_ofd_is_damaged() -> None:
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=b"PK\x03\x04" + b"\x00" * 40)


def test_an_ofd_whose_root_is_not_ofd_xml_is_damaged() -> None:
    data = zip_bytes({"OFD.xml": b"<html/>"})
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=data)
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=zip_bytes({"OFD.xml": b"<OFD"}))


def test_an_ofd_with_a_dtd_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><OFD>&lol2;</OFD>'
    )
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=zip_bytes({"OFD.xml": laughs}))


def test_an_ofd_with_path_traversal_inside_is_refused() -> None:
    data = ofd_bytes(**{"../../evil.sh": b"rm -rf /"})
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=data)


def test_a_zip_bomb_is_refused_while_inflating() -> None:
    # 101 MB of zeros deflate to about 100 KB: within the upload limit, beyond the unpack bound.
    bomb = ofd_bytes(**{"Doc_0/Res/bomb.bin": bytes(uploads.OFD_MAX_UNCOMPRESSED + 1024 * 1024)})
    assert len(bomb) < DEFAULT_MAX_BYTES
    error = refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=bomb)
    assert "解压后超过 100 MB" in error.message


def test_a_zip_whose_directory_lies_about_sizes_is_still_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "OFD_MAX_UNCOMPRESSED", 64 * 1024)
    data = bytearray(ofd_bytes(**{"big.bin": bytes(200 * 1024)}))
    # Rewrite the declared uncompressed size of big.bin (central directory) to 1 byte.
    directory = data.rfind(b"PK\x01\x02", 0, data.rfind(b"big.bin"))
    struct.pack_into("<I", data, directory + 24, 1)
    with pytest.raises(YiwangError) as info:
        upload_check(name="证照.ofd", data=bytes(data))
    assert info.value.code == UploadErrorCode.DAMAGED


def test_an_ofd_with_too_many_entries_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "OFD_MAX_ENTRIES", 3)
    data = ofd_bytes(**{f"Doc_0/Pages/{i}.xml": b"<p/>" for i in range(5)})
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=data)


def test_an_ofd_with_a_corrupt_member_is_refused() -> None:
    data = bytearray(zip_bytes({"OFD.xml": OFD_XML}, method=zipfile.ZIP_STORED))
    at = data.find(b"DocBody")
    data[at] ^= 0xFF  # the stored bytes no longer match their CRC
    refused(UploadErrorCode.DAMAGED, name="证照.ofd", data=bytes(data))


# --- Anything at all --------------------------------------------------------------------------


def _check_never_escapes(name: str, data: bytes) -> None:
    try:
        checked = upload_check(name=name, data=data)
    except YiwangError as error:
        assert error.code in set(UploadErrorCode)
        assert error.message
    else:
        assert checked.kind in ALLOWED_KINDS
        assert "/" not in checked.name and "\\" not in checked.name


PREFIXES = [
    b"",
    b"%PDF-1.7\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"PK\x03\x04",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
]


@HYPOTHESIS
@given(
    name=st.text(max_size=40),
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=2048),
)
def test_random_bytes_raise_nothing_but_yiwang_errors(
    name: str, prefix: bytes, body: bytes
) -> None:
    _check_never_escapes(name, prefix + body)


VALID = [pdf_bytes(), image_bytes("PNG"), image_bytes("JPEG"), ofd_bytes()]


@HYPOTHESIS
@given(
    which=st.sampled_from(range(len(VALID))),
    at=st.integers(min_value=0, max_value=10_000),
    flips=st.binary(min_size=1, max_size=16),
    cut=st.booleans(),
)
def test_damaged_real_files_raise_nothing_but_yiwang_errors(
    which: int, at: int, flips: bytes, cut: bool
) -> None:
    data = bytearray(VALID[which])
    start = at % len(data)
    for offset, value in enumerate(flips):
        if start + offset < len(data):
            data[start + offset] ^= value or 1
    _check_never_escapes("材料", bytes(data[:start] if cut else data))
