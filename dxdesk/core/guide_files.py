"""Reading guide files: safe YAML with size and alias limits, then one guide or the taxonomy
validated by the schema in ``dxdesk.core.guide_schema`` and checked by ``guide_checks``.

Problems are ``path:LINE: message``; YAML and pydantic are imported only when a file is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dxdesk.core.guide import Problem, ProcedureGuide, Taxonomy, YamlLines
from dxdesk.core.guide_checks import check_references, check_walks, content_rules

MAX_YAML_BYTES = 256 * 1024  # a guide is a few KB; anything near this is not a guide
MAX_YAML_NODES = 50_000  # values after alias expansion (the biggest shipped guide has ~2,000)


def _expanded_nodes(root: Any, limit: int) -> int:
    """How many values the document holds once aliases are expanded (capped at limit + 1),
    in time linear in the document: a shared node is sized once."""
    import yaml

    sizes: dict[int, int] = {}
    order: list[Any] = []
    todo = [root] if root is not None else []
    while todo:  # iterative post-order: a deep document cannot exhaust the stack here
        node = todo.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        order.append(node)
        if isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    for node in reversed(order):
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        sizes[id(node)] = min(limit + 1, 1 + sum(max(sizes[id(c)], 0) for c in children))
    return sizes.get(id(root), 0) if root is not None else 0


def _first_alias_line(text: str) -> int:
    match = re.search(r"(?m)[\s\[,:-]\*[^\s,\]}]+", text)
    return text.count("\n", 0, match.start() + 1) + 1 if match else 1


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


def read_yaml(path: Path) -> tuple[Any, YamlLines] | Problem:
    import yaml

    _Loader = _yaml_loader()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(path, 1, f"cannot be read ({exc.strerror})")
    if size > MAX_YAML_BYTES:
        return Problem(path, 1, f"the file is {size // 1024} KB; a guide may be at most "
                       f"{MAX_YAML_BYTES // 1024} KB (split it, or remove what is not a guide)")  # fmt: skip
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Problem(path, 1, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")
    except OSError as exc:
        return Problem(path, 1, f"cannot be read ({exc.strerror})")
    try:
        node = yaml.compose(text, Loader=_Loader)
        # Aliases share nodes: count what they would expand to before anything walks them.
        expanded = _expanded_nodes(node, MAX_YAML_NODES)
        if expanded > MAX_YAML_NODES:
            return Problem(path, _first_alias_line(text), "YAML aliases expand to more than "
                           f"{MAX_YAML_NODES:,} values; a guide needs no such repetition")  # fmt: skip
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        return Problem(path, line, f"YAML syntax error: {what}{context}")
    except yaml.YAMLError as exc:
        return Problem(path, 1, f"YAML error: {exc}")
    except RecursionError:
        return Problem(path, 1, "YAML nested too deeply for a guide")
    lines = YamlLines(node)
    if lines.duplicates:
        key, line = lines.duplicates[0]
        return Problem(path, line, f"duplicate key '{key}'")
    return data, lines


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    taxonomy, problems, _lines = read_taxonomy(path)
    return taxonomy, problems


def read_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem], YamlLines]:
    read = read_yaml(path)
    if isinstance(read, Problem):
        return None, [read], YamlLines(None)
    data, lines = read
    from dxdesk.core.guide_schema import Taxonomy as TaxonomySchema
    from dxdesk.core.guide_schema import ValidationError, pydantic_problems, to_runtime

    try:
        return to_runtime(TaxonomySchema.model_validate(data)), [], lines
    except ValidationError as exc:
        return None, pydantic_problems(path, lines, exc), lines


def load_guide(
    path: Path, taxonomy: Taxonomy | None
) -> tuple[ProcedureGuide | None, list[Problem], YamlLines | None]:
    read = read_yaml(path)
    if isinstance(read, Problem):
        return None, [read], None
    data, lines = read
    if not isinstance(data, dict):
        return (
            None,
            [Problem(path, 1, "a guide must be a YAML mapping (id: ..., title: ...)")],
            lines,
        )
    from dxdesk.core.guide_schema import ProcedureGuide as GuideSchema
    from dxdesk.core.guide_schema import ValidationError, pydantic_problems, to_runtime

    try:
        guide = to_runtime(GuideSchema.model_validate(data))
    except ValidationError as exc:
        return None, pydantic_problems(path, lines, exc), lines
    problems = check_references(path, lines, guide, taxonomy)
    problems += check_walks(path, lines, guide)
    if path.stem != guide.id:
        problems.append(
            Problem(
                path,
                lines.line(("id",)),
                f"'id': '{guide.id}' must match the file name '{path.stem}.yaml'",
            )
        )
    notes = content_rules(path, lines, guide)
    return (None if problems else guide), problems + notes, lines
