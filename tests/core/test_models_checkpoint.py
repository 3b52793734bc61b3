"""Models page core: parameter counts, safetensors headers, module tree, typed ids and dirs, corrupt weights.

Oracles: `sum(p.numel())` and transformers' own `num_parameters()`, safetensors' own loader."""
import math
import shutil
from pathlib import Path

import pytest

from hflab.loading import files, loaders, offline_assets, typed
from hflab.loading.cache import explain_error
from hflab.loading.sources import resolve
from hflab.models import checkpoint, tree


@pytest.fixture(scope="module")
def tiny_loaded(tiny_models):
    """Every tiny model loaded with the page's own loader, role -> (model, tokenizer)."""
    return {role: loaders.load_for_inspection(resolve(role, local_dir=str(path))) for role, path in tiny_models.items()}


@pytest.mark.parametrize("role", ["causal_lm", "sentiment", "caption", "translation"])
def test_parameter_counts_equal_sum_of_numel(role, tiny_loaded):
    model, _ = tiny_loaded[role]
    total, per_module = checkpoint.parameter_counts(model)
    assert total == sum(p.numel() for p in model.parameters()) == model.num_parameters()
    for name, child in model.named_children():
        assert per_module[name] == sum(p.numel() for p in child.parameters())


@pytest.mark.parametrize("role", ["causal_lm", "sentiment", "caption", "translation"])
def test_header_counts_equal_the_saved_tensors(role, tiny_models):
    from safetensors.torch import load_file

    tensors = load_file(str(tiny_models[role] / "model.safetensors"))
    summary = files.weights_summary(tiny_models[role])
    assert summary.format == "safetensors"
    assert summary.params == sum(t.numel() for t in tensors.values())
    assert summary.bytes == sum(t.numel() * t.element_size() for t in tensors.values())


def test_untied_model_header_count_equals_loaded_count(tiny_models, tiny_loaded):
    # BERT classifier has no tied weights: what the file stores is what the model holds
    assert files.weights_summary(tiny_models["sentiment"]).params == tiny_loaded["sentiment"][0].num_parameters()


def test_measured_memory_is_fp32_bytes_of_the_parameters(tiny_loaded):
    from hflab.loading.manager import measure_nbytes

    model, _ = tiny_loaded["sentiment"]
    assert checkpoint.loaded_dtype(model) == "float32"
    buffers = sum(b.numel() * b.element_size() for b in model.buffers())
    assert measure_nbytes(model) == checkpoint.estimated_load_bytes(model.num_parameters(), True, 0) + buffers


@pytest.mark.parametrize("role", ["sentiment", "caption"])
def test_module_tree_counts_every_node(role, tiny_loaded):
    model, _ = tiny_loaded[role]
    root = tree.module_tree(model, max_depth=10)
    modules = dict(model.named_modules())
    rows = tree.flatten(root)
    assert rows[0]["params"] == sum(p.numel() for p in model.parameters())
    assert len(rows) == len(list(model.named_modules(remove_duplicate=False)))
    for row in rows[1:]:
        path = row["path"].split(".", 1)[1]
        assert row["params"] == sum(p.numel() for p in modules[path].parameters())
    nested = tree.tree_as_nested_dict(root)
    assert len(nested) == len(list(model.named_children()))


def test_flat_config_covers_nested_configs(tiny_models):
    config = files.config_dict(tiny_models["caption"])
    keys = dict(checkpoint.flat_config(config))
    assert keys["text_config.hidden_size"] == "32" and keys["vision_config.image_size"] == "32"


def test_packaged_smollm2_counts_and_licence(smollm2_dir):
    from safetensors import safe_open

    from hflab.models import licences

    with safe_open(str(smollm2_dir / "model.safetensors"), framework="pt") as f:
        expected = sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
    assert files.weights_summary(smollm2_dir).params == expected
    licence = licences.read_local(smollm2_dir)
    assert (licence.licence_id, licence.klass, licence.found_in) == ("apache-2.0", "permissive", "packaged")


def test_corrupt_safetensors_gets_a_clear_error(tiny_models, session_dir):
    broken = session_dir / "data" / "models_broken"
    shutil.copytree(tiny_models["sentiment"], broken, dirs_exist_ok=True)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(files.CorruptWeights) as caught:
        files.weights_summary(broken)
    message = explain_error(caught.value, "broken")
    assert message.key == "models.err.corrupt" and message.params["file"] == "model.safetensors"
    source = typed.resolve_user_input(str(broken))
    assert source.ready
    with pytest.raises(files.CorruptWeights):
        loaders.load_for_inspection(source)


def test_tokenizer_only_dir_is_explained(session_dir):
    tokenizer_dir = offline_assets.bert_tokenizer_dir()
    if tokenizer_dir is None:
        pytest.skip("cn-clip is not installed")
    copy = session_dir / "data" / "models_tokenizer_only"
    shutil.copytree(tokenizer_dir, copy, dirs_exist_ok=True)
    source = typed.resolve_user_input(str(copy))
    assert not source.ready and source.problem_key == "models.problem.tokenizer_only"


@pytest.mark.parametrize("text, key", [
    ("", "models.problem.empty"),
    ("not a valid//id", "models.problem.bad_id"),
    ("someone/not-cached-anywhere", "models.problem.not_cached_offline"),
    ("/etc", "problem.path_not_allowed"),
])
def test_typed_input_problems(text, key):
    source = typed.resolve_user_input(text)
    assert not source.ready and source.problem_key == key


def test_typed_dir_and_cached_id_resolve(tiny_models, session_dir):
    from huggingface_hub import constants

    local = typed.resolve_user_input(str(tiny_models["sentiment"]))
    assert (local.kind, local.role) == ("local", None)
    missing = typed.resolve_user_input(str(session_dir / "data" / "no_such_dir"))
    assert missing.problem_key == "problem.dir_missing"
    commit = "b" * 40
    repo = Path(constants.HF_HUB_CACHE) / "models--hflab-test--typed"
    shutil.copytree(tiny_models["sentiment"], repo / "snapshots" / commit, dirs_exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    cached = typed.resolve_user_input("hflab-test/typed")
    assert cached.kind == "cache"
    assert files.revision_info(cached.target) == {"commit": commit, "refs": ["main"]}
    shutil.rmtree(repo)


def test_page_sources_have_their_own_manager_key(tiny_env):
    role_source = resolve("sentiment")
    assert typed.for_page(role_source).cache_key != role_source.cache_key
    # issue 15.9: the page's copy of a role is still the operator's (it may use HF_TOKEN), not a typed source
    assert not typed.is_typed(typed.for_page(role_source)) and typed.for_page(
        typed.for_page(role_source)
    ) == typed.for_page(role_source)
