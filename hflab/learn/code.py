"""The learning path's transformers 5 code: per chapter, the tutorial's steps as complete code that runs as pasted
(transformers 5.23, datasets 5, huggingface_hub 2). The tutorial's own code, verbatim, is in
`hflab.learn.tutorial_code`.

Each Python snippet names what it loads in UPPER_CASE constants at its top (MODEL_ID, TOKENIZER_ID, DATA_DIR, ...):
point one at a local folder to run it offline (tests/core/test_learn_snippets.py runs every snippet that way).
"""
from __future__ import annotations

from typing import NamedTuple


class Snippet(NamedTuple):
    """One block of code: what it is (a file name, the tutorial's heading, or "" for a chapter's only block), the
    language to highlight it in, and the code."""

    title: str
    language: str
    code: str


_ECOSYSTEM = '''\
# 1. sign up at https://huggingface.co/join, then create an access token (Read) at
#    https://huggingface.co/settings/tokens
# 2. PyTorch first (the CPU build: the default Linux wheel is the multi-GB CUDA one), then the libraries
pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
pip install transformers==5.23.0 datasets==5.2.0 tokenizers==0.23.3 huggingface_hub==2.4.0
# 3. paste the token once: every later download can use it, and it never goes into your code
hf auth login
# mainland China: the mirror, set before any Hugging Face library starts
export HF_ENDPOINT=https://hf-mirror.com
hf download bert-base-chinese'''

_GENERATION = '''\
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline, set_seed

MODEL_ID = "Qwen/Qwen2-0.5B-Instruct"
PROMPT = "The future of AI is"

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
# stored in bf16, which most CPUs compute slowly: fp32 on a CPU
model = AutoModelForCausalLM.from_pretrained(MODEL_ID, dtype=torch.float32)
generator = pipeline("text-generation", model=model, tokenizer=tokenizer)

# greedy: always the most likely next token, the same text on every run
greedy = generator(PROMPT, max_new_tokens=20, do_sample=False, return_full_text=False)
print(greedy[0]["generated_text"])

# temperature, top_k and top_p only act when do_sample=True
set_seed(0)
sampled = generator(PROMPT, max_new_tokens=20, do_sample=True, temperature=0.7, top_k=50, top_p=0.9,
                    return_full_text=False)
print(sampled[0]["generated_text"])'''

_PIPELINE = '''\
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

MODEL_ID = "bert-base-chinese"
TEXT = "你好,我是一款语言模型"

# bert-base-chinese has no classification head: transformers makes a new, random one and says which weights
model, info = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, output_loading_info=True)
print(info["missing_keys"])
tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
classifier = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")
# LABEL_0 or LABEL_1 at about 0.5: an untrained head's guess, not a prediction
print(classifier(TEXT))
print(model)'''

_DATASETS = '''\
from datasets import Dataset, load_dataset, load_from_disk
from transformers import AutoTokenizer

DATASET_ID = "lansinuote/ChnSentiCorp"
DATA_DIR = "ChnSentiCorp"  # save_to_disk writes this folder (dataset_dict.json inside), load_from_disk reads it
TOKENIZER_ID = "bert-base-chinese"

# 方式1: the Hub's copy, saved as a folder load_from_disk can read (the download cache is not one)
dataset = load_dataset(DATASET_ID)
print(dataset)
dataset.save_to_disk(DATA_DIR)
dataset = load_from_disk(DATA_DIR)
train = dataset["train"]
for i in range(3):
    print(train[i])

# 方式2: your own rows (0: negative, 1: positive)
reviews = Dataset.from_dict({
    "text": [
        "位置尚可,但距离海边的位置比预期的要差的多",
        "5月8日付款成功,当当网显示5月10日发货,可是至今还没看到货物,也没收到任何通知,简不知怎么说好!!!",
        "整体来说,本书还是不错的。至少在书中描述了许多现实中存在的司法系统方面的问题,这是值得每个法律工作者去思考的。"
        "尤其是让那涉世深的想加入到律师队伍中的年青人,看到了社会特别是中国司法界真实的一面。缺点是:书中引用了大量的"
        "法律条文和司法解释,对于已经是律师或有一定工作经验的法律工作者来说有点多余,而且所占的篇幅不少,有凑字数的嫌疑。"
        "整体来说还是不错的。不要对一本书提太高的要求。",
    ],
    "label": [0, 1, 1],
})
print(reviews)
print(reviews.features)

# map: one tokenizer call per batch of rows, the results become new columns
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_ID)
encoded = reviews.map(lambda rows: tokenizer(rows["text"], truncation=True, padding="max_length", max_length=512),
                      batched=True)
print(encoded.column_names)
# datasets 5: a column is a Column object; list() it where plain Python is expected
texts = list(train["text"])
print(len(texts))'''

_TORCH_DATASET = '''\
from datasets import load_from_disk
from torch.utils.data import DataLoader, Dataset
from transformers import AutoTokenizer

DATA_DIR = "ChnSentiCorp"  # the folder save_to_disk wrote (the datasets chapter)
TOKENIZER_ID = "bert-base-chinese"


class Mydataset(Dataset):
    """The tutorial's Dataset: tokenizes one review in __getitem__, padded to max_length."""

    def __init__(self, split, tokenizer, max_length=128):
        self.dataset = load_from_disk(DATA_DIR)[split]
        self.tokenizer = tokenizer
        self.max_length = max_length

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, item):
        row = self.dataset[item]
        encoded = self.tokenizer(row["text"], truncation=True, padding="max_length", max_length=self.max_length,
                                 return_tensors="pt")
        return {"input_ids": encoded["input_ids"].squeeze(0),  # (1, 128) -> (128)
                "attention_mask": encoded["attention_mask"].squeeze(0),
                "label": row["label"]}


tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_ID)
loader = DataLoader(Mydataset("train", tokenizer), batch_size=32, shuffle=True)
batch = next(iter(loader))
print("input_ids 形状:", batch["input_ids"].shape)


# dynamic padding: tokenize a whole batch in collate_fn, padded to its own longest review
def collate(rows):
    encoded = tokenizer([row["text"] for row in rows], truncation=True, max_length=128, padding="longest",
                        return_tensors="pt")
    return {**encoded, "labels": [row["label"] for row in rows]}


dynamic = DataLoader(load_from_disk(DATA_DIR)["train"], batch_size=32, shuffle=True, collate_fn=collate)
print("动态填充:", next(iter(dynamic))["input_ids"].shape)'''

_TOKENIZER = '''\
from transformers import AutoTokenizer

TOKENIZER_ID = "bert-base-chinese"

sents = ["酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, "
         "早餐走了两圈也没有找到可以吃的, 太差了",
         "已经贴完了,又给小区的妈妈买了一套。最值得推荐",
         "屏幕大,本本薄。自带数字小键盘,比较少见。声音也还过得去。usb接口多,有四个。独显看高清很好。运行速度也还可以,性价比高!",
         "酒店环境很好 就是有一点点偏 交通不是很便利 去哪都需要达车 关键是不好打 酒店应该想办法解决一下"]
tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_ID)
print(tokenizer)
# transformers 5 removed batch_encode_plus: call the tokenizer itself, with the same arguments
out = tokenizer(
    [sents[0], sents[1]],
    add_special_tokens=True,
    truncation=True,
    padding="max_length",
    max_length=30,
    return_tensors=None,
    return_attention_mask=True,
    return_token_type_ids=True,
    return_special_tokens_mask=True,
    return_offsets_mapping=True,
    return_length=True,
)
for k, v in out.items():
    print(k, ":", v)
print(tokenizer.decode(out["input_ids"][0]), tokenizer.decode(out["input_ids"][1]))'''

_VOCAB = '''\
from transformers import AddedToken, AutoTokenizer

TOKENIZER_ID = "bert-base-chinese"
SAVE_DIR = "modified_tokenizer"

tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_ID)
vocab = tokenizer.get_vocab()
print(len(vocab))
print("阳" in vocab, "光" in vocab, "阳光" in vocab)
# normalized=False: otherwise transformers 5 stores 阳光 as " 阳  光 " and decode prints it spaced apart
tokenizer.add_tokens([AddedToken("阳光", normalized=False), AddedToken("大地", normalized=False)])
tokenizer.add_special_tokens({"eos_token": "[EOS]"})
vocab = tokenizer.get_vocab()
print(len(vocab))
print("阳光" in vocab, "大地" in vocab, "[EOS]" in vocab)
out = tokenizer.encode(text="阳光照在大地上[EOS]", text_pair=None, truncation=True, padding="max_length",
                       max_length=10, add_special_tokens=True, return_tensors=None)
print(out)
print(tokenizer.decode(out))
# new files in SAVE_DIR: the original vocab.txt never changes (a model needs resize_token_embeddings too)
tokenizer.save_pretrained(SAVE_DIR)'''

_INFERENCE_API = '''\
import os

import requests
from transformers import pipeline

# api-inference.huggingface.co is gone (HTTP 410): the same call goes through the router
API_URL = "https://router.huggingface.co/hf-inference/models/google-bert/bert-base-chinese"
MODEL_ID = "gpt2"
# the token comes from the environment (or st.secrets), never from the code: anonymous calls are refused
API_TOKEN = os.environ["HF_TOKEN"]

headers = {"Authorization": f"Bearer {API_TOKEN}"}
response = requests.post(API_URL, headers=headers, json={"inputs": "巴黎是[MASK]国的首都。"}, timeout=60)
response.raise_for_status()  # 401: no valid token; 404: no provider serves this model for this task
print("BERT模型结果:", response.json())

# token=, not use_auth_token= (transformers 5 removed it)
generator = pipeline("text-generation", model=MODEL_ID, token=API_TOKEN)
output = generator("The future of AI is", max_new_tokens=40)
print("GPT2生成结果:", output)'''

_LICENCES = '''\
from huggingface_hub import ModelCard

MODEL_ID = "bert-base-chinese"  # a Hub id, or the path of a local README.md

# the licence is in the model card's metadata (the Hub shows it in the card beside the model)
card = ModelCard.load(MODEL_ID)
print(card.data.license)'''

_STORY = '''\
import torch
from PIL import Image
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BlipForConditionalGeneration,
    BlipProcessor,
    MarianMTModel,
    MarianTokenizer,
)

CAPTION_ID = "Salesforce/blip-image-captioning-base"
TRANSLATION_ID = "Helsinki-NLP/opus-mt-en-zh"
STORY_ID = "Qwen/Qwen2-0.5B-Instruct"
IMAGE = "dog.jpg"
STYLE = "温馨"
MAX_LENGTH = 300  # 故事最大字数
CREATIVITY = 5  # 创意值 0-10
SEED = 42

# BLIP: the tutorial's classes; dtype= (torch_dtype is deprecated), fp32 on a CPU
processor = BlipProcessor.from_pretrained(CAPTION_ID)
blip = BlipForConditionalGeneration.from_pretrained(CAPTION_ID, dtype=torch.float32)
inputs = processor(Image.open(IMAGE).convert("RGB"), return_tensors="pt")
caption = processor.decode(blip.generate(**inputs, max_length=50, num_beams=3)[0], skip_special_tokens=True)
print(caption)

# transformers 5 has no pipeline("translation"): the Marian model and generate
marian_tokenizer = MarianTokenizer.from_pretrained(TRANSLATION_ID)
marian = MarianMTModel.from_pretrained(TRANSLATION_ID)
translated = marian.generate(**marian_tokenizer([caption], return_tensors="pt"), max_length=50)
caption_zh = marian_tokenizer.decode(translated[0], skip_special_tokens=True)
print(caption_zh)

# Qwen2 is built into transformers: no trust_remote_code
tokenizer = AutoTokenizer.from_pretrained(STORY_ID)
story_model = AutoModelForCausalLM.from_pretrained(STORY_ID, dtype=torch.float32)
temperature = max(0.3, min(2.0, 0.3 + (CREATIVITY / 10) * 1.7))
prompt = f"""任务:根据图片描述写{STYLE}风格故事
要求:1. 纯中文;2. 字数控制在{MAX_LENGTH}字左右;3. 符合风格特点,语句通顺
图片描述:{caption_zh}
故事:"""
inputs = tokenizer(prompt, return_tensors="pt", truncation=True, max_length=512)
torch.manual_seed(SEED)
outputs = story_model.generate(**inputs, max_new_tokens=MAX_LENGTH, temperature=temperature, do_sample=True,
                               top_p=0.9, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
story = tokenizer.decode(outputs[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
if len(story) > MAX_LENGTH:  # the tutorial's cut: back to the last "。", then its marker
    story = story[:MAX_LENGTH].rsplit("。", 1)[0] + "......(故事已截断以符合字数要求)"
print(story)'''

_DEPLOY = '''\
# the bundle this chapter downloads, unpacked into a folder
unzip image-story-space.zip -d image-story-space
hf auth login
# a Gradio Space (free CPU hardware); use your own user name
hf repos create YOUR_NAME/image-story --type space --space-sdk gradio
hf upload YOUR_NAME/image-story image-story-space --repo-type space
# the Space installs packages.txt and requirements.txt, downloads the models in README.md's preload_from_hub,
# then runs app.py: https://huggingface.co/spaces/YOUR_NAME/image-story'''

_AUTO_MODEL = '''\
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

MODEL_ID = "bert-base-chinese"

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
inputs = tokenizer("你好,我是一款语言模型", return_tensors="pt")
model = AutoModel.from_pretrained(MODEL_ID)
outputs = model(**inputs)
print(outputs.last_hidden_state.shape)  # [batch_size, seq_len, hidden_size]
classifier, info = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, num_labels=2,
                                                                      output_loading_info=True)
print(classifier(**inputs).logits.shape)  # [batch_size, num_labels]
print(info["missing_keys"])  # the task head transformers had to create'''

_SUBWORD = '''\
from transformers import AutoTokenizer

TOKENIZER_ID = "bert-base-chinese"

tokenizer = AutoTokenizer.from_pretrained(TOKENIZER_ID)
vocab = tokenizer.get_vocab()
print(vocab["黑"], vocab["##黑"])  # vocab.txt holds both
# bert-base-chinese puts spaces around every Chinese character before WordPiece: no ## in Chinese text
print(tokenizer.tokenize("乌鸦的羽毛是乌黑的"))
# with that step off, WordPiece splits the words the tutorial names: 乌 ##黑 ##的
words = AutoTokenizer.from_pretrained(TOKENIZER_ID, tokenize_chinese_chars=False)
print(words.tokenize("乌鸦 的 羽毛 是 乌黑的"))'''

MODERN: dict[str, tuple[Snippet, ...]] = {
    "ecosystem": (Snippet("", "bash", _ECOSYSTEM),),
    "generation": (Snippet("", "python", _GENERATION),),
    "pipeline": (Snippet("", "python", _PIPELINE),),
    "datasets": (Snippet("", "python", _DATASETS),),
    "torch_dataset": (Snippet("", "python", _TORCH_DATASET),),
    "tokenizer": (Snippet("", "python", _TOKENIZER),),
    "vocab": (Snippet("", "python", _VOCAB),),
    "inference_api": (Snippet("", "python", _INFERENCE_API),),
    "licences": (Snippet("", "python", _LICENCES),),
    "story": (Snippet("", "python", _STORY),),
    "deploy": (Snippet("", "bash", _DEPLOY),),
    "auto_model": (Snippet("", "python", _AUTO_MODEL),),
    "subword": (Snippet("", "python", _SUBWORD),),
}
