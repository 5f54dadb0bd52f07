"""One month's export in a fresh process against the raw GROUP BY, nothing remembered.

uv run python tools/export_once.py DATA_DIR [MONTH]   (e.g. the DXDESK_PERF_STORE of tests/perf)

Forgets the store's remembered month counts, runs the GROUP BY of tests/perf/test_export.py
twice (the second is timed), then one all-sites export into a temporary folder, and prints
both times and their ratio. Signs with the site key of ``site-00`` (DXDESK_KEYRING=file for a
machine without a keyring).
"""

import sys
import tempfile
import time
from pathlib import Path

from dxdesk.core.export import export_month
from dxdesk.core.store import STORE_FILE, Store
from tests.perf.test_export import _forget_counts, _group_by

data_dir = Path(sys.argv[1])
month = sys.argv[2] if len(sys.argv) > 2 else "2026-10"
_forget_counts(data_dir / STORE_FILE)
_group_by(data_dir / STORE_FILE, month)  # the first warms the OS file cache
baseline, _rows = _group_by(data_dir / STORE_FILE, month)
with Store.open(data_dir) as store, tempfile.TemporaryDirectory() as out:
    start = time.perf_counter()
    export_month(store, month, Path(out), all_sites=True, site_id="site-00")
    export = time.perf_counter() - start
print(f"GROUP BY {baseline:.3f} s, export {export:.3f} s, ratio {export / baseline:.2f}x")
