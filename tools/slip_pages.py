"""Which shipped slips need more than two sheet sides (A6 with nothing done, A5 with one done
item), and how many are two-sided cards: every guide x language.

uv run python tools/slip_pages.py
"""

import datetime as dt

from dxdesk.core.catalog import load_catalog
from dxdesk.core.handoff import new_handoff_code
from dxdesk.core.paths import forms_dir
from dxdesk.core.printing.slip import layout_slip
from dxdesk.core.settings import SiteSettings
from tests.core.test_printing import CITY_URLS, SURVEY

settings = SiteSettings(site_id="kita-1", site_name="北区役所", counter_phone="06-1234-5678",
                        counter_hours="平日 8:30～17:15")  # fmt: skip
settings.urls = {"survey_url_template": SURVEY, **CITY_URLS}
sides: dict[str, int] = {}
for guide in load_catalog(forms_dir()).guides.values():
    for lang in guide.slip:
        for fmt in ("a6", "a5"):
            done = [] if fmt == "a6" else ["マイナポータルの利用登録まで終わりました。"]
            pages = layout_slip(guide, settings, lang, fmt, new_handoff_code(), done,
                                dt.date(2026, 11, 23)).pages  # fmt: skip
            sides[fmt] = sides.get(fmt, 0) + (len(pages) == 2)
            if len(pages) > 2:
                print(guide.id, lang, fmt, len(pages))
print("two-sided:", ", ".join(f"{fmt} {n}" for fmt, n in sides.items()))
