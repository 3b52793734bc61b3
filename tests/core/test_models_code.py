"""The Models page's copyable code: valid Python that names the model by its Hub id, so it runs on the
learner's machine; this machine's local copy appears only as a comment (issue 18.12)."""
import pytest

from hflab.loading.sources import Source
from hflab.models import code

PACKAGED = Source("causal_lm", "packaged", "HuggingFaceTB/SmolLM2-135M-Instruct", "/srv/lab/assets/SmolLM2",
                  "source.packaged.smollm2")
CACHED = Source("models", "cache", "org/tiny", "/home/lab/.cache/huggingface/hub/models--org--tiny/snapshots/abc",
                "source.cache")
HUB = Source("models", "hub", "org/tiny", "org/tiny", "source.hub")
TYPED_DIR = Source(None, "local", "mine", "/data/my-model", "source.local")


def snippets(source: Source) -> list[str]:
    return [code.parameters_code(source), code.head_code(source, "AutoModelForMaskedLM"),
            code.architecture_code(source), code.memory_code(source, 1024, 2, "fp16")]


@pytest.mark.parametrize("source", [PACKAGED, CACHED])
def test_local_copies_are_a_comment_and_the_code_loads_the_hub_id(source):
    for snippet in snippets(source):
        compile(snippet, "snippet", "exec")
        assert f"from_pretrained({source.repo_id!r}" in snippet
        code_lines = [line for line in snippet.splitlines() if not line.lstrip().startswith("#")]
        assert not any(source.target in line for line in code_lines)
        assert f"# this lab loaded it from: {source.target!r}" in snippet.splitlines()


def test_hub_sources_have_no_comment_and_typed_dirs_keep_their_path():
    for snippet in snippets(HUB):
        assert "from_pretrained('org/tiny'" in snippet and "# this lab" not in snippet
    for snippet in snippets(TYPED_DIR):
        assert "from_pretrained('/data/my-model'" in snippet  # what the learner typed: there is no Hub id


def test_offline_commands_download_each_repo_then_run_offline():
    commands = code.offline_commands([("org/model", "model"), ("org/data", "dataset")])
    assert commands.splitlines() == ["hf download org/model", "hf download --repo-type dataset org/data",
                                     "HF_HUB_OFFLINE=1 python dev.py app"]


def test_memory_code_runs_and_reads_a_pasted_config_from_a_file():
    snippet = code.memory_code(None, 128, 1, "fp32")
    compile(snippet, "snippet", "exec")
    assert "AutoConfig.for_model(**data)" in snippet and "from_pretrained" not in snippet
