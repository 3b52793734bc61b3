"""The lab's bash command lines as Windows learners type them (the tutorial was written on Windows): PowerShell and
cmd.

Only the bash the lab itself writes is translated: `VAR=value command` (the variable for that one command),
`export VAR=value`, and a trailing `# comment` that holds another command (the alternative). PowerShell and cmd keep
a variable set this way for the rest of the window.
"""
from __future__ import annotations

import re

SHELLS = ("bash", "powershell", "cmd")
_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)(?:\s+|$)")
_COMMENT = re.compile(r"\s+#\s?")


def _split(line: str) -> tuple[list[tuple[str, str]], str]:
    """(the VAR=value assignments in front, the command after them)."""
    assignments = []
    while (found := _ASSIGNMENT.match(line)) is not None:
        assignments.append((found[1], found[2]))
        line = line[found.end():]
    return assignments, line


def _line(line: str, shell: str) -> str:
    assignments, command = _split(line.strip())
    if shell == "powershell":
        parts = [f'$env:{name}="{value}"' for name, value in assignments] + ([command] if command else [])
        return "; ".join(parts)
    parts = [f'set "{name}={value}"' for name, value in assignments] + ([command] if command else [])
    return " && ".join(parts)


def in_shell(command: str, shell: str) -> str:
    """`command` (the lab's bash, one or more lines) as typed in `shell` ("bash", "powershell" or "cmd")."""
    if shell not in SHELLS:
        raise ValueError(shell)
    if shell == "bash":
        return command
    lines = []
    for raw in command.splitlines():
        pieces = _COMMENT.split(" " + raw, maxsplit=1)  # a line that is only a comment splits at its start
        code, comment = pieces[0].strip(), pieces[1].strip() if len(pieces) > 1 else ""
        converted = _line(code, shell) if code else ""
        # a comment the lab writes is another command (an alternative), or plain words: both stay readable
        note = _line(comment, shell) if comment else ""
        if shell == "powershell":
            lines.append(f"{converted}   # {note}" if converted and note else converted or f"# {note}")
        else:  # cmd has no comment at the end of a line: the note goes on its own REM line
            lines += [line for line in (converted, f"REM {note}" if note else "") if line]
    return "\n".join(lines)
