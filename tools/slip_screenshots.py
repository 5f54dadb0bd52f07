"""Render the slip and paper screenshots in resources/screenshots/ (pdftoppm -r 100).

    uv run python tools/slip_screenshots.py

pin-reset on A5 in all nine languages (slip-pin-reset-a5-<lang>.png), the formats shown in the
README (slip-<format>-<lang>.png) and the paper fallback; a card's pages side by side.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from dxdesk.core.catalog import load_catalog
from dxdesk.core.i18n import RESIDENT_LANGUAGES
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing import render_paper, render_slip
from dxdesk.core.settings import SiteSettings

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"
TODAY = dt.date(2026, 11, 23)
SETTINGS = SiteSettings(
    site_id="kita-1",
    site_name="北区役所 デジタル相談窓口",
    counter_phone="06-1234-5678",
    counter_hours="平日 8:30～17:15",
    urls={"survey_url_template": "https://survey.example-city.jp/done?c={code}"},
)


def png(pdf: bytes, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "x.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "100", "x.pdf", "page"], cwd=tmp, check=True)
        pages = sorted(Path(tmp).glob("page*.png"))
        subprocess.run(["convert", *map(str, pages), "-bordercolor", "#888888", "-border", "1",
                        "+append", str(out)], check=True)  # fmt: skip


def main() -> None:
    guides = load_catalog(forms_dir()).guides
    pin = guides["pin-reset"]
    for lang in RESIDENT_LANGUAGES:
        png(render_slip(pin, SETTINGS, lang, "a5", "ABCD-2345-P", [], TODAY),
            OUT / f"slip-pin-reset-a5-{lang}.png")  # fmt: skip
    shown = guides["convenience-store-certificates"]
    for fmt in ("a6", "a5", "receipt80"):
        for lang in ("ja", "ja-easy", "en", "ne"):
            png(render_slip(shown, SETTINGS, lang, fmt, "ABCD-2345-P", [], TODAY),
                OUT / f"slip-{fmt}-{lang}.png")  # fmt: skip
    values = {"application-date": "2026-11-23", "birth-date": "1948-04-03", "reset-user": "○",
              "applicant": "本人", "name": "北 花子", "address": "北区王子本町1-15-22"}  # fmt: skip
    png(render_paper(pin, values, TODAY), OUT / "paper-pin-reset.png")
    png(render_paper(pin, values, TODAY, "en"), OUT / "paper-pin-reset-en.png")


if __name__ == "__main__":
    main()
