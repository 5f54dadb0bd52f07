"""The attacker of tests/core/attacker.py on random months published by any dxdesk checkout.

Not a test (the default run has only the current code): run it to compare checkouts, e.g. the
code before issue 15 against this one, on the same random months:

    git archive 5f4056e dxdesk resources forms | tar -x -C /tmp/old
    cd /tmp && PYTHONPATH=/tmp/old uv run --project DXDESK --no-sync \
        python DXDESK/tests/core/attack_old_publications.py 1 8
    cd /tmp && uv run --project DXDESK --no-sync python DXDESK/tests/core/attack_old_publications.py 1 8

(arguments: random seed, number of months; run from outside the checkout so that PYTHONPATH
decides which dxdesk is imported; the first line printed says which).
"""

from __future__ import annotations

import importlib.util
import math
import random
import sys
import tempfile
from pathlib import Path

import keyring
import keyring.backends.fail

SITES = ["kita-1", "minami-2", "higashi-3"]


def main(seed: int, months: int) -> int:
    import dxdesk
    from dxdesk.core.catalog import load_catalog
    from dxdesk.core.export import export_month
    from dxdesk.core.export.demo import demo_class_rows, demo_rows
    from dxdesk.core.paths import forms_dir
    from dxdesk.core.store import Store

    spec = importlib.util.spec_from_file_location(
        "attacker", Path(__file__).with_name("attacker.py")
    )
    attacker = importlib.util.module_from_spec(spec)
    sys.modules["attacker"] = attacker
    spec.loader.exec_module(attacker)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    print("dxdesk from", dxdesk.__file__)
    rng = random.Random(seed)
    leaky = 0
    for _ in range(months):
        sessions, classes = rng.randint(12, 90), rng.randint(0, 2)
        data_seed, k = rng.randint(0, 10000), rng.choice([10, 10, 5])
        tmp = Path(tempfile.mkdtemp())
        store = Store.open(tmp / "s")
        # the store's parts exist since issue 14; older checkouts have import_rows on Store
        (getattr(store, "imports", store)).import_rows(
            demo_rows(load_catalog(forms_dir()), sessions=sessions,
                      months=["2026-09", "2026-10"], sites=SITES, seed=data_seed),
            demo_class_rows(per_site_month=classes, months=["2026-09", "2026-10"], sites=SITES,
                            seed=data_seed),
        )  # fmt: skip
        bundle = export_month(store, "2026-10", tmp / "out", site_id=SITES[0], all_sites=True,
                              publish=True, k=k)  # fmt: skip
        need = max(math.ceil((k - 1) / 2), min(2, k - 1))
        findings, ok, read = attacker.attack_publication(bundle.read_bytes(), k, need)
        exact = sum(1 for f in findings if f[1] == f[2])
        leaky += bool(findings) or not ok
        print(f"sessions={sessions} classes={classes} seed={data_seed} k={k}: read {read} report "
              f"figures, consistent={ok}, narrowed={len(findings)}, exact={exact}")  # fmt: skip
    print(f"{leaky} of {months} months leak")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0,
                  int(sys.argv[2]) if len(sys.argv) > 2 else 10))  # fmt: skip
