"""The chapters: the tutorial's order and headings, its code verbatim beside complete transformers 5 code, where its
code breaks today, catalog keys in both languages, plain-data targets."""
from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from pathlib import Path

import pytest

from hflab.i18n import catalog
from hflab.learn import chapters
from hflab.learn.chapters import CHAPTERS, progress
from hflab.learn.traps import TRAPS

ROOT = Path(__file__).resolve().parents[2]

# the tutorial's headings in its order (copied from it: the tests never read the tutorial itself)
TUTORIAL_HEADINGS = (
    "Hugging Face系统学习", "简介", "认识 Hugging Face", "注册和安装", "注册 Hugging Face 账户", "安装 Hugging Face 库",
    "temperature、top_k、top_p的区别含义与作用机制", "加载Bert分类模型", "输出结果解析", "百度AI开放平台情感分类案例",
    "数据集下载&本地加载", "方式1:直接加载成熟的数据集使用", "方式2:自己自定义数据集",
    "使用PyTorch 原生的 Dataset 加载数据(重点,常用)", "词汇表操作", "批量文本编码", "使用词汇表转换数据集",
    "转换huggingface自带的datasets数据集", "转换PyTorch Dataset 数据集", "修改词汇表",
    "Transformers 库和 Pipeline 工具快速上手", "在线API访问(很多API访问不了,了解即可)", "License说明", "查看自己的模型",
    "创建或上传模型文件", "模型代码示例", "编写依赖文件", "编写README.md", "为什么每次执行代码都那么久?不应该有缓存吗",
    "补充", "AutoModel和 AutoModelForXXX", "子词分割", "1. 本质区别:datasets.Dataset vs torch.utils.data.Dataset",
    "Hugging Face API 使用", "匿名访问 API(了解)", "使用Access Tokens调用API",
)
NO_CODE_IN_TUTORIAL = {"generation", "licences", "subword"}  # sections of text only
# the tutorial's code that each chapter's left column must hold, as the tutorial wrote it
QUOTED = {
    "pipeline": ('classifier = pipeline("text-classification", model=model, tokenizer=tokenizer,device="cpu")',
                 '# model_name = "ckiplab/bert-base-chinese-pos"'),
    "datasets": ("# 必须要执行本地保存, 直接缓存的数据集不满足本地磁盘加载的格式",
                 "'label': [0, 1, 1] # 0 表示负向评价,1 表示正向评价", "batched=True # 批量处理"),
    "torch_dataset": ("        return text,label", '        input_ids = tokenized_result["input_ids"].squeeze(0)',
                      "        batch_size=32, # 每次加载 32 条数据"),
    "tokenizer": ("out = tokenizer.batch_encode_plus(", "    return_offsets_mapping=True,"),
    "vocab": ('print(tokenizer.decode(out))#[CLS] 阳光 照 在 大地 上 [EOS] [SEP] [PAD] [PAD]',),
    "inference_api": ('API_TOKEN = "hf_REDACTED_DO_NOT_HARDCODE_TOKENS"', "# 使用token参数替代use_auth_token"),
    "story": ('            translator = pipeline("translation", model="Helsinki-NLP/opus-mt-en-zh")',
              "    trust_remote_code=True,"),
    "deploy": ("                show_copy_button=True # 增加复制按钮,方便用户使用", "gradio>=3.40.0"),
    "auto_model": ('model = AutoModel.from_pretrained("bert-base-uncased")',),
}
# traps whose line is not the tutorial's code: older code the tutorial's comment names, and its prose advice
TRAPS_OUTSIDE_THE_CODE = {"use_auth_token", "hf_transfer"}


def without_comments(code: str) -> str:
    """Python code with its comments dropped (what a comment says about an old API is not a use of it)."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return tokenize.untokenize((tok.type, tok.string) for tok in tokens if tok.type != tokenize.COMMENT)


def parses(code: str) -> None:
    """`code` is valid Python (the tutorial's "D:\\data" escapes only warn, as they did for the tutorial)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        ast.parse(code)


def test_chapters_follow_the_tutorials_order_and_cite_its_headings():
    ids = [c.id for c in CHAPTERS]
    assert ids == ["ecosystem", "generation", "pipeline", "datasets", "torch_dataset", "tokenizer", "vocab",
                   "inference_api", "licences", "story", "deploy", "auto_model", "subword"]
    cited = [heading for c in CHAPTERS for heading in c.sections]
    assert set(cited) <= set(TUTORIAL_HEADINGS), set(cited) - set(TUTORIAL_HEADINGS)
    assert len(cited) == len(set(cited))  # no heading is cited by two chapters
    for chapter in CHAPTERS:  # a chapter's headings in the tutorial's order
        places = [TUTORIAL_HEADINGS.index(h) for h in chapter.sections]
        assert places == sorted(places), chapter.id
    first = [TUTORIAL_HEADINGS.index(c.sections[0]) for c in CHAPTERS]
    assert first == sorted(first)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_chapter_has_text_code_and_an_existing_page(chapter):
    for key in (chapter.title_key, chapter.summary_key, chapter.note_key):
        assert catalog()[key]["zh"] and catalog()[key]["en"]
    assert chapter.modern and all(snippet.code.strip() for snippet in chapter.modern)
    assert bool(chapter.original) == (chapter.id not in NO_CODE_IN_TUTORIAL)
    assert (ROOT / "app_pages" / f"{chapter.target.page}.py").is_file()
    assert all(isinstance(value, (str, int, float, bool)) for value in chapter.target.show_for("zh").values())


@pytest.mark.parametrize("chapter_id", QUOTED)
def test_the_left_column_is_the_tutorials_code(chapter_id):
    """Issue 37.2: verbatim, its Chinese comments kept (only the indentation its page lost put back)."""
    original = "\n".join(snippet.code for snippet in chapters.chapter(chapter_id).original)
    for line in QUOTED[chapter_id]:
        assert line in original.split("\n") or line in original, line
    for snippet in chapters.chapter(chapter_id).original:
        if snippet.language == "python":
            parses(snippet.code)  # the restored indentation makes it Python again


def test_modern_snippets_hold_no_token_no_local_paths_and_no_remote_code():
    for chapter in CHAPTERS:
        for snippet in chapter.modern:
            assert not re.search(r"hf_[A-Za-z0-9]{6,}", snippet.code)
            assert ":\\" not in snippet.code and "D:" not in snippet.code
            if snippet.language == "python":
                code = without_comments(snippet.code)
                assert "trust_remote_code" not in code and "torch_dtype" not in code and "use_auth_token" not in code
        for snippet in chapter.original:  # the tutorial printed its token redacted: nothing else may appear
            assert set(re.findall(r"hf_\w+", snippet.code)) <= {"hf_REDACTED_DO_NOT_HARDCODE_TOKENS"}


def test_changed_apis_are_said_in_the_modern_code():
    modern = {c.id: "\n".join(s.code for s in c.modern) for c in CHAPTERS}
    code_only = {c.id: "\n".join(without_comments(s.code) for s in c.modern if s.language == "python")
                 for c in CHAPTERS}
    assert "batch_encode_plus" not in code_only["tokenizer"] and "tokenizer(\n" in modern["tokenizer"]
    assert 'pipeline("translation"' not in code_only["story"] and "MarianMTModel" in code_only["story"]
    assert "dtype=torch.float32" in modern["story"] and "normalized=False" in modern["vocab"]
    assert "api-inference.huggingface.co" not in code_only["inference_api"]
    assert "token=API_TOKEN" in modern["inference_api"]


def test_traps_are_named_on_their_chapters_with_the_tutorials_own_line():
    """Issue 37.1: every trap on the chapter whose code hits it; its line quoted from the tutorial's code."""
    assert {trap.chapter for trap in TRAPS} == {"tokenizer", "vocab", "inference_api", "story", "deploy"}
    assert len({trap.id for trap in TRAPS}) == len(TRAPS)
    for trap in TRAPS:
        assert catalog()[trap.why_key]["zh"] and catalog()[trap.why_key]["en"]
        assert trap.fix.strip()
        if trap.id not in TRAPS_OUTSIDE_THE_CODE:
            original = "\n".join(s.code for s in chapters.chapter(trap.chapter).original)
            assert trap.line in original, trap.id
    assert chapters.chapter("story").traps[0].id == "translation_pipeline"
    assert not any(c.traps for c in CHAPTERS if c.id in ("pipeline", "datasets", "torch_dataset", "subword"))


def test_progress_counts_done_and_lists_the_rest_in_order():
    assert progress(set()) == (0, list(CHAPTERS))
    count, left = progress({"pipeline", "story"})
    assert count == 2
    assert [c.id for c in left] == [c.id for c in CHAPTERS if c.id not in ("pipeline", "story")]


IDENTIFIER_ONLY = re.compile(r'^[A-Za-z0-9_."()=+:：,\- ]+$')


def test_chinese_strings_are_chinese_or_identifiers():
    latin_only = {key: entry["zh"] for key, entry in catalog().items()
                  if key.startswith("learn.") or key == "nav.learn"
                  if not re.search(r"[\u4e00-\u9fff]", entry["zh"])
                  # (punctuation and {fields}: no words)
                  and re.search(r"[A-Za-z]", re.sub(r"\{\w+\}", "", entry["zh"]))}
    assert all(IDENTIFIER_ONLY.match(text) for text in latin_only.values()), latin_only
    assert all("_" in text or "." in text or "(" in text for text in latin_only.values()), latin_only


def test_tutorial_terms_in_the_chinese_ui():
    """Issue 37.8: the tutorial's words: Copyleft 许可证, 词汇表, token; no English form labels."""
    chinese = [entry["zh"] for entry in catalog().values()]
    assert not any(word in text for text in chinese for word in ("著佐权", "词元", "Base URL", "API key"))
    assert not any("词表" in text.replace("词汇表", "") for text in chinese)
    assert catalog()["models.lic.class.copyleft"]["zh"] == "Copyleft 许可证"


def test_sentiment_pytorch_tab_does_not_call_its_collate_fn_the_tutorials():
    """Issue 37.5: the tutorial tokenizes in __getitem__; the tab's collate_fn is the lab's."""
    for lang in ("zh", "en"):
        intro = catalog()["sentiment.torch.intro"][lang]
        assert "__getitem__" in intro and "Mydataset" in intro
    assert not catalog()["sentiment.torch.intro"]["en"].startswith("The tutorial's")


def test_chapter_one_opens_with_the_tutorials_point_of_view():
    """Issue 37.6: model scale and cost, 7B with 20 GB for fine-tuning, 应用开发者 vs 炼丹师, sign-up and token."""
    for lang in ("zh", "en"):
        summary = catalog()["learn.ch.ecosystem.summary"][lang]
        assert all(fact in summary for fact in ("175B", "1.8", "7B", "20 GB", "炼丹师", "hf auth login"))
    assert "访问令牌" in catalog()["learn.ch.ecosystem.summary"]["zh"]


def test_generation_prompt_is_in_the_learners_language_and_is_not_the_classification_sentence():
    target = chapters.chapter("generation").target
    assert target.show_for("zh")["prompt"] == "人工智能的未来是"  # the tutorial's prompt, in Chinese
    assert target.show_for("en")["prompt"] == "The future of AI is"  # its pipeline("text-generation")
    assert chapters.PIPELINE_SENTENCE not in target.show_for("zh").values()


def test_subword_chapter_sends_the_tokenizer_pages_subword_example():
    from hflab.tokenizer.examples import EXAMPLES, example_of

    texts = chapters.chapter("subword").target.show_for("zh")["texts"].split("\n")
    assert example_of(texts, None) == "subword" and texts == EXAMPLES["subword"][0]


def test_story_link_opens_the_tutorial_mode_with_its_defaults():
    from hflab.story import tutorial

    values = chapters.chapter("story").target.show_for("zh")
    assert values["mode"] == "tutorial"
    assert (values["tutorial_creativity"], values["tutorial_length"], values["style"]) == (
        tutorial.DEFAULT_CREATIVITY, tutorial.DEFAULT_CHARS, tutorial.DEFAULT_STYLE) == (5, 300, "温馨")
    assert "creativity" not in values  # the lab mode's slider is not the tutorial's
