"""Small real files for upload tests: each opens in the program its kind calls for, so the
structure checks of ``applications.uploads`` accept them (and their damaged twins are refused)."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter


def _pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def office(folder, *, extra=()):
    """A minimal DOCX (``word``) or XLSX (``xl``) package; ``extra`` adds members (e.g. macros)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
        for name in extra:
            archive.writestr(name, b"\x00" * 16)
    return buffer.getvalue()


PDF = _pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")
DOCX = office("word")
XLSX = office("xl")
