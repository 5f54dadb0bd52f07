"""How long the 80 mm receipt runs for every shipped guide x language (from the real PDF).

uv run python tools/receipt_lengths.py [--done N] [--no-survey] [--langs ja,en] [--all]
"""

import argparse
import datetime as dt
import io
import statistics

import pypdf

from dxdesk.core.catalog import load_catalog
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing.layout import MM
from dxdesk.core.printing.slip import render_slip
from dxdesk.core.settings import SiteSettings
from tests.core.test_printing import CITY_URLS, SURVEY

parser = argparse.ArgumentParser()
parser.add_argument("--done", type=int, default=3, help="done-today items (the guide's first N)")
parser.add_argument("--no-survey", action="store_true")
parser.add_argument("--langs", default="", help="comma-separated; default every language")
parser.add_argument("--all", action="store_true", help="list every slip, longest first")
args = parser.parse_args()
settings = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="06-1234-5678",
                        counter_hours="平日 8:30～17:15")  # fmt: skip
settings.urls = {**CITY_URLS, **({} if args.no_survey else {"survey_url_template": SURVEY})}
langs = [lang for lang in args.langs.split(",") if lang]
lengths: dict[tuple[str, str], float] = {}
for guide in load_catalog(forms_dir()).guides.values():
    for lang, text in guide.slip.items():
        if langs and lang not in langs:
            continue
        done = list(text.done.values())[: args.done]
        pdf = render_slip(guide, settings, lang, "receipt80", "ABCD-2345-P", done,
                          dt.date(2026, 11, 23))  # fmt: skip
        page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
        lengths[(guide.id, lang)] = float(page.mediabox.height) / MM
values = sorted(lengths.values())
print(f"{len(values)} receipts: min {values[0]:.0f} mm, median {statistics.median(values):.0f} mm, "
      f"max {values[-1]:.0f} mm; {sum(v <= 200 for v in values)} at most 200 mm")  # fmt: skip
for (gid, lang), mm in sorted(lengths.items(), key=lambda kv: -kv[1])[: None if args.all else 8]:
    print(f"{mm:6.0f} mm  {gid} {lang}")
