"""The code the learning path shows: per chapter, the tutorial's snippet (shortened, faithful, no
token, no local paths) and its transformers 5 equivalent."""
from __future__ import annotations

ORIGINAL = {
    "ecosystem": '''\
pip install transformers
pip install transformers datasets tokenizers
# Hugging Face: models, data sets, Spaces (needs a proxy in mainland China)
# ModelScope: Alibaba's platform, fewer models, faster in China''',
    "generation": '''\
# temperature: < 1 sharper (safer), > 1 flatter (more creative)
# top_k: keep only the k most likely tokens
# top_p: keep the most likely tokens until their sum reaches p
generator = pipeline("text-generation", model="gpt2")
output = generator("The future of AI is", max_length=50, truncation=True)''',
    "pipeline": '''\
from transformers import BertTokenizer, BertForSequenceClassification, pipeline

model = BertForSequenceClassification.from_pretrained(model_name)
tokenizer = BertTokenizer.from_pretrained(model_name)
classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")
print(classifier("你好,我是一款语言模型"))
# [{'label': 'LABEL_1', 'score': 0.55...}]''',
    "datasets": '''\
from datasets import load_dataset, load_from_disk, Dataset

dataset = load_dataset("lansinuote/ChnSentiCorp", cache_dir=data_dir)
dataset.save_to_disk(save_dir)          # the cache is not a load_from_disk folder
dataset = load_from_disk(save_dir)      # the folder holding dataset_dict.json
dataset = Dataset.from_dict({"text": [...3 reviews...], "label": [0, 1, 1]})
print(dataset.info, dataset.features)
dataset = dataset.map(lambda x: tokenizer(x["text"], truncation=True,
                                          padding="max_length", max_length=512), batched=True)''',
    "torch_dataset": '''\
class Mydataset(Dataset):
    def __init__(self, split, tokenizer):
        self.dataset = load_from_disk(save_dir)[split]
        self.tokenizer, self.max_length = tokenizer, 128

    def __getitem__(self, item):
        text, label = self.dataset[item]["text"], self.dataset[item]["label"]
        out = self.tokenizer(text=text, truncation=True, padding="max_length",
                             max_length=self.max_length, return_tensors="pt")
        return {"input_ids": out["input_ids"].squeeze(0),          # (1, 128) -> (128)
                "attention_mask": out["attention_mask"].squeeze(0), "label": label}

loader = DataLoader(Mydataset("train", tokenizer), batch_size=32, shuffle=True)
batch = next(iter(loader))   # input_ids: torch.Size([32, 128])''',
    "tokenizer": '''\
from transformers import BertTokenizer

tokenizer = BertTokenizer.from_pretrained("bert-base-chinese")
out = tokenizer.batch_encode_plus(
    batch_text_or_text_pairs=[sents[0], sents[1]],
    add_special_tokens=True, truncation=True, padding="max_length", max_length=30,
    return_tensors=None, return_attention_mask=True, return_token_type_ids=True,
    return_special_tokens_mask=True, return_offsets_mapping=True, return_length=True)
print(tokenizer.decode(out["input_ids"][0]))''',
    "vocab": '''\
vocab = tokenizer.get_vocab()
print(len(vocab), "阳" in vocab, "阳光" in vocab)       # 21128 True False
tokenizer.add_tokens(new_tokens=["阳光", "大地"])
tokenizer.add_special_tokens({"eos_token": "[EOS]"})
out = tokenizer.encode(text="阳光照在大地上[EOS]", padding="max_length", max_length=10)
print(tokenizer.decode(out))   # [CLS] 阳光 照 在 大地 上 [EOS] [SEP] [PAD] [PAD]
tokenizer.save_pretrained("path/to/save/modified_tokenizer")''',
    "inference_api": '''\
import requests

API_URL = "https://api-inference.huggingface.co/models/google-bert/bert-base-chinese"
headers = {"Authorization": f"Bearer {API_TOKEN}"}   # the tutorial pasted its token here
response = requests.post(API_URL, headers=headers, json={"inputs": "巴黎是[MASK]国的首都。"})
print(response.json())''',
    "licences": '''\
# Permissive: Apache-2.0, MIT, BSD-3-Clause (commercial use, keep the notice)
# Copyleft (传染性): GPL, CC BY-SA (derivatives under the same licence)
# Non-commercial: CC BY-NC, custom research licences
# Responsible AI: OpenRAIL (free use, harmful uses forbidden)''',
    "story": '''\
processor = BlipProcessor.from_pretrained("Salesforce/blip-image-captioning-base")
model = BlipForConditionalGeneration.from_pretrained(..., torch_dtype=dtype)
tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B-Instruct", trust_remote_code=True)
story_model = AutoModelForCausalLM.from_pretrained(..., trust_remote_code=True, torch_dtype=dtype)
translator = pipeline("translation", model="Helsinki-NLP/opus-mt-en-zh")
temperature = max(0.3, min(2.0, 0.3 + (creativity / 10) * 1.7))
tts = gTTS(text=story, lang="zh-cn")''',
    "auto_model": '''\
from transformers import AutoModel

model = AutoModel.from_pretrained("bert-base-uncased")
outputs = model(**inputs)   # [batch_size, seq_len, hidden_size]
# AutoModelForCausalLM / ForSequenceClassification / ForQuestionAnswering /
# ForTokenClassification add a task head on top''',
    "subword": '''\
# vocab.txt holds both 黑 and ##黑:
# 黑 starts a word, ##黑 continues one
# 乌黑的 -> ["乌", "##黑", "##的"]''',
}

MODERN = {
    "ecosystem": '''\
pip install transformers datasets tokenizers huggingface_hub
# mainland China: the mirror, set before anything imports huggingface_hub
export HF_ENDPOINT=https://hf-mirror.com
hf download bert-base-chinese
# or ModelScope: pip install modelscope; modelscope download --model <id>''',
    "generation": '''\
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype="auto")
inputs = tokenizer("The future of AI is", return_tensors="pt")
out = model.generate(**inputs, do_sample=True, temperature=0.7, top_k=50, top_p=0.9,
                     max_new_tokens=40)
print(tokenizer.decode(out[0], skip_special_tokens=True))''',
    "pipeline": '''\
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

model, info = AutoModelForSequenceClassification.from_pretrained(
    "bert-base-chinese", output_loading_info=True)
print(info["missing_keys"])   # classifier.weight, classifier.bias: a new, random head
tokenizer = AutoTokenizer.from_pretrained("bert-base-chinese")
classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")
print(classifier("你好,我是一款语言模型"))   # LABEL_0 / LABEL_1 near 0.5 until trained
fill = pipeline("fill-mask", model="bert-base-chinese")
print(fill("巴黎是[MASK]国的首都。")[0])''',
    "datasets": '''\
from datasets import Dataset, load_dataset, load_from_disk

dataset = load_dataset("lansinuote/ChnSentiCorp")
dataset.save_to_disk(save_dir)
dataset = load_from_disk(save_dir)
reviews = Dataset.from_dict({"text": texts, "label": [0, 1, 1]})
print(reviews.info.features, reviews.features)
texts = list(dataset["train"]["text"])   # datasets 5: a column is a Column object
encoded = reviews.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=128),
                      batched=True)   # one call per 1000 rows, not per row''',
    "torch_dataset": '''\
from torch.utils.data import DataLoader

def collate_fn(items):   # pad each batch to its own longest review
    texts = [text for text, _ in items]
    enc = tokenizer(texts, truncation=True, max_length=128, padding="longest",
                    return_tensors="pt")
    return enc, torch.tensor([label for _, label in items])

loader = DataLoader(list(zip(texts, labels)), batch_size=32, shuffle=True,
                    collate_fn=collate_fn)
enc, labels = next(iter(loader))   # input_ids: [32, longest in this batch]''',
    "tokenizer": '''\
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("bert-base-chinese")   # fast, Rust-backed
out = tokenizer(
    [sents[0], sents[1]],     # batch_encode_plus is gone: call the tokenizer
    add_special_tokens=True, truncation=True, padding="max_length", max_length=30,
    return_attention_mask=True, return_token_type_ids=True,
    return_special_tokens_mask=True, return_offsets_mapping=True, return_length=True)
print(tokenizer.decode(out["input_ids"][0]))
# BertTokenizer(vocab_file=path) builds a 5-token vocab: use from_pretrained(dir)''',
    "vocab": '''\
vocab = tokenizer.get_vocab()
print(len(vocab), "阳" in vocab, "阳光" in vocab)
tokenizer.add_tokens(["阳光", "大地"])
tokenizer.add_special_tokens({"eos_token": "[EOS]"})
ids = tokenizer("阳光照在大地上[EOS]", padding="max_length", max_length=10)["input_ids"]
print(tokenizer.decode(ids))
model.resize_token_embeddings(len(tokenizer))   # new ids need new embedding rows
tokenizer.save_pretrained("modified_tokenizer")''',
    "inference_api": '''\
import os
from huggingface_hub import InferenceClient

# the token comes from the environment (or st.secrets), never from the code
client = InferenceClient(token=os.environ["HF_TOKEN"])
print(client.fill_mask("巴黎是[MASK]国的首都。", model="google-bert/bert-base-chinese"))
# OpenAI-compatible chat through the router: https://router.huggingface.co/v1''',
    "licences": '''\
from huggingface_hub import model_info

card = model_info("bert-base-chinese").card_data
print(card.license if card else None)   # e.g. apache-2.0''',
    "story": '''\
processor = BlipProcessor.from_pretrained("Salesforce/blip-image-captioning-base")
model = BlipForConditionalGeneration.from_pretrained(..., dtype=torch.float32)
ids = model.generate(**processor(image, return_tensors="pt"), num_beams=3, max_length=50)
caption = processor.decode(ids[0], skip_special_tokens=True)   # no image-to-text pipeline
tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B-Instruct")   # no trust_remote_code
story_model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2-0.5B-Instruct", dtype=torch.float32)
prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)''',
    "auto_model": '''\
from transformers import AutoModel, AutoModelForSequenceClassification

base = AutoModel.from_pretrained("bert-base-chinese")
print(base(**inputs).last_hidden_state.shape)   # [batch, seq_len, 768]
model, info = AutoModelForSequenceClassification.from_pretrained(
    "bert-base-chinese", num_labels=2, output_loading_info=True)
print(model(**inputs).logits.shape, info["missing_keys"])   # [batch, 2], the new head''',
    "subword": '''\
from transformers import BertTokenizer

tokenizer = BertTokenizer.from_pretrained("bert-base-chinese")
print(tokenizer.tokenize("乌鸦的羽毛是乌黑的"))   # every Chinese character on its own
split_off = BertTokenizer.from_pretrained("bert-base-chinese", tokenize_chinese_chars=False)
print(split_off.tokenize("乌鸦的羽毛是乌黑的"))   # 乌, ##鸦, ##的, ... ##黑, ##的''',
}
