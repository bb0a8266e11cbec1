"""Writing small PDFs byte by byte for tests: numbered objects and an exact cross-reference
table (what PDFium needs to open a file without repairing it)."""

from __future__ import annotations


def pdf_bytes(objs: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of ``objs`` as objects 1..N (object 1 the catalog), ``trailer`` added to the
    trailer dictionary."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        trailer,
        xref,
    )
    return bytes(out)
