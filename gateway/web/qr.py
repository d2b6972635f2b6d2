"""QR codes for authenticator apps, as SVG (segno), inlined as a ``data:`` image URI
(the CSP allows ``img-src 'self' data:``; no script, no request leaves the page)."""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str) -> str:
    qr = segno.make(text, error="m", micro=False)
    uri: str = qr.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
    return uri
