"""Exported snippets and notebooks never run typed data as code (issue 38): every code / notebook builder gets
hostile strings (line breaks followed by Python, quotes, triple quotes, backslashes, \\r, U+2028, U+0085, NUL,
Jupyter magics, format braces) in each string parameter it takes, one at a time. Each produced code cell must
parse, keep the shape the same builder gives a harmless string (the hostile text changed no statement, name or
call), hold the hostile text only in string literals and comments (never in a name), and start no line with a
Jupyter magic. One exported notebook with a hostile local path then runs in a real kernel: no sentinel file."""
from __future__ import annotations

import ast
import io
import shlex
import shutil
import subprocess
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

import nbformat
import pytest
from transformers import GenerationConfig

from hflab.learn import code as learn_code
from hflab.loading.sources import Source
from hflab.models import code as models_code
from hflab.sampling.code import reproduction_code, reproduction_notebook
from hflab.sampling.processors import SamplingSettings
from hflab.sentiment import code as sentiment_code
from hflab.sentiment.data import ReviewData
from hflab.snippet import notebook as nbook
from hflab.snippet.reference import LoadReference, load_reference
from hflab.story.code import story_code, story_notebook
from hflab.story.tutorial import TutorialSettings
from hflab.story.writer import StorySettings
from hflab.tokenizer import code as tokenizer_code
from hflab.tokenizer.inputs import CallOptions
from hflab.tokenizer.vocab import VocabEdit

MARKER = "pwned_7f3a"  # an identifier: wherever injected text turns into code, this name shows up in the AST
HOSTILE = (
    f"\nimport os; os.system('touch SENTINEL'); {MARKER} = 1\n",
    f"'; {MARKER} = 1; '",
    f'"; {MARKER} = 1; "',
    f"'''; {MARKER} = 1; '''",
    f'"""; {MARKER} = 1; """',
    f"\\'; {MARKER} = 1 #",
    f"{MARKER}\\",
    f"\r{MARKER} = 1\r",
    f"\r\n{MARKER} = 1\r\n",
    f"\u2028{MARKER} = 1\u2028",
    f"\x85{MARKER} = 1\x85",
    f"\x0c{MARKER} = 1\x0b",
    f"\x00{MARKER}",
    f"\n!touch {MARKER}\n",
    f"\n%%bash\ntouch {MARKER}\n",
    f"\n%run {MARKER}.py\n",
    f"{{0}}{{{MARKER}}}{{{{",
    f"\n\n\n{MARKER}(1)\n\n\n",
    f"\n    {MARKER} = 1\n",
)
BENIGN = "benign"

PATH = "/srv/models/bert"
GENERATION = GenerationConfig(do_sample=True, temperature=0.8, top_k=30, top_p=0.9, repetition_penalty=1.2)
LAST_RUN = SamplingSettings(temperature=0.8, top_k=30, top_p=0.9, repetition_penalty=1.2)


def role_copy(path: str) -> Source:
    """A role's local copy of its Hub model: the snippet names the Hub id, the path is a comment."""
    return Source("sentiment", "local", "bert-base-chinese", path, "source.local")


def cached(path: str, repo_id: str = "org/model") -> Source:
    """A typed Hub id found in the HF cache at `path` (a comment too)."""
    return Source("models", "cache", repo_id, path, "source.cache")


def typed_dir(path: str) -> Source:
    """A directory the learner typed: no Hub id, the snippet loads the path itself."""
    return Source("models", "local", "typed", path, "source.local")


def hub(repo_id: str) -> Source:
    """A Hub id the lab reaches online: the snippet names it."""
    return Source("models", "hub", repo_id, repo_id, "source.hub")


M = LoadReference("", "'m'")  # a snippet's model loaded by the Hub id "m"


def options(value: str) -> CallOptions:
    """Tokenizer call options whose string-valued arguments (truncation, padding) are `value`."""
    return CallOptions(truncation=value, padding=value, max_length=8)


@dataclass(frozen=True)
class Builder:
    """One string parameter of one builder: `build(text)` puts `text` into that parameter only."""

    id: str
    build: Callable[[str], object]  # -> code (str) or a NotebookSpec


BUILDERS = [
    # the reference every snippet loads its model with
    Builder(
        "reference-role-copy-path",
        lambda s: load_reference(role_copy(PATH + s)).setup + f"model = f({load_reference(role_copy(PATH + s)).args})",
    ),
    Builder("reference-cached-path", lambda s: load_reference(cached(PATH + s)).setup + "x = 1"),
    Builder("reference-cached-id", lambda s: f"x = f({load_reference(cached(PATH, 'org/' + s)).args})"),
    Builder("reference-typed-dir", lambda s: f"x = f({load_reference(typed_dir(PATH + s)).args})"),
    Builder("reference-hub-id", lambda s: f"x = f({load_reference(hub(s)).args})"),
    Builder("reference-placeholder", lambda s: f"x = f({load_reference(None, s).args})"),
    # sampling
    Builder(
        "sampling-code-prompt",
        lambda s: reproduction_code(load_reference(hub("m")), s, True, [1, 2], GENERATION, LAST_RUN, 7, 4),
    ),
    Builder(
        "sampling-code-local-path",
        lambda s: reproduction_code(load_reference(cached(PATH + s)), "p", False, [], GENERATION, LAST_RUN, 7, 4),
    ),
    Builder(
        "sampling-notebook-prompt",
        lambda s: reproduction_notebook(load_reference(hub("m")), s, False, [3], GENERATION, LAST_RUN, 7, 4),
    ),
    Builder(
        "sampling-notebook-typed-dir",
        lambda s: reproduction_notebook(load_reference(typed_dir(PATH + s)), "p", True, [], GENERATION, LAST_RUN, 7, 4),
    ),
    # story
    Builder(
        "story-lab-messages",
        lambda s: story_code(load_reference(hub("m")), [{"role": "user", "content": s}], StorySettings(style=s)),
    ),
    Builder("story-tutorial-prompt", lambda s: story_code(load_reference(hub("m")), s, TutorialSettings(style=s))),
    Builder(
        "story-notebook-local-path",
        lambda s: story_notebook(load_reference(role_copy(PATH + s)), "p", TutorialSettings()),
    ),
    Builder(
        "story-notebook-prompt",
        lambda s: story_notebook(load_reference(hub("m")), [{"role": "system", "content": s}], StorySettings()),
    ),
    # tokenizer
    Builder(
        "tokenizer-call-model-id",
        lambda s: tokenizer_code.call_snippet(load_reference(hub(s)), ["a"], None, options("longest"))[0],
    ),
    Builder(
        "tokenizer-call-texts", lambda s: tokenizer_code.call_snippet(M, [s, "b"], [s, "c"], options("longest"))[0]
    ),
    Builder("tokenizer-call-options", lambda s: tokenizer_code.call_snippet(M, ["a"], None, options(s))[0]),
    Builder(
        "tokenizer-call-edits",
        lambda s: tokenizer_code.call_snippet(
            M,
            ["a"],
            None,
            CallOptions(),
            [
                VocabEdit((s,)),
                VocabEdit((s,), "eos_token"),
                VocabEdit((s, "x"), "additional_special_tokens"),
                VocabEdit((s,), s),
            ],
        )[0],
    ),
    Builder(
        "tokenizer-call-local-folder",
        lambda s: tokenizer_code.call_snippet(load_reference(role_copy(PATH + s)), ["a"], None, CallOptions())[0],
    ),
    Builder(
        "tokenizer-notebook",
        lambda s: tokenizer_code.call_notebook(
            load_reference(cached(PATH + s)), [s], [s], options(s), [VocabEdit((s,))], 0, s
        ),
    ),
    Builder(
        "tokenizer-legacy-options",
        lambda s: "tokenizer = texts = pairs = None\n" + tokenizer_code.legacy_snippet(options(s), True),
    ),
    Builder("tokenizer-surgery", lambda s: tokenizer_code.surgery_snippet(s, [VocabEdit((s,)), VocabEdit((s,), s)], 9)),
    Builder("tokenizer-load-line", lambda s: tokenizer_code.load_line(load_reference(cached(PATH + s, "org/" + s)))),
    # sentiment
    Builder("sentiment-load-upload-name", lambda s: sentiment_code.load_code(ReviewData({}, "upload", s))),
    Builder(
        "sentiment-load-saved-path",
        lambda s: sentiment_code.load_code(ReviewData({}, "saved", "ChnSentiCorp", PATH + s)),
    ),
    Builder("sentiment-predict-local-path", lambda s: sentiment_code.predict_code(role_copy(PATH + s))),
    Builder("sentiment-predict-texts", lambda s: sentiment_code.predict_code(typed_dir(PATH), [s, s])),
    Builder("sentiment-notebook-local-path", lambda s: sentiment_code.predict_notebook(role_copy(PATH + s), "好")),
    Builder("sentiment-notebook-trained-dir", lambda s: sentiment_code.predict_notebook(typed_dir(PATH + s), "好")),
    Builder("sentiment-notebook-text", lambda s: sentiment_code.predict_notebook(hub("m"), s)),
    Builder("sentiment-train-base-id", lambda s: sentiment_code.train_code("finetune", s)),
    # models
    Builder("models-parameters-local-path", lambda s: models_code.parameters_code(role_copy(PATH + s))),
    Builder("models-licence-id", lambda s: models_code.licence_code(hub(s))),
    Builder("models-heads-local-path", lambda s: models_code.head_code(cached(PATH + s), "AutoModelForMaskedLM")),
    Builder("models-architecture-typed-dir", lambda s: models_code.architecture_code(typed_dir(PATH + s))),
    Builder("models-memory-local-path", lambda s: models_code.memory_code(role_copy(PATH + s), 128, 1, "fp16")),
    Builder(
        "models-notebook-local-path",
        lambda s: models_code.snippet_notebook(
            "parameters", models_code.parameters_code(role_copy(PATH + s)), role_copy(PATH + s), model_class=s
        ),
    ),
]


def as_code_cells(built: object) -> list[str]:
    """The code cells a learner runs: the notebook's (built and read back as the download hands it out), or
    the snippet split as a notebook would split it."""
    if isinstance(built, nbook.NotebookSpec):
        nb = nbformat.reads(nbook.notebook_bytes(nbook.build_notebook(built, "HF Lab", "intro")).decode("utf-8"),
                            as_version=4)
        return [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return nbook.split_cells(built)


def _shape(node: ast.AST) -> str:
    """The AST with every string constant's value blanked: what the code does, whatever text it holds."""
    class Blank(ast.NodeTransformer):
        def visit_Constant(self, constant: ast.Constant) -> ast.Constant:
            return ast.Constant("S") if isinstance(constant.value, str) else constant
    return ast.dump(Blank().visit(node))


def _identifiers(tree: ast.AST) -> list[str]:
    """Every name the code binds, reads, imports, calls or passes by keyword."""
    found = []
    for node in ast.walk(tree):
        for attr in ("id", "attr", "arg", "name", "asname", "module"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                found.append(value)
    return found


def _comments_and_strings(cell: str) -> str:
    """The text of every comment and string constant of a cell, joined."""
    comments = [tok.string for tok in tokenize.generate_tokens(io.StringIO(cell).readline)
                if tok.type == tokenize.COMMENT]
    strings = [n.value for n in ast.walk(ast.parse(cell)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return "\n".join(comments + strings)


def _comment_count(cell: str) -> int:
    return sum(tok.type == tokenize.COMMENT for tok in tokenize.generate_tokens(io.StringIO(cell).readline))


def assert_inert(builder: Builder, hostile: str) -> None:
    """The hostile build has the benign build's cells, shapes and comments; the text sits in literals only."""
    cells, benign = as_code_cells(builder.build(hostile)), as_code_cells(builder.build(BENIGN))
    assert len(cells) == len(benign)
    embedded = ""
    for cell, reference in zip(cells, benign):
        tree = ast.parse(cell)  # a raw NUL, a cut string or a stray indent fails here
        assert _shape(tree) == _shape(ast.parse(reference))
        assert _comment_count(cell) == _comment_count(reference)  # no comment was cut short or made up
        assert [name for name in _identifiers(tree) if MARKER in name] == []
        magic = [line for line in cell.splitlines() if line.lstrip()[:1] in ("!", "%")]
        assert magic == [], magic  # no builder puts a magic at a line start on purpose
        embedded += _comments_and_strings(cell)
    assert MARKER in embedded  # the parameter did reach the code: the check above is not vacuous


@pytest.mark.parametrize("builder", BUILDERS, ids=[b.id for b in BUILDERS])
def test_every_builder_keeps_hostile_strings_inside_literals(builder):
    for hostile in HOSTILE:
        try:
            assert_inert(builder, hostile)
        except (AssertionError, SyntaxError, ValueError) as exc:
            raise AssertionError(f"{builder.id} with {hostile!r}: {type(exc).__name__}: {exc}") from exc


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_class_name_that_is_no_identifier_is_refused(hostile):
    """The model class and head class are written as names (`transformers.BertModel`): only identifiers pass."""
    with pytest.raises(ValueError, match="not a Python identifier"):
        models_code.parameters_code(role_copy(PATH), hostile)
    with pytest.raises(ValueError, match="not a Python identifier"):
        models_code.head_code(role_copy(PATH), hostile)


INTEGER_PARAMETERS = [
    Builder("models-memory-context", lambda v: models_code.memory_code(role_copy(PATH), v, 1, "fp16")),
    Builder("models-memory-batch", lambda v: models_code.memory_code(role_copy(PATH), 128, v, "fp16")),
    Builder("sentiment-torch-batch-size", lambda v: sentiment_code.torch_code(v, 128)),
    Builder("sentiment-torch-max-length", lambda v: sentiment_code.torch_code(16, v)),
    Builder("tokenizer-resize-size", lambda v: tokenizer_code.resize_snippet("m", v)),
    Builder("tokenizer-call-index", lambda v: tokenizer_code.call_snippet(M, ["a"], None, CallOptions(), index=v)[0]),
]


@pytest.mark.parametrize("builder", INTEGER_PARAMETERS, ids=[b.id for b in INTEGER_PARAMETERS])
def test_integer_settings_are_written_as_integers(builder):
    """A number's place takes a number: text there is refused, not pasted."""
    for text in ("1; import os", f"1\n{MARKER} = 1"):
        with pytest.raises(ValueError, match="invalid literal for int"):
            builder.build(text)
    assert as_code_cells(builder.build(3)) == as_code_cells(builder.build(3.0))  # 3.0 is written as 3


def test_the_learning_path_snippets_are_constants():
    """The learning path shows fixed text: no builder there takes typed data (its Space bundle embeds only the
    roles' default ids, each as a literal)."""
    from hflab.learn import space_bundle, tutorial_code

    for module in (learn_code, tutorial_code):
        assert [name for name, value in vars(module).items() if callable(value) and not name.startswith("_")
                and not isinstance(value, type) and getattr(value, "__module__", "") == module.__name__] == []
    assert all(isinstance(snippet.code, str) for table in (tutorial_code.ORIGINAL, learn_code.MODERN)
               for snippets in table.values() for snippet in snippets)
    assert all(repr(model_id) in space_bundle.app_py() for model_id in space_bundle.model_ids())


SHELL_HOSTILE = ("x; touch SENTINEL", "$(touch SENTINEL)", "`touch SENTINEL`", "x\ntouch SENTINEL",
                 "'; touch SENTINEL; '", "x && touch SENTINEL #", "x' \"$(touch SENTINEL)\"")


@pytest.mark.parametrize("repo_id", SHELL_HOSTILE)
def test_the_offline_commands_quote_every_repo_id(repo_id, tmp_path):
    """The bash snippet run in bash with `hf` as a function that records its arguments: one argument, no file."""
    commands = models_code.offline_commands([(repo_id, "model"), (repo_id, "dataset")])
    downloads = commands.removesuffix(models_code.OFFLINE_RUN + "\n").removesuffix(models_code.OFFLINE_RUN)
    script = "hf() { printf '%s\\0' \"$@\" >> args; }\n" + downloads
    subprocess.run(["bash", "-c", script], cwd=tmp_path, check=True, timeout=30)
    assert not (tmp_path / "SENTINEL").exists()
    assert (tmp_path / "args").read_text().split("\0")[:-1] == [
        "download", repo_id, "download", "--repo-type", "dataset", repo_id]
    assert shlex.split(downloads) == ["hf", "download", repo_id, "hf", "download", "--repo-type", "dataset", repo_id]


@pytest.mark.notebook
def test_a_notebook_with_a_hostile_local_path_runs_without_running_it(tiny_models, session_dir, tmp_path,
                                                                      monkeypatch, run_notebook):
    """The attack the issue found: the sentiment role points at a link with an innocent name whose target's name
    holds a line break and Python. The exported Sentiment notebook runs to its prediction; no sentinel file."""
    from hflab.loading.sources import resolve

    hostile = session_dir / "data" / "hostile-notebook" / "bert\nimport os; os.system('touch SENTINEL')\n#"
    shutil.copytree(tiny_models["sentiment"], hostile, dirs_exist_ok=True)
    innocent = hostile.parent / "bert-base-chinese"
    if not innocent.exists():
        innocent.symlink_to(hostile, target_is_directory=True)
    monkeypatch.setenv("HFLAB_SENTIMENT_DIR", str(innocent))
    monkeypatch.setenv("HFLAB_SENTIMENT_ID", str(tiny_models["sentiment"]))  # the "Hub id" the snippet loads, offline
    source = resolve("sentiment")
    assert source.kind == "local" and "\nimport os" in source.target  # the page's own resolution found the path
    nb = nbformat.reads(nbook.notebook_bytes(nbook.build_notebook(
        sentiment_code.predict_notebook(source, "房间很大"), "HF Lab", "intro")).decode("utf-8"), as_version=4)
    printed = "".join(run_notebook(nb)).strip().splitlines()
    assert not (tmp_path / "SENTINEL").exists()
    probs = ast.literal_eval(printed[-1])
    assert len(probs) == 1 and len(probs[0]) == 2 and abs(sum(probs[0]) - 1) < 1e-5  # it ran to its prediction
