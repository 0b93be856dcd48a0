"""Small real files of each kind, made on the spot."""

from __future__ import annotations

import io
import struct
import zlib

from openpyxl import Workbook


def pdf(text: str = "Cong van so 123/SGDDT-VP") -> bytes:
    """A minimal, valid one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (a small grey photo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def jpeg() -> bytes:
    """The start of a JPEG/JFIF file, as a camera writes it (enough for its type)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200) + b"\xff\xd9"


def xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Trường", "Số học sinh"])
    sheet.append(["THPT Nguyễn Du", 1200])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exe() -> bytes:
    """A Windows program's header (MZ … PE)."""
    head = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48))
    head[0x3C:0x40] = struct.pack("<I", 0x80)
    return bytes(head) + bytes(0x80 - len(head)) + b"PE\x00\x00" + bytes(400)


EML = (
    b"Received: from mx.baotuoitre.example.vn\r\n"
    b"From: =?UTF-8?B?UGjDs25nIHbDqm4=?= <pv@tuoitre.example.vn>\r\n"
    b"To: vanphong@sgddt.example.gov.vn\r\n"
    b"Subject: =?UTF-8?Q?C=C3=A2u_h=E1=BB=8Fi?=\r\n"
    b"Date: Fri, 27 Nov 2026 08:00:00 +0700\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Kính gửi Sở,\r\nXin hỏi…\r\n".encode()
)
TEXT = "Biên bản làm việc với nhà trường\nNgày 27/11/2026\n".encode()
