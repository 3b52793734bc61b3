"""Loading rules: fp32 on CPU whatever the checkpoint dtype, no remote code, budget and bad-dir messages."""
import ast
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from components.escape import markdown_literal
from hflab.i18n import t
from hflab.loading.loaders import estimate_load_bytes, load_causal_lm
from hflab.loading.policy import safe_weights_kwargs
from hflab.loading.sources import resolve

ROOT = Path(__file__).resolve().parents[2]


def test_bf16_checkpoint_loads_fp32_on_cpu(tiny_models, session_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    bf16_dir = session_dir / "data" / "tiny_bf16"
    model = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"], dtype=torch.bfloat16)
    model.save_pretrained(bf16_dir)
    AutoTokenizer.from_pretrained(tiny_models["causal_lm"]).save_pretrained(bf16_dir)
    source = resolve("causal_lm", local_dir=str(bf16_dir))
    loaded, _ = load_causal_lm(source)
    assert loaded.dtype == torch.float32 and not loaded.training
    # an fp32 load of half-precision files peaks at the fp32 weights (twice the files) plus the files themselves;
    # the stored width and the layer-by-layer fp16 / int8 conversion stay within the fp32 weights
    weights = sum(f.stat().st_size for f in bf16_dir.glob("*.safetensors"))
    assert estimate_load_bytes(source) == 3 * weights
    assert estimate_load_bytes(source, "stored") == weights
    assert estimate_load_bytes(source, "fp16") == estimate_load_bytes(source, "int8") == 2 * weights


def _enables_remote_code(source: str) -> bool:
    """A call with trust_remote_code=True or a dict with it (the tutorial's original text in a string is fine)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and any(
                k.arg == "trust_remote_code" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords):
            return True
        if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "trust_remote_code"
                and not (isinstance(v, ast.Constant) and v.value is False) for k, v in zip(node.keys, node.values)):
            return True
    return False


def test_no_trust_remote_code_anywhere():
    offenders = [
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
        if ".venv" not in p.parts and "tests" not in p.parts and _enables_remote_code(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert _enables_remote_code("AutoModel.from_pretrained(x, trust_remote_code=True)")
    assert _enables_remote_code("kw = {'trust_remote_code': flag}")


def _load_script():
    import os

    import streamlit as st

    from components.model_loading import load, manager, resolve_role
    from hflab.loading.loaders import load_causal_lm

    manager.clear()  # the budget is read when the manager is created
    os.environ["HFLAB_MEMORY_BUDGET_MB"] = st.session_state.get("budget", "2200")
    handle = load(resolve_role("causal_lm"), load_causal_lm, "LM")
    st.write("loaded" if handle else "not loaded")


def _run(budget: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_function(_load_script, default_timeout=120)
    at.session_state["budget"] = budget
    at.session_state["lang_en"] = lang == "en"
    return at.run()


def test_budget_too_small_gives_a_message(tiny_env, monkeypatch):
    monkeypatch.setenv("HFLAB_MEMORY_BUDGET_MB", "0")
    at = _run("0", "en")
    assert not at.exception
    assert at.markdown[-1].value == "not loaded"
    assert at.error[0].value.startswith("Memory budget too small")


def test_not_a_model_dir_gives_a_message(tiny_env, monkeypatch, session_dir):
    empty = session_dir / "data" / "not_a_model"
    empty.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HFLAB_CAUSAL_LM_DIR", str(empty))
    at = _run("2200", "zh")
    assert not at.exception
    assert at.error[0].value == t("problem.not_a_model_dir", "zh", path=markdown_literal(empty.resolve()),
                                  markers=markdown_literal("config.json"))  # typed paths are shown inert


def test_loads_with_enough_budget(tiny_env):
    at = _run("2200")
    assert not at.exception and at.markdown[-1].value == "loaded"


def _pickle_only_copy(tiny_models, session_dir) -> Path:
    """The tiny causal LM saved with torch.save (pytorch_model.bin) and no safetensors."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = session_dir / "data" / "tiny_pickle_only"
    model = AutoModelForCausalLM.from_pretrained(tiny_models["causal_lm"])
    model.config.save_pretrained(target)
    AutoTokenizer.from_pretrained(tiny_models["causal_lm"]).save_pretrained(target)
    torch.save(model.state_dict(), target / "pytorch_model.bin")
    return target


def test_pickle_only_checkpoint_is_refused_unless_the_operator_allows_it(tiny_models, session_dir, monkeypatch):
    from hflab.loading.policy import PickleRefused

    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    target = _pickle_only_copy(tiny_models, session_dir)
    source = resolve("causal_lm", local_dir=str(target))
    with pytest.raises(PickleRefused) as refused:
        load_causal_lm(source)
    assert (refused.value.key, dict(refused.value.params)) == ("problem.pickle_refused", {"path": source.target})
    monkeypatch.setenv("HFLAB_ALLOW_PICKLE", "1")
    model, _ = load_causal_lm(source)
    assert model.num_parameters() > 0


def test_safetensors_are_required_where_they_exist(tiny_models, monkeypatch):
    monkeypatch.delenv("HFLAB_ALLOW_PICKLE", raising=False)
    assert safe_weights_kwargs(str(tiny_models["causal_lm"])) == {"use_safetensors": True}
    assert safe_weights_kwargs("Qwen/Qwen2-0.5B-Instruct") == {"use_safetensors": True}  # a Hub id: transformers checks
