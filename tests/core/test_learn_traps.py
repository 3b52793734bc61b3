"""Each trap the Learning path names is what this environment really does with the tutorial's line (issue 37.1):
the tutorial's call runs here, offline, on tiny models built in code, and its error, warning or output is compared
with the trap's words. Warnings a library gives once per process (transformers' `warning_once`, huggingface_hub's
import-time check) are run in a fresh Python process."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

from hflab.learn.chapters import TOKENIZER_SENTENCES
from hflab.learn.traps import TRAPS

TRAP = {trap.id: trap for trap in TRAPS}


def raised(call) -> str:
    """'ExceptionType: message' of what `call()` raises."""
    with pytest.raises(Exception) as caught:
        call()
    return f"{caught.type.__name__}: {caught.value}"


def fresh_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """`code` in a new interpreter (offline, no progress bars): its stdout and stderr."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", **env})


@pytest.fixture(scope="module")
def bert_tokenizer():
    from transformers import BertTokenizer

    from hflab.loading import offline_assets

    folder = offline_assets.bert_tokenizer_dir()
    if folder is None:
        pytest.skip("cn-clip is not installed")
    return lambda: BertTokenizer.from_pretrained(folder)  # the tutorial's class, a fresh copy per test


def test_every_trap_that_can_run_offline_is_run_here():
    checked = {"batch_encode_plus", "length_counts_padding", "added_token_spaces", "use_auth_token",
               "translation_pipeline", "torch_dtype", "remote_code", "gradio_theme", "gradio_copy_button",
               "gradio_download_button", "hf_transfer"}
    assert {trap.id for trap in TRAPS if trap.offline} == checked
    assert [trap.id for trap in TRAPS if not trap.offline] == ["inference_api_gone"]  # only the Hub's servers say it


def test_batch_encode_plus_is_gone(bert_tokenizer):
    tokenizer = bert_tokenizer()
    assert raised(lambda: tokenizer.batch_encode_plus(
        batch_text_or_text_pairs=list(TOKENIZER_SENTENCES[:2]), add_special_tokens=True, truncation=True,
        padding="max_length", max_length=30)) == TRAP["batch_encode_plus"].seen


def test_length_counts_the_padding(bert_tokenizer):
    out = bert_tokenizer()(list(TOKENIZER_SENTENCES[:2]), truncation=True, padding="max_length", max_length=30,
                           return_length=True)
    assert f"length : {out['length']}" == TRAP["length_counts_padding"].seen
    assert [sum(mask) for mask in out["attention_mask"]] == [30, 25]  # the fix gives the tutorial's numbers


def test_added_tokens_decode_spaced_unless_not_normalized(bert_tokenizer):
    from transformers import AddedToken

    def decoded(tokenizer, new_tokens) -> tuple[list[int], str]:
        tokenizer.add_tokens(new_tokens)
        tokenizer.add_special_tokens({"eos_token": "[EOS]"})
        out = tokenizer.encode(text="阳光照在大地上[EOS]", text_pair=None, truncation=True, padding="max_length",
                               max_length=10, add_special_tokens=True, return_tensors=None)
        return out, tokenizer.decode(out)

    tutorial_ids = [101, 21128, 4212, 1762, 21129, 677, 21130, 102, 0, 0]
    assert decoded(bert_tokenizer(), ["阳光", "大地"]) == (tutorial_ids, TRAP["added_token_spaces"].seen)
    fixed = [AddedToken("阳光", normalized=False), AddedToken("大地", normalized=False)]
    assert decoded(bert_tokenizer(), fixed) == (tutorial_ids, "[CLS] 阳光 照 在 大地 上 [EOS] [SEP] [PAD] [PAD]")


def test_use_auth_token_breaks_from_pretrained(tmp_path):
    from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

    GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=64, bos_token_id=0,
                               eos_token_id=0)).save_pretrained(tmp_path)
    assert raised(lambda: AutoModelForCausalLM.from_pretrained(tmp_path, use_auth_token="hf_x")) == \
        TRAP["use_auth_token"].seen
    AutoModelForCausalLM.from_pretrained(tmp_path, token="hf_x")  # the fix: a local folder ignores the token


def test_translation_pipeline_is_gone(tiny_models):
    from transformers import pipeline

    assert raised(lambda: pipeline("translation", model=str(tiny_models["translation"]))) == \
        TRAP["translation_pipeline"].seen


def test_torch_dtype_only_warns(tiny_models):
    done = fresh_python("import torch\nfrom transformers import AutoModelForCausalLM\n"
                        f"AutoModelForCausalLM.from_pretrained({str(tiny_models['causal_lm'])!r}, "
                        "torch_dtype=torch.float32)")
    assert done.returncode == 0 and TRAP["torch_dtype"].seen in done.stderr


def test_trust_remote_code_on_qwen2_says_nothing(tiny_models):
    done = fresh_python("from transformers import AutoModelForCausalLM, AutoTokenizer\n"
                        f"AutoTokenizer.from_pretrained({str(tiny_models['causal_lm'])!r}, trust_remote_code=True)\n"
                        f"AutoModelForCausalLM.from_pretrained({str(tiny_models['causal_lm'])!r}, "
                        "trust_remote_code=True)")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "") and TRAP["remote_code"].seen == ""


def test_gradio_6_refuses_the_tutorials_ui_arguments(monkeypatch):
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    gr = pytest.importorskip("gradio", reason="gradio is a test requirement (the deployment chapter's Space)")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with gr.Blocks(title="图片转故事与音频", theme=gr.themes.Soft()):
            assert raised(lambda: gr.Textbox(label="🖼️ 图片描述", lines=2, interactive=False,
                                             show_copy_button=True)) == TRAP["gradio_copy_button"].seen
            assert raised(lambda: gr.Audio(label="🎵 故事音频(可试听/下载)", type="filepath", interactive=True,
                                           show_download_button=True, autoplay=False)) == \
                TRAP["gradio_download_button"].seen
            gr.Textbox(buttons=["copy"])  # the fixes
            gr.Audio(type="filepath", buttons=["download"])
    assert TRAP["gradio_theme"].seen in [f"{w.category.__name__}: {w.message}" for w in caught]


def test_hf_transfer_is_no_longer_used():
    done = fresh_python("import huggingface_hub.constants", HF_HUB_ENABLE_HF_TRANSFER="1")
    assert done.returncode == 0 and TRAP["hf_transfer"].seen in done.stderr
