"""Checks on an uploaded material (申请材料) before it is stored: what it really is, whether it
opens, and whether it is safe to open again later.

Pure: no database, no storage. The type is read from the content, never from the name; the name
only has to agree with it. Every refusal is a `YiwangError` with an `UploadErrorCode` and a
Chinese message that names the file.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from xml.etree import ElementTree

from PIL import Image
from pypdf import PdfReader

from yiwang.core.errors import YiwangError


class UploadErrorCode(StrEnum):
    BAD_NAME = "upload_bad_name"
    EMPTY = "upload_empty"
    TOO_LARGE = "upload_too_large"
    UNSUPPORTED = "upload_unsupported"
    MISMATCH = "upload_mismatch"
    DAMAGED = "upload_damaged"
    ENCRYPTED = "upload_encrypted"
    IMAGE_TOO_LARGE = "upload_image_too_large"


class UploadError(YiwangError):
    """A refused upload: `code` is an `UploadErrorCode`."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the display name: no path, no control characters, with the right extension
    kind: str  # "pdf" | "jpeg" | "png" | "ofd"
    content_type: str
    size: int
    sha256: str


ALLOWED_KINDS: Final = frozenset({"pdf", "jpeg", "png", "ofd"})
DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
MAX_PIXELS: Final = 50_000_000  # a 50-megapixel image decodes to ~150 MB: refuse beyond
MAX_NAME_CHARS: Final = 100
# OFD: a zip. Bounds on what it may unpack to, checked while actually inflating (the sizes in the
# zip directory can lie), and on the number of entries.
OFD_MAX_UNCOMPRESSED: Final = 100 * 1024 * 1024
OFD_MAX_ENTRIES: Final = 10_000
OFD_MAX_ROOT_XML: Final = 1024 * 1024

KIND_LABELS: Final = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "ofd": "OFD"}
CONTENT_TYPES: Final = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}
EXTENSIONS: Final = {"pdf": (".pdf",), "jpeg": (".jpg", ".jpeg", ".jpe"), "png": (".png",),
                     "ofd": (".ofd",)}  # fmt: skip
_KIND_OF_EXTENSION: Final = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}
# What we can name but do not accept, so the message can say what the file really is.
_OTHER_SIGNATURES: Final = (
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word/Excel 97-2003 文档"),
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "可执行程序"),
)
_EXTENSION_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _refuse(code: UploadErrorCode, message: str, *, status: int = 400) -> UploadError:
    return UploadError(message, code=code, fields={"file": [message]}, status=status)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _accepted_text(allowed: Iterable[str]) -> str:
    return "、".join(KIND_LABELS[kind] for kind in KIND_LABELS if kind in allowed)


# --- The name ---------------------------------------------------------------------------------


def upload_name_clean(name: str) -> str:
    """The base name a person sees: path parts (either slash), control and format characters
    removed, whitespace trimmed, at most `MAX_NAME_CHARS` (the extension kept). "" when nothing
    is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        match = _EXTENSION_RE.search(name)
        ext = match.group(0) if match else ""
        name = name[: MAX_NAME_CHARS - len(ext)].rstrip() + ext
    return name


def _extension(name: str) -> str:
    match = _EXTENSION_RE.search(name)
    return match.group(0).lower() if match else ""


# --- What the content is ----------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    """One of our kinds by the first bytes (an OFD is any zip here; its root is checked later)."""
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in data[:1024]:  # readers accept up to 1 KB of junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _other_label(data: bytes) -> str | None:
    for signature, label in _OTHER_SIGNATURES:
        if data.startswith(signature):
            return label
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "HEIC 图片"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP 图片"
    return None


def _zip_label(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return "Word 文档"
    if "xl/workbook.xml" in names:
        return "Excel 表格"
    return "ZIP 压缩包"


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    # NotImplementedError: a zip "version" or compression this Python does not read.
    except (
        zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
        NotImplementedError,
    ):  # fmt: skip
        return None


# --- Deep checks ------------------------------------------------------------------------------


def _check_pdf(data: bytes, shown: str) -> None:
    damaged = _refuse(UploadErrorCode.DAMAGED, f"文件“{shown}”无法作为 PDF 打开，可能已损坏。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refuse(
                    UploadErrorCode.ENCRYPTED,
                    f"文件“{shown}”已加密（设有打开密码或权限密码），请取消加密后重新上传。",
                )
            pages = len(reader.pages)
            if pages >= 1:
                _ = reader.pages[0].mediabox  # the first page's dictionary must resolve
    except UploadError:
        raise
    except Exception as exc:  # a parser of untrusted input may fail in any way: that is damage
        raise damaged from exc
    if pages < 1:
        raise _refuse(UploadErrorCode.DAMAGED, f"文件“{shown}”是没有页面的 PDF，请重新导出后上传。")


def _check_image(data: bytes, kind: str, shown: str) -> None:
    label = KIND_LABELS[kind]
    damaged = _refuse(
        UploadErrorCode.DAMAGED, f"文件“{shown}”无法作为 {label} 图片打开，可能已损坏。"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=[label]) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise damaged
                if width * height > MAX_PIXELS:
                    raise _refuse(
                        UploadErrorCode.IMAGE_TOO_LARGE,
                        f"图片“{shown}”的尺寸为 {width}×{height} 像素，超过 "
                        f"{MAX_PIXELS // 1_000_000} 百万像素的上限，请缩小后重新上传。",
                    )
                image.verify()  # structure and checksums (PNG chunk CRCs)
            # verify() leaves the image unusable: decode it fully on a fresh open, so that a
            # truncated scan is caught now and not when an officer opens it.
            with Image.open(io.BytesIO(data), formats=[label]) as image:
                if kind == "jpeg":
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # 1/8 scale
                image.load()
    except UploadError:
        raise
    except Image.DecompressionBombError as exc:  # beyond Pillow's own limit (> ~179 MP)
        raise _refuse(
            UploadErrorCode.IMAGE_TOO_LARGE,
            f"图片“{shown}”的像素过多，超过 {MAX_PIXELS // 1_000_000} 百万像素的上限，"
            "请缩小后重新上传。",
        ) from exc
    except Exception as exc:  # Pillow raises many kinds on broken input, all of them damage
        raise damaged from exc


def _check_ofd(archive: zipfile.ZipFile, shown: str) -> None:
    damaged = _refuse(UploadErrorCode.DAMAGED, f"文件“{shown}”不是有效的 OFD 文件，可能已损坏。")
    try:
        entries = archive.infolist()
        if len(entries) > OFD_MAX_ENTRIES:
            raise damaged
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise _refuse(
                UploadErrorCode.ENCRYPTED,
                f"文件“{shown}”已加密，请取消加密后重新上传。",
            )
        names = {entry.filename for entry in entries}
        if "OFD.xml" not in names:
            raise _refuse(
                UploadErrorCode.DAMAGED,
                f"文件“{shown}”不是有效的 OFD 文件（根目录下缺少 OFD.xml），可能已损坏。",
            )
        if any(name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) for name in names):
            raise damaged
        total = 0
        root_xml = b""
        for entry in entries:
            with archive.open(entry) as member:  # reading to the end also checks the CRC
                while chunk := member.read(64 * 1024):
                    total += len(chunk)
                    if total > OFD_MAX_UNCOMPRESSED:
                        raise _refuse(
                            UploadErrorCode.DAMAGED,
                            f"文件“{shown}”解压后超过 {_megabytes(OFD_MAX_UNCOMPRESSED)} MB，"
                            "不是正常的 OFD 文件。",
                        )
                    if entry.filename == "OFD.xml" and len(root_xml) <= OFD_MAX_ROOT_XML:
                        root_xml += chunk
        if len(root_xml) > OFD_MAX_ROOT_XML or b"<!DOCTYPE" in root_xml or b"<!ENTITY" in root_xml:
            raise damaged  # no DTDs: nothing to expand
        root = ElementTree.fromstring(root_xml)  # noqa: S314 (no DTD, so no entity expansion)
        if root.tag.rsplit("}", 1)[-1] != "OFD":
            raise damaged
    except UploadError:
        raise
    except Exception as exc:  # zipfile / zlib / expat errors on broken input
        raise damaged from exc


# --- The check --------------------------------------------------------------------------------


def upload_check(
    *,
    name: str,
    data: bytes,
    allowed: Iterable[str] = ALLOWED_KINDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CheckedUpload:
    """Check one uploaded file; return what it is, or raise `UploadError` saying why not."""
    allowed = frozenset(allowed)
    if not allowed or not allowed <= ALLOWED_KINDS:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(ALLOWED_KINDS)}")
    shown = upload_name_clean(name)
    if not shown:
        raise _refuse(UploadErrorCode.BAD_NAME, "文件名为空或无效，请重命名后重新上传。")
    if not data:
        raise _refuse(UploadErrorCode.EMPTY, f"文件“{shown}”是空文件，请重新选择。")
    if len(data) > max_bytes:
        raise _refuse(
            UploadErrorCode.TOO_LARGE,
            f"文件“{shown}”大小为 {_megabytes(len(data))} MB，超过 {_megabytes(max_bytes)} MB 的"
            "上限，请压缩或拆分后重新上传。",
            status=413,
        )

    accepted = _accepted_text(allowed)
    extension = _extension(shown)
    claimed = _KIND_OF_EXTENSION.get(extension)
    sniffed = _sniff(data)
    archive = _open_zip(data) if sniffed == "zip" else None
    kind: str | None = sniffed
    actual: str | None = None  # what the content really is, when it is not one of our kinds
    if sniffed == "zip":
        if archive is not None and "OFD.xml" in archive.namelist():
            kind = "ofd"
        elif claimed == "ofd":
            kind = "ofd"  # named .ofd and a zip: a damaged OFD, said by the deep check
        else:
            kind = None
            actual = _zip_label(archive) if archive is not None else "ZIP 压缩包"
    elif sniffed is None:
        actual = _other_label(data)

    if kind is None:
        if claimed is not None and actual is None:
            raise _refuse(
                UploadErrorCode.DAMAGED,
                f"文件“{shown}”无法识别为有效的 {KIND_LABELS[claimed]} 文件，可能已损坏。",
            )
        what = f"（识别为{actual}）" if actual else ""
        raise _refuse(
            UploadErrorCode.UNSUPPORTED,
            f"文件“{shown}”的格式不受支持{what}，仅接受 {accepted} 格式的文件。",
        )
    label = KIND_LABELS[kind]
    if kind not in allowed:
        raise _refuse(
            UploadErrorCode.UNSUPPORTED,
            f"文件“{shown}”是 {label} 文件，此处仅接受 {accepted} 格式的文件。",
        )
    if extension and extension not in EXTENSIONS[kind]:
        raise _refuse(
            UploadErrorCode.MISMATCH,
            f"文件“{shown}”的扩展名为 {extension}，但内容实际是 {label} 文件，"
            f"请将扩展名改为 {EXTENSIONS[kind][0]} 或重新选择文件。",
        )

    if kind == "pdf":
        _check_pdf(data, shown)
    elif kind in ("jpeg", "png"):
        _check_image(data, kind, shown)
    else:
        if archive is None:
            raise _refuse(
                UploadErrorCode.DAMAGED, f"文件“{shown}”不是有效的 OFD 文件，可能已损坏。"
            )
        _check_ofd(archive, shown)

    if not extension:
        shown = upload_name_clean(shown + EXTENSIONS[kind][0])
    return CheckedUpload(
        name=shown,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
