"""Every transformers 5 snippet of the Learning path runs as pasted, offline, and prints what the lab shows.

A snippet names what it loads in UPPER_CASE constants at its top (MODEL_ID, TOKENIZER_ID, DATA_DIR, ...);
`with_constants` rewrites those lines to local folders (tiny models built in code, the packaged bert-base-chinese
vocab, a ChnSentiCorp-shaped data set built in code), and nothing else of the snippet changes. Network-only code:
the Inference API call runs against a local stub server (its URL is the snippet's API_URL); the shell snippets
(sign-up and install, deploying the Space) are checked with `bash -n` and against the installed `hf` command's own
`--help`, and their pins against requirements.txt.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import shlex
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hflab.learn import pipelines, reviews
from hflab.learn.chapters import CHAPTERS, chapter

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = "你好,我是一款语言模型"


def with_constants(code: str, **values) -> str:
    """`code` with each named top-level constant (`NAME = ...` on one line) set to `repr(value)`; a name the
    snippet does not define is an error, so a renamed constant cannot silently stop being replaced."""
    lines = code.split("\n")
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in values:
                assert node.lineno == node.end_lineno, name
                lines[node.lineno - 1] = f"{name} = {values.pop(name)!r}"
    assert not values, f"the snippet defines no {sorted(values)}"
    return "\n".join(lines)


def modern(chapter_id: str) -> str:
    """The chapter's one Python snippet."""
    (snippet,) = chapter(chapter_id).modern
    assert snippet.language == "python"
    return snippet.code


def run(code: str, cwd: Path, monkeypatch) -> tuple[str, dict]:
    """Execute `code` in `cwd`; (what it printed, its variables)."""
    monkeypatch.chdir(cwd)
    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - the code the page shows
    return printed.getvalue(), namespace


@pytest.fixture(scope="module")
def bert_dir():
    from hflab.loading import offline_assets

    folder = offline_assets.bert_tokenizer_dir()
    if folder is None:
        pytest.skip("cn-clip is not installed")
    return folder


@pytest.fixture(scope="module")
def headless_bert(tiny_models, tmp_path_factory) -> Path:
    """bert-base-chinese's situation: a BERT checkpoint without a classification head (tiny, random)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    folder = tmp_path_factory.mktemp("bert-no-head")
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=21128, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64)).save_pretrained(folder)
    AutoTokenizer.from_pretrained(tiny_models["sentiment"]).save_pretrained(folder)
    return folder


def test_every_python_snippet_is_run_here():
    """The tests below cover each chapter; a new chapter needs its own."""
    covered = {"generation", "pipeline", "datasets", "torch_dataset", "tokenizer", "vocab", "inference_api",
               "licences", "story", "auto_model", "subword"}
    python = {c.id for c in CHAPTERS if any(s.language == "python" for s in c.modern)}
    shell = {c.id for c in CHAPTERS if any(s.language == "bash" for s in c.modern)}
    assert python == covered and shell == {"ecosystem", "deploy"}


# ---------------------------------------------------------------- shell: sign up and install, deploy the Space

def hf_commands(code: str) -> list[list[str]]:
    return [shlex.split(line) for line in code.split("\n") if line.startswith("hf ")]


@pytest.mark.parametrize("chapter_id", ["ecosystem", "deploy"])
def test_shell_snippets_parse_and_every_hf_option_exists(chapter_id):
    (snippet,) = chapter(chapter_id).modern
    assert subprocess.run(["bash", "-n"], input=snippet.code, text=True).returncode == 0
    hf = Path(sys.executable).with_name("hf")
    groups = {"auth", "repos"}  # commands with a subcommand: `hf auth login`, `hf repos create`
    commands = hf_commands(snippet.code)
    assert commands
    for words in commands:
        path = words[1:3] if words[1] in groups else words[1:2]
        shown = subprocess.run([str(hf), *path, "--help"], capture_output=True, text=True, timeout=120,
                               env={**os.environ, "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"})
        assert shown.returncode == 0, (words, shown.stderr)
        for option in (word for word in words if word.startswith("--")):
            assert option in shown.stdout, (words, option)


def test_install_line_pins_what_the_lab_runs():
    from hflab.snippet.notebook import requirement_pins

    (snippet,) = chapter("ecosystem").modern
    pins = requirement_pins()
    installed = [word for line in snippet.code.split("\n") if line.startswith("pip install")
                 for word in shlex.split(line)[2:] if "==" in word]
    assert {word.split("==")[0] for word in installed} == {"torch", "transformers", "datasets", "tokenizers",
                                                           "huggingface_hub"}
    for word in installed:
        name, version = word.split("==")
        assert pins[name.lower().replace("_", "-")] == version, word


# ---------------------------------------------------------------- models and pipelines

def test_generation_prints_the_pages_greedy_continuation(tiny_models, tmp_path, monkeypatch):
    """The first line is the learning page's pipeline("text-generation") answer (greedy, 20 new tokens)."""
    code = with_constants(modern("generation"), MODEL_ID=str(tiny_models["causal_lm"]))
    printed, ns = run(code, tmp_path, monkeypatch)
    page = pipelines.generate_text(ns["model"], ns["tokenizer"], ns["PROMPT"])
    assert page == pipelines.direct_greedy(ns["model"], ns["tokenizer"], ns["PROMPT"])
    assert printed.startswith(page + "\n")
    assert printed.endswith(ns["sampled"][0]["generated_text"] + "\n")


def test_pipeline_prints_the_untrained_heads_answer_the_lab_shows(headless_bert, tmp_path, monkeypatch):
    from hflab.models import heads

    code = with_constants(modern("pipeline"), MODEL_ID=str(headless_bert), TEXT=SENTENCE)
    printed, ns = run(code, tmp_path, monkeypatch)
    lines = printed.split("\n")
    assert set(ast.literal_eval(lines[0])) == {"classifier.weight", "classifier.bias"}
    (row,) = pipelines.classify(ns["model"], ns["tokenizer"], [SENTENCE])  # the learning page's table
    assert lines[1] == str([{"label": row.label, "score": row.score}])
    assert row.label in ("LABEL_0", "LABEL_1") and 0.5 <= row.score < 0.7
    assert lines[2] == type(ns["model"]).__name__ + "("  # print(model)
    report = heads.run_head(str(headless_bert), "AutoModelForSequenceClassification", ns["tokenizer"], text=SENTENCE)
    assert report.newly_initialized == sorted(ns["info"]["missing_keys"])  # what the Models page lists
    assert report.answer["label"] in ("LABEL_0", "LABEL_1") and 0.5 <= report.answer["score"] < 0.7


def test_auto_model_prints_the_shapes_and_the_new_head_the_models_page_reports(headless_bert, tmp_path,
                                                                                monkeypatch):
    from transformers import AutoTokenizer

    from hflab.models import heads

    printed, ns = run(with_constants(modern("auto_model"), MODEL_ID=str(headless_bert)), tmp_path, monkeypatch)
    tokenizer = AutoTokenizer.from_pretrained(headless_bert)
    base = heads.run_head(str(headless_bert), "AutoModel", tokenizer)
    head = heads.run_head(str(headless_bert), "AutoModelForSequenceClassification", tokenizer)
    hidden_shape, logits_shape, missing = printed.strip().split("\n")
    assert hidden_shape.endswith(f", {base.output_shapes['last_hidden_state'][-1]}])")
    assert logits_shape.endswith(f", {head.output_shapes['logits'][-1]}])")
    assert sorted(ast.literal_eval(missing)) == head.newly_initialized


# ---------------------------------------------------------------- data

@pytest.fixture()
def hub_like_folder(review_dataset, tmp_path) -> Path:
    """The data set as the Hub stores lansinuote/ChnSentiCorp: parquet files per split, read by load_dataset."""
    from datasets import load_from_disk

    folder = tmp_path / "hub-copy"
    (folder / "data").mkdir(parents=True)
    for split, rows in load_from_disk(str(review_dataset)).items():
        rows.to_parquet(str(folder / "data" / f"{split}-00000-of-00001.parquet"))
    return folder


def test_datasets_snippet_prints_the_rows_features_and_columns_the_lab_shows(hub_like_folder, review_dataset,
                                                                               bert_dir, tmp_path, monkeypatch):
    from datasets import load_from_disk
    from transformers import AutoTokenizer

    code = with_constants(modern("datasets"), DATASET_ID=str(hub_like_folder), DATA_DIR=str(tmp_path / "saved"),
                          TOKENIZER_ID=str(bert_dir))
    printed, ns = run(code, tmp_path, monkeypatch)
    train = load_from_disk(str(review_dataset))["train"]
    for i in range(3):  # train[i] in order: what the Sentiment page's explore table starts with
        assert str(train[i]) in printed
    assert (tmp_path / "saved" / "dataset_dict.json").is_file()
    assert ns["reviews"].to_dict() == reviews.TUTORIAL_REVIEWS  # the tutorial's three reviews, as the page has them
    for row in reviews.feature_rows(reviews.tutorial_dataset()):  # the learning page's dataset.features table
        assert f"'{row['column']}': {row['feature']}" in printed
    page_columns = reviews.timed_map(reviews.tutorial_dataset(), AutoTokenizer.from_pretrained(bert_dir), True)
    assert str(page_columns.dataset.column_names) in printed.split("\n")
    assert printed.strip().endswith(str(train.num_rows))


def test_torch_dataset_snippet_prints_the_tutorials_batch_shape_the_lab_shows(review_dataset, bert_dir, tmp_path,
                                                                              monkeypatch):
    from datasets import load_from_disk
    from transformers import AutoTokenizer

    from hflab.learn import batches

    code = with_constants(modern("torch_dataset"), DATA_DIR=str(review_dataset), TOKENIZER_ID=str(bert_dir))
    printed, _ns = run(code, tmp_path, monkeypatch)
    fixed, dynamic = printed.strip().split("\n")
    train = load_from_disk(str(review_dataset))["train"]
    ways = batches.epoch_padding(list(train["text"]), list(train["label"]), AutoTokenizer.from_pretrained(bert_dir))
    assert fixed == f"input_ids 形状: torch.Size({list(ways[0].first_shape)})"
    assert fixed == "input_ids 形状: torch.Size([32, 128])"
    width = int(dynamic.split(", ")[-1].rstrip("])"))
    assert dynamic.startswith("动态填充: torch.Size([32, ") and width <= 128


def test_tokenizer_snippet_prints_the_fields_the_tokenizer_page_shows(bert_dir, tmp_path, monkeypatch):
    from transformers import AutoTokenizer

    from hflab.learn.chapters import TOKENIZER_SENTENCES
    from hflab.tokenizer.anatomy import encode
    from hflab.tokenizer.inputs import CallOptions

    printed, ns = run(with_constants(modern("tokenizer"), TOKENIZER_ID=str(bert_dir)), tmp_path, monkeypatch)
    assert list(ns["sents"]) == list(TOKENIZER_SENTENCES)
    options = CallOptions(truncation=True, padding="max_length", max_length=30, return_special_tokens_mask=True,
                          return_offsets_mapping=True, return_length=True)
    page = encode(AutoTokenizer.from_pretrained(bert_dir), TOKENIZER_SENTENCES[:2], None, options)
    lines = printed.split("\n")
    for field, values in page.fields.items():
        assert f"{field} : {values}" in lines, field
    assert "length : [30, 30]" in lines  # transformers 5 counts the padding (the tutorial printed [30, 25])


def test_vocab_snippet_prints_the_tutorials_output_and_the_pages_ids(bert, bert_dir, tmp_path, monkeypatch):
    from hflab.tokenizer.vocab import VocabEdit, edited_copy

    code = with_constants(modern("vocab"), TOKENIZER_ID=str(bert_dir), SAVE_DIR=str(tmp_path / "modified"))
    printed, _ns = run(code, tmp_path, monkeypatch)
    # what the tutorial printed (its comments), line for line
    assert printed.split("\n")[:6] == ["21128", "True True False", "21131", "True True True",
                                       "[101, 21128, 4212, 1762, 21129, 677, 21130, 102, 0, 0]",
                                       "[CLS] 阳光 照 在 大地 上 [EOS] [SEP] [PAD] [PAD]"]
    assert (tmp_path / "modified" / "tokenizer_config.json").is_file()
    page = edited_copy(bert, [VocabEdit(("阳光", "大地")), VocabEdit(("[EOS]",), "eos_token")])
    assert page("阳光照在大地上[EOS]")["input_ids"] == [101, 21128, 4212, 1762, 21129, 677, 21130, 102]


def test_subword_snippet_prints_the_tokenizer_pages_lesson(bert, bert_dir, tmp_path, monkeypatch):
    from hflab.tokenizer.examples import subword_lesson

    printed, _ns = run(with_constants(modern("subword"), TOKENIZER_ID=str(bert_dir)), tmp_path, monkeypatch)
    ids, default, words = printed.strip().split("\n")
    lesson = subword_lesson(bert)
    assert ids == f"{lesson.ids['黑']} {lesson.ids['##黑']}"
    assert ast.literal_eval(default) == lesson.default
    assert ast.literal_eval(words) == lesson.by_words == list(lesson.tutorial)


def test_licence_snippet_reads_what_the_models_page_reads(tmp_path, monkeypatch):
    from hflab.models import licences

    card = tmp_path / "README.md"
    card.write_text("---\nlicense: apache-2.0\n---\n# bert-base-chinese\n", encoding="utf-8")
    printed, _ns = run(with_constants(modern("licences"), MODEL_ID=str(card)), tmp_path, monkeypatch)
    assert printed == licences.read_local(tmp_path).licence_id + "\n" == "apache-2.0\n"


# ---------------------------------------------------------------- the Inference API, against a local stub

TUTORIAL_ANSWER = [{"score": 0.9911912083625793, "token": 3791, "token_str": "法",
                    "sequence": "巴 黎 是 法 国 的 首 都 。"}]


@pytest.fixture()
def inference_stub():
    """A stand-in for the router's model endpoint: refuses calls without a token (as the real one does) and answers
    the tutorial's fill-mask result; yields (url, the Authorization headers it saw)."""
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            seen.append(self.headers.get("Authorization"))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            authorized = (self.headers.get("Authorization") or "").startswith("Bearer hf_")
            body = json.dumps(TUTORIAL_ANSWER if authorized else {"error": "Invalid username or password."})
            self.send_response(200 if authorized else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hf-inference/models/google-bert/bert-base-chinese", seen
    server.shutdown()
    server.server_close()


def test_inference_api_snippet_sends_the_token_from_the_environment(inference_stub, tiny_models, tmp_path,
                                                                    monkeypatch):
    import requests

    url, seen = inference_stub
    code = with_constants(modern("inference_api"), API_URL=url, MODEL_ID=str(tiny_models["causal_lm"]))
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    printed, ns = run(code, tmp_path, monkeypatch)
    assert seen == ["Bearer hf_test_token"]
    bert_line, gpt_line = printed.strip().split("\n", 1)
    assert bert_line == f"BERT模型结果: {TUTORIAL_ANSWER}"
    assert gpt_line == f"GPT2生成结果: {ns['output']}" and gpt_line.startswith("GPT2生成结果: [{'generated_text': ")
    monkeypatch.setenv("HF_TOKEN", "not-a-token")  # a wrong token is refused, not silently answered
    with pytest.raises(requests.HTTPError):
        run(code, tmp_path, monkeypatch)


# ---------------------------------------------------------------- the story app's steps

def test_story_snippet_writes_the_caption_and_the_tutorial_modes_story(tiny_models, tmp_path, monkeypatch):
    import threading as threads

    from image_files import colour_photo

    from hflab.story.caption import CaptionSettings, generate_caption
    from hflab.story.tutorial import TutorialSettings, tutorial_prompt
    from hflab.story.writer import generate_story

    colour_photo().save(tmp_path / "photo.png")
    code = with_constants(modern("story"), CAPTION_ID=str(tiny_models["caption"]),
                          TRANSLATION_ID=str(tiny_models["translation"]), STORY_ID=str(tiny_models["causal_lm"]),
                          IMAGE="photo.png", MAX_LENGTH=50, SEED=3)
    printed, ns = run(code, tmp_path, monkeypatch)
    image = ns["Image"].open(tmp_path / "photo.png").convert("RGB")
    # the story page's caption step with the tutorial's settings (num_beams=3, max_length=50, no penalty)
    assert generate_caption(ns["blip"], ns["processor"], image, CaptionSettings(3, 50, 1.0)) == ns["caption"].strip()
    settings = TutorialSettings(ns["STYLE"], 50, ns["CREATIVITY"], 3)
    page_story = generate_story(ns["story_model"], ns["tokenizer"], threads.RLock(),
                                tutorial_prompt(ns["STYLE"], ns["caption_zh"], 50), settings)
    assert ns["story"] == page_story  # the story page's tutorial mode, same seed
    assert printed == f"{ns['caption']}\n{ns['caption_zh']}\n{ns['story']}\n"
