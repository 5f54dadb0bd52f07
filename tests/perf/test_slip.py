"""Slip rendering time vs a minimal ReportLab script drawing the same text and QR (same run).

Run: uv run pytest tests/perf/test_slip.py -s -p no:cacheprovider -o addopts=""
Target: warm per-slip time <= 1.5x the baseline. The ratio is printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time

from dxdesk.core.paths import forms_dir

GUIDE = "convenience-store-certificates"

FIRST_SLIP = f"""
import time, datetime as dt
t0 = time.perf_counter()
from dxdesk.core.catalog import load_catalog
from dxdesk.core.settings import SiteSettings
from dxdesk.core.printing import render_slip
guide = load_catalog(__import__('pathlib').Path({str(forms_dir())!r})).guides[{GUIDE!r}]
t1 = time.perf_counter()
s = SiteSettings(site_name='北区役所', counter_phone='06-1234-5678', counter_hours='9:00-17:00')
render_slip(guide, s, 'ja', 'a6', 'ABCD-2345-P', ['本人確認'], dt.date(2026, 11, 23))
print(time.perf_counter() - t1)
"""


def _draw_qr(c, url: str, side: float) -> None:
    """The QR as filled rectangles, as a minimal script would draw it."""
    import qrcode

    q = qrcode.QRCode(border=4)
    q.add_data(url)
    m = q.get_matrix()
    size = side / len(m)
    for r, row in enumerate(m):
        for k, dark in enumerate(row):
            if dark:
                c.rect(20 + k * size, 20 + (len(m) - r) * size, size, size, stroke=0, fill=1)


def _baseline(texts: list[str], url: str) -> bytes:
    """What a hand-written ReportLab script would do: one font, drawString, qrcode rects."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from dxdesk.core.paths import font_path

    if "Base" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Base", str(font_path("BIZUDGothic-Regular.ttf"))))
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(298, 420))
    c.setFont("Base", 12)
    y = 400
    for t in texts:
        c.drawString(20, y, t)
        y -= 18
    _draw_qr(c, url, 80)
    c.showPage()
    c.save()
    return buf.getvalue()


def _first_baseline_seconds() -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from tests.perf.test_slip import _baseline;"
        "_baseline(['コンビニで住民票などを取る']*20, 'https://www.lg-waps.go.jp/');"
        "print(time.perf_counter()-t)"
    )
    return float(subprocess.check_output([sys.executable, "-c", code], text=True))


def test_slip_render_time_vs_minimal_reportlab(perf_record) -> None:
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.printing.slip import layout_slip, render_slip
    from dxdesk.core.settings import SiteSettings

    first = float(subprocess.check_output([sys.executable, "-c", FIRST_SLIP], text=True))
    first_base = _first_baseline_seconds()

    guide = load_catalog(forms_dir()).guides[GUIDE]
    settings = SiteSettings(
        site_name="北区役所", counter_phone="06-1234-5678", counter_hours="9-17"
    )
    today = dt.date(2026, 11, 23)
    render_slip(guide, settings, "ja", "a6", "ABCD-2345-P", [], today)  # warm up
    texts = [
        t.run.text
        for t in layout_slip(guide, settings, "ja", "a6", "ABCD-2345-P", [], today).texts()
    ]
    _baseline(texts, guide.online_route.url)

    n = 20
    t = time.perf_counter()
    for _ in range(n):
        render_slip(guide, settings, "ja", "a6", "ABCD-2345-P", ["本人確認"], today)
    warm = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        _baseline(texts, guide.online_route.url)
    warm_base = (time.perf_counter() - t) / n
    print(
        f"\nfirst slip (fonts included): {first * 1000:.0f} ms vs baseline "
        f"{first_base * 1000:.0f} ms, ratio {first / first_base:.2f}x"
        f"\nwarm slip: {warm * 1000:.1f} ms vs baseline {warm_base * 1000:.1f} ms, "
        f"ratio {warm / warm_base:.2f}x (target <= 1.5x)"
    )
    perf_record(
        "slip, first in a process",
        first * 1000,
        first_base * 1000,
        "ms",
        "minimal ReportLab script",
    )
    perf_record("slip, warm", warm * 1000, warm_base * 1000, "ms", "minimal ReportLab script", 1.5)


def _shaped_baseline(runs: list[tuple[str, str]], url: str) -> bytes:
    """A minimal ReportLab script with shaping on: each text in its font, drawString with
    shaping=True (ReportLab's own HarfBuzz shaping), the QR as rectangles."""
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(420, 595))
    y = 570
    for text, font in runs:
        c.setFont(font, 12)
        c.drawString(20, y, text, shaping=True)
        y -= 18
    _draw_qr(c, url, 100)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_nepali_slip_render_time_vs_reportlab_shaping(perf_record) -> None:
    """Shaped text (Nepali): the whole slip vs a minimal script drawing the same texts in the
    same fonts with ReportLab's own shaping, and the QR."""
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.printing.slip import layout_slip, render_slip
    from dxdesk.core.settings import SiteSettings

    guide = load_catalog(forms_dir()).guides["pin-reset"]
    settings = SiteSettings(
        site_name="北区役所", counter_phone="06-1234-5678", counter_hours="9-17"
    )
    today = dt.date(2026, 11, 23)
    render_slip(guide, settings, "ne", "a5", "ABCD-2345-P", [], today)  # warm up
    doc = layout_slip(guide, settings, "ne", "a5", "ABCD-2345-P", [], today)
    runs = [(t.run.text, t.run.font) for t in doc.texts()]
    url = guide.online_route.url
    _shaped_baseline(runs, url)
    n = 20
    t = time.perf_counter()
    for _ in range(n):
        render_slip(guide, settings, "ne", "a5", "ABCD-2345-P", [], today)
    warm = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        _shaped_baseline(runs, url)
    base = (time.perf_counter() - t) / n
    print(f"\nwarm Nepali slip: {warm * 1000:.1f} ms vs ReportLab shaping {base * 1000:.1f} ms, "
          f"ratio {warm / base:.2f}x (target <= 1.5x)")  # fmt: skip
    perf_record("slip, warm, Nepali (shaped)", warm * 1000, base * 1000, "ms",
                "minimal ReportLab script, shaping on", 1.5)  # fmt: skip
