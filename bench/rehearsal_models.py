"""Full-size random-weight models of the real configs the app uses on the Hub (issue 19), built offline.

No real weights are reachable here, so the Community Cloud rehearsal loads models of the real shapes instead:
the configs below are those of Salesforce/blip-image-captioning-base, Helsinki-NLP/opus-mt-en-zh,
Qwen/Qwen2-0.5B-Instruct (saved in bfloat16 as on the Hub) and bert-base-chinese with a 2-label head. Tokenizers are
built from local text and padded to the real vocabulary sizes, so embeddings and LM heads have their real sizes and
random outputs decode to text. Memory and speed depend on shapes, not on weight values.

Usage: python bench/rehearsal_models.py DIR   (builds what is missing under DIR; prints role -> folder)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from tiny_models import CHATML_TEMPLATE, training_lines  # noqa: E402

from hflab.loading import offline_assets  # noqa: E402

BLIP_TEXT_VOCAB = 30524  # bert-base-uncased (30522) + [DEC] + padding, as in the Hub config
MARIAN_VOCAB = 65001  # opus-mt-en-zh: shared source/target vocabulary, <pad> last
QWEN2_VOCAB = 151936  # embedding rows; the tokenizer itself has 151,646 entries (as Qwen2's)
QWEN2_SPECIALS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}


def _chinese_characters() -> list[str]:
    """The CJK characters of the packaged bert-base-chinese vocab (about 7,000)."""
    words = offline_assets.bert_vocab_file().read_text(encoding="utf-8").split("\n")
    return [w for w in words if len(w) == 1 and "\u4e00" <= w <= "\u9fff"]


def _padded_bert_vocab(target: Path, size: int) -> Path:
    """bert-base-chinese's vocab followed by three-letter words up to `size` words (random captions stay short:
    a caption over the page's 300-character limit would stop the story)."""
    import itertools
    import string

    words = [w for w in offline_assets.bert_vocab_file().read_text(encoding="utf-8").split("\n") if w]
    known = set(words)
    extra = ("".join(letters) for letters in itertools.product(string.ascii_lowercase, repeat=3))
    words += list(itertools.islice((w for w in extra if w not in known), size - len(words)))
    path = target / "vocab-padded.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path


def build_blip_base(target: Path) -> None:
    """BlipForConditionalGeneration with blip-image-captioning-base's config (384 px, ViT-B/16, 12-layer text
    decoder)."""
    import torch
    from transformers import (
        BertTokenizerFast,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
    )

    target.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizerFast(vocab=str(_padded_bert_vocab(target, BLIP_TEXT_VOCAB - 2)))
    tokenizer.add_special_tokens({"bos_token": "[DEC]"})
    processor = BlipProcessor(
        image_processor=BlipImageProcessor(size={"height": 384, "width": 384}), tokenizer=tokenizer
    )
    text = dict(vocab_size=BLIP_TEXT_VOCAB, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                num_attention_heads=12, max_position_embeddings=512, bos_token_id=tokenizer.bos_token_id,
                pad_token_id=tokenizer.pad_token_id, sep_token_id=tokenizer.sep_token_id)
    vision = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                  image_size=384, patch_size=16)
    torch.manual_seed(0)
    BlipForConditionalGeneration(
        BlipConfig(text_config=text, vision_config=vision, projection_dim=512)
    ).save_pretrained(target)
    processor.save_pretrained(target)
    (target / "vocab-padded.txt").unlink()


def build_opus_mt_en_zh(target: Path) -> None:
    """MarianMTModel with opus-mt-en-zh's config (6+6 layers, d_model 512, 65,001 shared tokens)."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    target.mkdir(parents=True, exist_ok=True)
    lines = training_lines()
    for name, data, size in (("source", [ln for ln in lines if ln.isascii()] * 2, 400),
                             ("target", [ln for ln in lines if not ln.isascii()], 4000)):
        corpus = target / f"{name}.txt"
        corpus.write_text("\n".join(data), encoding="utf-8")
        spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(target / name), vocab_size=size,
                                       character_coverage=0.98, hard_vocab_limit=False, model_type="unigram",
                                       pad_id=-1, unk_id=1, bos_id=-1, eos_id=0, unk_piece="<unk>", eos_piece="</s>",
                                       minloglevel=2)
        corpus.unlink()
        (target / f"{name}.vocab").unlink()
        (target / f"{name}.model").rename(target / f"{name}.spm")
    pieces: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(target / f"{name}.spm"))
        for i in range(sp.get_piece_size()):
            pieces.setdefault(sp.id_to_piece(i), len(pieces))
    chars = _chinese_characters()
    words = (a + b for a in chars for b in chars)
    while len(pieces) < MARIAN_VOCAB - 1:  # rows up to the real size, decoding as two characters (captions stay short)
        pieces.setdefault(next(words), len(pieces))
    pieces["<pad>"] = MARIAN_VOCAB - 1
    (target / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(target / "source.spm"), target_spm=str(target / "target.spm"),
                                vocab=str(target / "vocab.json"), source_lang="en", target_lang="zh")
    config = MarianConfig(vocab_size=MARIAN_VOCAB, d_model=512, encoder_layers=6, decoder_layers=6,
                          encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048,
                          decoder_ffn_dim=2048, max_position_embeddings=512, pad_token_id=MARIAN_VOCAB - 1,
                          eos_token_id=0, decoder_start_token_id=MARIAN_VOCAB - 1, forced_eos_token_id=0,
                          activation_function="swish", scale_embedding=True, num_beams=4, max_length=512)
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(target)
    tokenizer.save_pretrained(target)


def _qwen2_tokenizer():
    """A byte-level BPE trained on local text, padded with two-character Chinese words to Qwen2's 151,643 regular
    tokens, then its three special tokens at their real ids, and the ChatML chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    trained = Tokenizer(models.BPE())
    trained.pre_tokenizer = byte_level
    trained.train_from_iterator(training_lines(), trainers.BpeTrainer(
        vocab_size=2000, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    vocab = trained.get_vocab()
    merges = json.loads(trained.to_str())["model"]["merges"]
    chars = _chinese_characters()
    for a in chars:
        for b in chars:
            if len(vocab) >= min(QWEN2_SPECIALS.values()):
                break
            vocab.setdefault(byte_level.pre_tokenize_str(a + b)[0][0], len(vocab))
    vocab.update(QWEN2_SPECIALS)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m) if isinstance(m, list) else tuple(m.split(" "))
                                                    for m in merges]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        additional_special_tokens=["<|im_start|>"], model_max_length=32768)
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def build_qwen2_05b(target: Path) -> None:
    """Qwen2ForCausalLM with Qwen2-0.5B-Instruct's config (494M parameters), saved in bfloat16 like the Hub copy."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    tokenizer = _qwen2_tokenizer()
    config = Qwen2Config(vocab_size=QWEN2_VOCAB, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                         rope_theta=1_000_000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                         bos_token_id=QWEN2_SPECIALS["<|endoftext|>"], eos_token_id=QWEN2_SPECIALS["<|im_end|>"],
                         pad_token_id=QWEN2_SPECIALS["<|endoftext|>"])
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(
        do_sample=True, temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.1,
        eos_token_id=[QWEN2_SPECIALS["<|im_end|>"], QWEN2_SPECIALS["<|endoftext|>"]],
        pad_token_id=QWEN2_SPECIALS["<|endoftext|>"], bos_token_id=QWEN2_SPECIALS["<|endoftext|>"])
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)


def build_bert_base_chinese(target: Path) -> None:
    """BertForSequenceClassification with bert-base-chinese's config (12 layers, hidden 768) and a 2-label head."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    tokenizer = BertTokenizerFast(vocab=str(offline_assets.bert_vocab_file()))
    config = BertConfig(vocab_size=21128, num_labels=2, id2label={0: "negative", 1: "positive"},
                        label2id={"negative": 0, "positive": 1})
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(target)
    tokenizer.save_pretrained(target)


BUILDERS = {"caption": build_blip_base, "translation": build_opus_mt_en_zh, "causal_lm": build_qwen2_05b,
            "sentiment": build_bert_base_chinese}


def build_all(root: Path) -> dict[str, Path]:
    """Build each model under `root` unless a finished copy is there; role -> folder."""
    folders = {}
    for role, build in BUILDERS.items():
        folder = root / role
        if not (folder / "done").is_file():
            print(f"building {role} ({build.__doc__.split(' with ')[0]}) ...", flush=True)
            build(folder)
            (folder / "done").write_text("ok", encoding="utf-8")
        folders[role] = folder
    return folders


if __name__ == "__main__":
    for role_name, path in build_all(Path(sys.argv[1])).items():
        print(role_name, path)
