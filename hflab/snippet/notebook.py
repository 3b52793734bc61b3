"""'Download as notebook': a page's copyable code as a Jupyter notebook (nbformat v4) to take home.

A notebook holds a heading and an intro with the page's settings as a table, a cell with the pinned library
versions (read at build time from this lab's requirements files, the pins it is deployed with; a package
missing there takes the version installed in this process, and the cell says which), then the page's own
snippet split into cells. The snippets already print the numbers the page shows, so running the notebook
top to bottom recomputes them.
"""
from __future__ import annotations

import ast
import importlib.metadata
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project folder, where requirements*.txt lie
REQUIREMENTS = ("requirements.txt", "requirements-offline.txt")
MIME = "application/x-ipynb+json"
CELL_VALUE_CHARS = 200  # a settings table cell longer than this is cut (the code cell has the whole value)

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s#;]+)")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")


@dataclass(frozen=True)
class NotebookSpec:
    """What a page exports: `name` (file stem, unique per snippet on a page), the catalog keys of its page
    (`page_key`, e.g. "nav.sampling") and snippet (`title_key`), its settings, its code and the packages it imports."""

    name: str
    page_key: str
    title_key: str
    code: str
    settings: Mapping[str, object] = field(default_factory=dict)
    packages: tuple[str, ...] = ("torch", "transformers")

    @property
    def file_name(self) -> str:
        return f"hflab-{self.name}.ipynb"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_pins(root: Path = ROOT) -> dict[str, str]:
    """name -> version of every `name==version` line in this lab's requirements files (normalised names)."""
    pins: dict[str, str] = {}
    for file_name in REQUIREMENTS:
        path = root / file_name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _PIN.match(line)
            if match:
                pins.setdefault(_normal(match.group(1)), match.group(2))
    return pins


def pinned_versions(packages: Sequence[str], root: Path = ROOT) -> dict[str, tuple[str | None, str]]:
    """package -> (version, where it came from): "requirements" (the lab's pins) or "installed" (this process)."""
    pins = requirement_pins(root)
    found: dict[str, tuple[str | None, str]] = {}
    for name in packages:
        if _normal(name) in pins:
            found[name] = (pins[_normal(name)], "requirements")
            continue
        try:
            found[name] = (importlib.metadata.version(name), "installed")
        except importlib.metadata.PackageNotFoundError:
            found[name] = (None, "installed")
    return found


def versions_code(packages: Sequence[str], root: Path = ROOT) -> str:
    """The pinned-versions cell: a commented `%pip install` line, then a check of what the kernel has installed."""
    versions = pinned_versions(packages, root)
    pinned = {name: version for name, (version, _) in versions.items() if version}
    sources = sorted({where for version, where in versions.values() if version})
    where = {"requirements": "HF Lab's requirements.txt (the versions the lab runs with)",
             "installed": "the versions installed where this notebook was exported"}
    lines = [f"# the versions this notebook was exported with: {' and '.join(where[s] for s in sources) or 'none'}"]
    lines += [f"#   {name}: {where[w].split(' (')[0]}" for name, (v, w) in versions.items() if v and len(sources) > 1]
    lines += [
        "# to install them, uncomment the next line (and restart the kernel):",
        "# %pip install " + " ".join(f"{name}=={version}" for name, version in pinned.items()),
        "import importlib.metadata",
        "",
        f"pinned = {pinned!r}",
        "for name, version in pinned.items():",
        "    try:",
        "        installed = importlib.metadata.version(name)",
        "    except importlib.metadata.PackageNotFoundError:",
        "        installed = None",
        '    print(name, version, "ok" if (installed or "").split("+")[0] == version else f"installed: {installed}")',
    ]
    return "\n".join(lines)


def split_cells(code: str) -> list[str]:
    """`code` split into cells at blank lines between top-level blocks: a cell ends only where what it holds
    parses on its own and the next block does not continue it (an indented line: a method, a loop body)."""
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", code.strip("\n")) if b.strip()]
    cells: list[str] = []
    current: list[str] = []
    for i, block in enumerate(blocks):
        current.append(block)
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is not None and nxt[:1] in (" ", "\t"):
            continue
        text = "\n\n".join(current)
        try:
            ast.parse(text)
        except SyntaxError:
            if nxt is not None:
                continue
        cells.append(text)
        current = []
    return cells


def _cell_value(value: object) -> str:
    """`value` as a Markdown table cell shown verbatim: an inline code span (no HTML, links or emphasis),
    line breaks shown as ↵, pipes escaped for GFM tables, cut to CELL_VALUE_CHARS."""
    text = value if isinstance(value, str) else repr(value)
    text = _LINE_BREAKS.sub("↵", text)
    if len(text) > CELL_VALUE_CHARS:
        text = text[:CELL_VALUE_CHARS] + "…"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def settings_table(settings: Mapping[str, object], columns: tuple[str, str] = ("setting", "value")) -> str:
    """The settings as a two-column Markdown table under the headers `columns` (the page's language)."""
    rows = [f"| {_cell_value(key)} | {_cell_value(value)} |" for key, value in settings.items()]
    head = " | ".join(_LINE_BREAKS.sub(" ", name).replace("|", "\\|") for name in columns)
    return "\n".join([f"| {head} |", "| --- | --- |", *rows])


def _plain(value: object) -> object:
    """`value` as JSON data (the notebook's metadata): containers kept, anything else its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)


def build_notebook(spec: NotebookSpec, title: str, intro: str, split: bool = True, root: Path = ROOT,
                   columns: tuple[str, str] = ("setting", "value")):
    """The nbformat v4 notebook of `spec`: heading `title`, the Markdown `intro` and the settings table (headers
    `columns`, in the page's language), the pinned versions, then the code (split into cells unless `split` is
    False)."""
    import nbformat
    from nbformat import v4

    markdown = (f"# {title}\n\n{intro}\n\n{settings_table(spec.settings, columns)}" if spec.settings
                else f"# {title}\n\n{intro}")
    cells = [v4.new_markdown_cell(markdown), v4.new_code_cell(versions_code(spec.packages, root))]
    cells += [v4.new_code_cell(cell) for cell in (split_cells(spec.code) if split else [spec.code.strip("\n")])]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "hflab": {"page": spec.page_key, "snippet": spec.title_key, "settings": _plain(dict(spec.settings))},
    })
    nbformat.validate(nb)
    return nb


def notebook_bytes(nb) -> bytes:
    """The notebook as .ipynb file bytes (UTF-8 JSON, Chinese kept readable)."""
    import nbformat

    return (nbformat.writes(nb) + "\n").encode("utf-8")


def printed(nb) -> list[str]:
    """The stdout text of each code cell of an executed notebook, in order (cells without output: "")."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        out.append("".join(o.get("text", "") for o in cell.get("outputs", [])
                           if o.get("output_type") == "stream" and o.get("name") == "stdout"))
    return out

