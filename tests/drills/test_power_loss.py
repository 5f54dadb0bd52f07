"""Drill: the power goes mid-export or mid-import (the process is killed with SIGKILL).

A partial export is never taken for a finished bundle, and the store is unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from drills_support import record_visits, table_dump

from dxdesk.core.export import BundleRejected, export_month, import_bundles
from dxdesk.core.i18n import set_ui_language
from dxdesk.core.settings import SiteSettings, save_settings
from dxdesk.core.signing import TrustStore
from dxdesk.core.store import STORE_FILE, Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL drill is POSIX")
ENV = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

# The child stops at a point inside the work, says so, and waits to be killed.
EXPORT_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import dxdesk.core.export.bundle_export as bundle
    from dxdesk.core.store import Store
    real = bundle.write_report_pdf
    def stalled(*args, **kwargs):
        data = real(*args, **kwargs)
        print("mid-export", flush=True)
        time.sleep(60)
        return data
    bundle.write_report_pdf = stalled
    store = Store.open(sys.argv[1])
    bundle.export_month(store, sys.argv[2], Path(sys.argv[3]))
    """
)
IMPORT_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import dxdesk.core.export.bundle_import as bundle
    from dxdesk.core.signing import TrustStore
    from dxdesk.core.store import Store
    real = bundle.bundle_rows
    def stalled(path, manifest):
        for number, row in enumerate(real(path, manifest), start=1):
            yield row
            if number == 3:  # rows are in the open transaction now
                print("mid-import", flush=True)
                time.sleep(60)
    bundle.bundle_rows = stalled
    store = Store.open(sys.argv[1])
    bundle.import_bundles(store, [Path(sys.argv[2])], TrustStore(Path(sys.argv[3])),
                          require_signature=False)
    """
)


@pytest.fixture
def site(data_dir: Path, catalog):
    set_ui_language("en")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    save_settings(data_dir, SiteSettings(site_id="kita-1", site_name="北区役所"))
    record_visits(data_dir, catalog, 8)
    yield data_dir
    keyring.set_keyring(previous)
    set_ui_language("ja")


def kill_at(marker: str, args: list[str]) -> None:
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        line = child.stdout.readline().strip()
        assert line == marker, f"child ended before {marker!r}: {line!r}"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()


def test_power_loss_mid_export_leaves_no_bundle_and_the_store_unchanged(
    site: Path, tmp_path: Path
) -> None:
    month = dt.date.today().strftime("%Y-%m")
    out = tmp_path / "out"
    before = table_dump(site)
    kill_at("mid-export", [sys.executable, "-c", EXPORT_CHILD, str(site), month, str(out)])
    assert not list(out.glob("*.zip"))  # nothing carries a bundle's name
    partial = list(out.glob(".*.tmp"))
    assert partial  # the half-written file, under a name nobody takes for a bundle
    assert table_dump(site) == before
    with Store.open(site) as store:
        assert store.maintenance.check().ok
        # Even handed to import by hand, the partial file is refused, naming it.
        with pytest.raises(BundleRejected) as refused:
            import_bundles(store, partial, TrustStore(tmp_path / "t.json"),
                           require_signature=False)  # fmt: skip
        assert str(partial[0]) in str(refused.value)
        # Export works again after the cut.
        bundle = export_month(store, month, out)
    assert bundle.exists() and bundle.suffix == ".zip"
    assert table_dump(site) == before


def test_truncated_bundle_copy_is_refused_and_nothing_stored(site: Path, tmp_path: Path) -> None:
    month = dt.date.today().strftime("%Y-%m")
    with Store.open(site) as store:
        bundle = export_month(store, month, tmp_path / "out")
    cut = tmp_path / "usb" / bundle.name  # a copy to a USB stick cut short by the power
    cut.parent.mkdir()
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size * 2 // 3])
    hq = tmp_path / "hq"
    Store.open(hq).close()
    before = table_dump(hq)
    with Store.open(hq) as store, pytest.raises(BundleRejected) as refused:
        import_bundles(store, [cut], TrustStore(tmp_path / "t.json"), require_signature=False)
    assert str(cut) in str(refused.value)
    assert table_dump(hq) == before


def test_power_loss_mid_import_stores_nothing(site: Path, tmp_path: Path) -> None:
    month = dt.date.today().strftime("%Y-%m")
    with Store.open(site) as store:
        bundle = export_month(store, month, tmp_path / "out")
    hq = tmp_path / "hq"
    Store.open(hq).close()
    before = table_dump(hq)
    trust = tmp_path / "t.json"
    kill_at("mid-import", [sys.executable, "-c", IMPORT_CHILD, str(hq), str(bundle), str(trust)])
    assert (hq / f"{STORE_FILE}-wal").exists()  # the killed writer left its WAL behind
    assert table_dump(hq) == before
    with Store.open(hq) as store:
        assert store.maintenance.check().ok
        result = import_bundles(store, [bundle], TrustStore(trust), require_signature=False)
    assert result.inserted == 8 and result.skipped == 0  # the retry stores every row once
