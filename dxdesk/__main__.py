"""The ``dxdesk`` launcher: with no command it opens the app, with one it runs the headless CLI.

It sits outside ``dxdesk.cli`` so that the CLI's "never imports Qt" contract is checked by the
import linter, not kept by a string import that the linter cannot see.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from dxdesk.cli import app_options, use_city_forms
from dxdesk.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = app_options(argv)
    if opts is None:
        return cli_main(argv)
    use_city_forms(opts.city_forms)
    from dxdesk.gui.app import run

    return run(data_dir=opts.data_dir, lang=opts.lang, quit_after_startup=opts.quit_after_startup)


if __name__ == "__main__":
    sys.exit(main())
