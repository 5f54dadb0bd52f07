"""summary.xlsx prints: A4 landscape, one page wide, labels repeated, charts below the tables."""

from __future__ import annotations

import io
import re
import zipfile

from dxdesk.core.export.summary import MonthSummary
from dxdesk.core.export.xlsx import write_summary_xlsx


def _summary() -> MonthSummary:
    summary = MonthSummary()
    for lang in ("ja", "ne", "ko", "vi", "zh"):
        for outcome in ("completed_online", "handed_off"):
            summary.by_dimension["help_language", lang, outcome] += 12
            summary.outcomes[outcome] += 12
    summary.by_dimension["procedure_id", "mynumber-card-smartphone-application", "handed_off"] += 40
    summary.attempts = 120
    return summary


def test_every_sheet_prints_landscape_one_page_wide_with_titles_and_charts_below() -> None:
    data = write_summary_xlsx(_summary(), k=3, period="2026-10", sites=["kita-1"], is_demo=False)
    book = zipfile.ZipFile(io.BytesIO(data))
    sheets = sorted(n for n in book.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    assert sheets
    workbook = book.read("xl/workbook.xml").decode()
    for name in sheets:
        xml = book.read(name).decode()
        assert 'orientation="landscape"' in xml and 'paperSize="9"' in xml, name
        assert 'fitToPage="1"' in xml and 'fitToHeight="0"' in xml, name
        assert "&amp;P" in xml  # page numbers
    titled = re.findall(r'name="_xlnm.Print_Titles" localSheetId="(\d+)">[^<]*!\$A:\$A,', workbook)
    assert sorted(map(int, titled)) == list(range(len(sheets)))  # labels and header repeat
    # charts sit below their table (anchored in column A, under the last row)
    for drawing in (n for n in book.namelist() if n.startswith("xl/drawings/drawing")):
        xml = book.read(drawing).decode()
        col = int(re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col>", xml).group(1))
        row = int(re.search(r"<xdr:from>.*?<xdr:row>(\d+)</xdr:row>", xml).group(1))
        assert col == 0 and row > 5, drawing


def test_language_names_are_in_the_supervisors_language() -> None:
    data = write_summary_xlsx(_summary(), k=3, period="2026-10", sites=["kita-1"], is_demo=False)
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert "ネパール語" in strings and "韓国語" in strings
    assert "नेपाली" not in strings and "한국어" not in strings
