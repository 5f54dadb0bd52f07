"""Drills (issue 13, item 5): hostile or broken guides are refused, each with ``path:LINE:``.

A 342-byte "billion laughs" guide used to make start-up and ``forms check`` run for minutes
and take gigabytes; a 44 MB guide passed; loops with no way to an outcome, a step pointing at
itself, a step with both ``branch`` and ``outcome`` and an absurd version passed as well.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dxdesk.core.paths import forms_dir

GUIDE = "city-e-application"
APP = "import sys; from dxdesk.__main__ import main; sys.exit(main())"
LAUGHS = "\n".join(
    [f'{chr(97)}: &{chr(97)} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]"
       for i in range(1, 9)]
) + "\n"  # fmt: skip


def forms_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    # The timeout only guards the run against the hang this drill is about; it asserts nothing.
    return subprocess.run(
        [sys.executable, "-c", APP, "--lang", "en", "forms", "check", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def check_here(path: Path) -> str:
    """``forms check`` in this process: one ``path:LINE: message`` per problem."""
    from dxdesk.core.catalog import load_catalog

    return "\n".join(map(str, load_catalog(forms_dir(), only=[path]).problems))


FROZEN = Path(__file__).resolve().parent / "data"


def mutated(tmp_path: Path, edits: dict[int, str], insert: dict[int, str] | None = None) -> Path:
    """The shipped guide with lines replaced (1-based) and inserted before a line."""
    # A frozen copy of the guide, so that correcting the shipped one never moves these lines.
    lines = (FROZEN / f"{GUIDE}-v1.yaml").read_text(encoding="utf-8").splitlines()
    for number, text in edits.items():
        lines[number - 1] = text
    for number, text in sorted((insert or {}).items(), reverse=True):
        lines.insert(number - 1, text)
    path = tmp_path / f"{GUIDE}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def test_the_shipped_guide_used_below_is_sound(tmp_path: Path) -> None:
    path = mutated(tmp_path, {})
    assert check_here(path) == ""


def test_billion_laughs_is_refused_at_once_and_the_catalog_still_loads(tmp_path: Path) -> None:
    assert len(LAUGHS.encode()) < 400
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    laughs = forms / "guides" / "laughs.yaml"
    laughs.write_text(LAUGHS, encoding="utf-8")
    checked = forms_check(laughs)
    assert checked.returncode == 1
    assert f"{laughs}:2: YAML aliases expand to more than 50,000 values" in checked.stdout
    code = (
        "import sys; from pathlib import Path; from dxdesk.core.catalog import load_catalog\n"
        "c = load_catalog(Path(sys.argv[1])); print(len(c.guides)); print(*c.problems, sep='\\n')"
    )
    loaded = subprocess.run([sys.executable, "-c", code, str(forms)], capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    count, *problems = loaded.stdout.splitlines()
    assert int(count) == len(list((forms_dir() / "guides").glob("*.yaml")))
    assert problems == [f"{laughs}:2: YAML aliases expand to more than 50,000 values; a guide "
                        "needs no such repetition"]  # fmt: skip


def test_an_oversized_guide_is_refused_by_its_size(tmp_path: Path) -> None:
    path = mutated(tmp_path, {})
    with path.open("a", encoding="utf-8") as fh:
        fh.write("# " + "x" * 300_000 + "\n")
    size_kb = path.stat().st_size // 1024  # the guide itself plus the padding
    assert size_kb > 256
    assert f"{path}:1: the file is {size_kb} KB; a guide may be at most 256 KB" in check_here(path)


def test_steps_that_loop_with_no_way_to_an_outcome(tmp_path: Path) -> None:
    path = mutated(tmp_path, {47: "          goto: check-account",
                              72: "          goto: find-procedure",
                              84: "    next: find-procedure"})  # fmt: skip
    out = check_here(path)
    for step in ("find-procedure", "check-account", "fill-and-send"):
        line = line_of(path, f"  - id: {step}")
        assert f"{path}:{line}: step '{step}' can never reach an outcome" in out


def test_a_step_pointing_at_itself(tmp_path: Path) -> None:
    path = mutated(tmp_path, {84: "    next: fill-and-send"})
    out = check_here(path)
    assert f"{path}:84: 'steps.2.next': step 'fill-and-send' points at itself" in out


def test_branch_and_outcome_on_one_step(tmp_path: Path) -> None:
    path = mutated(tmp_path, {}, insert={35: "    outcome: completed_online"})
    out = check_here(path)
    assert f"{path}:35: 'steps.0': step 'find-procedure' has both 'branch' and 'outcome'" in out


@pytest.mark.parametrize("version", ["99999999999999999999999", "10000"])
def test_an_absurd_version_number(tmp_path: Path, version: str) -> None:
    path = mutated(tmp_path, {2: f"version: {version}"})
    assert f"{path}:2: 'version': {version} is not a version number" in check_here(path)
