"""The code's shape as rules (docs/ARCHITECTURE.md): where each kind of module lives, which way imports go, and who
may call `from_pretrained`. Read from the source with `ast`: function-level imports count as much as top-level ones."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOOR = {"messages", "settings", "paths", "csv_safety", "byte_pieces", "chat", "attention", "i18n"}
WINGS = {"runtime": 1, "loading": 2, "remote": 2, "snippet": 3}  # a wing imports the floor and wings below it only
PAGE_PACKAGES = {"sampling", "tokenizer", "story", "sentiment", "models", "learn"}
POLICY = ROOT / "hflab" / "loading" / "policy.py"


def modules() -> dict[str, Path]:
    """Dotted name -> file of every module in hflab/, components/, app_pages/ and Home.py."""
    found = {}
    for folder in ("hflab", "components", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    found["Home"] = ROOT / "Home.py"
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in the file (also inside functions); an `if TYPE_CHECKING:` block
    is left out (annotations only: nothing runs it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in known else base)
    return {m for m in out if m in known and m != name}


GRAPH = {name: imports_of(name, path, set(modules())) for name, path in modules().items()}


def kind(module: str) -> tuple[str, str]:
    """("floor" | "wing" | "page package" | "components" | "app_pages" | "root", its part name)."""
    parts = module.split(".")
    if parts[0] != "hflab":
        return (parts[0] if parts[0] in ("components", "app_pages") else "root"), parts[-1]
    part = parts[1] if len(parts) > 1 else ""
    if part in FLOOR:
        return "floor", part
    if part in WINGS:
        return "wing", part
    if part in PAGE_PACKAGES:
        return "page package", part
    return "unsorted", part


def test_the_flat_root_is_the_small_floor():
    flat = {p.stem for p in (ROOT / "hflab").glob("*.py")} - {"__init__"}
    packages = {p.name for p in (ROOT / "hflab").iterdir() if (p / "__init__.py").exists()}
    assert flat == FLOOR - {"i18n"}
    assert packages == set(WINGS) | PAGE_PACKAGES | {"i18n"}
    assert not [m for m in GRAPH if kind(m)[0] == "unsorted" and m != "hflab"]


def test_no_import_circle():
    seen, stack, circles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            circles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            visit(nxt)
        stack.pop()

    for module in sorted(GRAPH):
        visit(module)
    assert circles == []


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("hflab.")))
def test_imports_only_go_down(module):
    """floor < runtime < loading, remote < snippet < page packages < components < app_pages."""
    what, part = kind(module)
    bad = []
    for target in GRAPH[module]:
        target_kind, target_part = kind(target)
        if target_kind in ("components", "app_pages", "root"):
            bad.append(target)
        elif what == "floor" and target_kind != "floor":
            bad.append(target)
        elif what == "wing" and target_kind == "wing" and target_part != part and WINGS[target_part] >= WINGS[part]:
            bad.append(target)
        elif what in ("floor", "wing") and target_kind == "page package":
            bad.append(target)
        # the learning path walks through every page's teaching; other page packages keep to their own
        elif (
            what == "page package" and target_kind == "page package" and target_part not in (part,) and part != "learn"
        ):
            bad.append(target)
    assert bad == []


def test_the_core_never_imports_streamlit():
    for name, path in modules().items():
        if name.startswith("hflab"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            assert not {n for n in names if n.split(".")[0] == "streamlit"}, name


def test_components_never_import_pages_and_pages_never_import_each_other():
    for name, targets in GRAPH.items():
        if name.startswith("components."):
            assert not [t for t in targets if t.startswith("app_pages")], name
        if name.startswith("app_pages."):
            assert not [t for t in targets if t.startswith("app_pages")], name


def calls(path: Path):
    """Every call node of a file."""
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def test_only_the_loading_wing_calls_from_pretrained_or_autoconfig():
    outside = []
    for name, path in modules().items():
        if name.startswith("hflab.loading."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "from_pretrained":
                outside.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id == "AutoConfig" or (
                    isinstance(node, ast.alias) and node.name == "AutoConfig"):
                outside.append(f"{name}:AutoConfig")
    assert outside == []


def test_the_load_policy_is_spelled_once():
    """`trust_remote_code`, `use_safetensors`, a token or a dtype reach from_pretrained only through policy.py."""
    spelled = []
    for name, path in modules().items():
        for node in calls(path):
            keywords = {k.arg for k in node.keywords if k.arg}
            is_load = isinstance(node.func, ast.Attribute) and node.func.attr == "from_pretrained"
            if path != POLICY and ({"trust_remote_code", "use_safetensors"} & keywords
                                   or is_load and {"token", "dtype", "torch_dtype"} & keywords):
                spelled.append(f"{name}:{node.lineno}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if path != POLICY and isinstance(node, ast.Constant) and node.value in ("trust_remote_code",
                                                                                   "use_safetensors"):
                spelled.append(f"{name}:{node.lineno}")
    assert spelled == []


def test_no_two_core_functions_share_a_name():
    """One name, one job: a second public function or class of the same name elsewhere in the core is a copy or a
    confusion (two load_classifier functions were both)."""
    where: dict[str, list[str]] = {}
    for name, path in modules().items():
        if name.startswith("hflab.") and not name.startswith("hflab.i18n"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                    where.setdefault(node.name, []).append(name)
    assert {n: m for n, m in where.items() if len(m) > 1} == {}


def test_pages_run_shared_models_only_through_handle_use():
    """`with handle.use() as value:` is the one way to run a shared model; a page that takes `handle.lock` itself
    must remember it every time. The one exception hands the lock to the core's streaming thread (stream_local)."""
    spelled = []
    for name, path in modules().items():
        if not name.startswith(("app_pages.", "components.")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handed = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and getattr(node.func, "id", getattr(node.func, "attr", "")) == "stream_local" for arg in node.args}
        spelled += [f"{name}:{node.lineno}" for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute) and node.attr == "lock" and id(node) not in handed]
    assert spelled == []


def layer(module: str) -> str:
    """The layer a module belongs to, as docs/ARCHITECTURE.md names them."""
    what, part = kind(module)
    if what == "wing":
        return f"hflab/{part}"
    return {"floor": "hflab floor", "page package": "hflab page packages", "root": "Home.py"}.get(what, what)


def import_table() -> str:
    """Markdown rows: each layer, how many modules it has, and how many of its imports go to each layer (a count
    above the diagonal would be an upward import)."""
    order = ["hflab floor", "hflab/runtime", "hflab/loading", "hflab/remote", "hflab/snippet", "hflab page packages",
             "components", "app_pages", "Home.py"]
    short = ["floor", "runtime", "loading", "remote", "snippet", "page pkgs", "components", "app_pages", "Home.py"]
    rows = ["| imports from \\ into | modules | " + " | ".join(short) + " |", "|---" * (len(order) + 2) + "|"]
    for name in order:
        members = [m for m in GRAPH if m != "hflab" and layer(m) == name]
        counts = [sum(layer(t) == target for m in members for t in GRAPH[m]) for target in order]
        rows.append(f"| {name} | {len(members)} | " + " | ".join(str(c) for c in counts) + " |")
    return "\n".join(rows)


def test_the_architecture_doc_shows_the_current_import_counts():
    """The counts in docs/ARCHITECTURE.md are this table, regenerated: `python tests/core/test_structure.py`."""
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start, end = "<!-- import counts -->\n", "\n<!-- /import counts -->"
    assert doc.split(start)[1].split(end)[0] == import_table()


if __name__ == "__main__":
    print(import_table())


def test_tool_settings_do_not_change_what_community_cloud_installs():
    """Cloud takes the first of uv.lock, Pipfile, environment.yml, requirements.txt, pyproject.toml: requirements.txt
    must be that file, and pyproject.toml must stay tool settings only."""
    import tomllib

    assert not [name for name in ("uv.lock", "Pipfile", "environment.yml") if (ROOT / name).exists()]
    assert (ROOT / "requirements.txt").is_file()
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(settings) == {"tool"}
