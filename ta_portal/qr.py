"""QR codes as SVG, through ``qrcode``: in pages (the authenticator set-up) and in PDFs (certificates)."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, box_size: int = 8) -> str:
    """The QR code of ``data`` as SVG markup, without the XML declaration, to sit inside a page."""
    out = BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def qr_data_uri(data: str) -> str:
    """The QR code of ``data`` as a ``data:`` URI, which a PDF may load (reports/pdf_resources.py)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data).encode()).decode()
