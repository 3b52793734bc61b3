"""The module tree of a model (what `print(model)` shows), with the parameter count of every node."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TreeNode:
    """One `nn.Module` in the tree: its attribute name, class, parameters (shared ones once) and children."""

    name: str
    type_name: str
    params: int
    children: list[TreeNode] = field(default_factory=list)


def module_tree(module, name: str = "", max_depth: int = 6) -> TreeNode:
    """The tree below `module`, `max_depth` levels deep (deeper modules are folded into their parent)."""
    node = TreeNode(name or type(module).__name__, type(module).__name__, sum(p.numel() for p in module.parameters()))
    if max_depth > 0:
        node.children = [module_tree(child, child_name, max_depth - 1) for child_name, child in module.named_children()]
    return node


def _label(node: TreeNode) -> str:
    return f"{node.name} ({node.type_name}) · {node.params:,}"


def tree_as_nested_dict(node: TreeNode) -> dict:
    """{label: {child label: ...}} for a collapsible JSON view; leaves map to their parameter count."""
    return {_label(c): (tree_as_nested_dict(c) if c.children else c.params) for c in node.children}


def flatten(node: TreeNode, prefix: str = "") -> list[dict]:
    """Rows (path, type, depth, params) of every node, depth-first, for a table."""
    path = f"{prefix}.{node.name}" if prefix else node.name
    rows = [{"path": path, "type": node.type_name, "depth": path.count("."), "params": node.params}]
    for child in node.children:
        rows += flatten(child, path)
    return rows
