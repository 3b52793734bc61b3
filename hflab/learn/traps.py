"""Where the tutorial's own code breaks or changes meaning on today's libraries (transformers 5.23, Gradio 6,
huggingface_hub 2): the tutorial's line, exactly what the learner sees, and the fix.

`seen` is the library's own words, copied from running the tutorial's line in this lab's environment
(tests/core/test_learn_traps.py runs each again offline and compares), except where `offline` is False: an answer
only the Hub's servers give. Why it happens, in the learner's language, is the catalog's `learn.trap.<id>`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trap:
    """One line of the tutorial that fails (or misleads) today: the `chapter` it belongs to, the tutorial's `line`,
    what the learner `seen` ("" when nothing is said at all), and the `fix`."""

    id: str
    chapter: str
    line: str
    seen: str
    fix: str
    offline: bool = True

    @property
    def why_key(self) -> str:
        """Catalog key of the explanation."""
        return f"learn.trap.{self.id}"


TRANSLATION_REMOVED = (
    "KeyError: 'The task translation has been removed from transformers. Use the `text-generation` pipeline with a "
    "chat model instead. See the migration guide for more details: "
    "https://github.com/huggingface/transformers/blob/main/MIGRATION_GUIDE_V5.md#pipelines'"
)

TRAPS: tuple[Trap, ...] = (
    Trap("batch_encode_plus", "tokenizer", "out = tokenizer.batch_encode_plus(",
         "AttributeError: BertTokenizer has no attribute batch_encode_plus",
         "out = tokenizer(\n    [sents[0], sents[1]],  # the same arguments follow"),
    Trap("length_counts_padding", "tokenizer", "return_length=True,",
         "length : [30, 30]",
         'real_lengths = [sum(mask) for mask in out["attention_mask"]]  # [30, 25]'),
    Trap("added_token_spaces", "vocab", 'tokenizer.add_tokens(new_tokens=["阳光","大地"])',
         "[CLS]  阳  光  照 在  大  地  上 [EOS] [SEP] [PAD] [PAD]",
         'tokenizer.add_tokens([AddedToken("阳光", normalized=False), AddedToken("大地", normalized=False)])'),
    Trap("inference_api_gone", "inference_api",
         'API_URL = "https://api-inference.huggingface.co/models/google-bert/bert-base-chinese"',
         "410 Gone: https://api-inference.huggingface.co is no longer supported. "
         "Please use https://router.huggingface.co instead.",
         'API_URL = "https://router.huggingface.co/hf-inference/models/google-bert/bert-base-chinese"',
         offline=False),
    Trap("use_auth_token", "inference_api", "AutoModelForCausalLM.from_pretrained(\"gpt2\", use_auth_token=API_TOKEN)",
         "TypeError: GPT2LMHeadModel.__init__() got an unexpected keyword argument 'use_auth_token'",
         'AutoModelForCausalLM.from_pretrained("gpt2", token=API_TOKEN)'),
    Trap("translation_pipeline", "story",
         'translator = pipeline("translation", model="Helsinki-NLP/opus-mt-en-zh")',
         TRANSLATION_REMOVED,
         'translator = MarianMTModel.from_pretrained("Helsinki-NLP/opus-mt-en-zh")\n'
         'ids = translator.generate(**translator_tokenizer([caption], return_tensors="pt"), max_length=50)'),
    Trap("torch_dtype", "story", "torch_dtype=dtype",
         "`torch_dtype` is deprecated! Use `dtype` instead!", "dtype=dtype"),
    Trap("remote_code", "story",
         'tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B-Instruct", trust_remote_code=True)', "",
         'tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B-Instruct")'),
    Trap("gradio_theme", "deploy", 'with gr.Blocks(title="图片转故事与音频", theme=gr.themes.Soft()) as demo:',
         "UserWarning: The parameters have been moved from the Blocks constructor to the launch() method in "
         "Gradio 6.0: theme. Please pass these parameters to launch() instead.",
         'with gr.Blocks(title="图片转故事与音频") as demo:\n...\ndemo.launch(theme=gr.themes.Soft(), ...)'),
    Trap("gradio_copy_button", "deploy", "show_copy_button=True",
         "TypeError: Textbox.__init__() got an unexpected keyword argument 'show_copy_button'",
         'buttons=["copy"]'),
    Trap("gradio_download_button", "deploy", "show_download_button=True,",
         "TypeError: Audio.__init__() got an unexpected keyword argument 'show_download_button'",
         'buttons=["download"],'),
    Trap("hf_transfer", "deploy", "HF_HUB_ENABLE_HF_TRANSFER=1",
         "FutureWarning: The `HF_HUB_ENABLE_HF_TRANSFER` environment variable is deprecated as 'hf_transfer' is "
         "not used anymore. Please use `HF_XET_HIGH_PERFORMANCE` instead to enable high performance transfer with "
         "Xet. Visit https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables"
         "#hfxethighperformance for more details.",
         "HF_XET_HIGH_PERFORMANCE=1"),
)


def chapter_traps(chapter_id: str) -> tuple[Trap, ...]:
    """The traps of one chapter, in the order its code meets them."""
    return tuple(trap for trap in TRAPS if trap.chapter == chapter_id)
