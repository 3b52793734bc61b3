"""Strings of the Sampling playground page."""

STRINGS = {
    "sampling.intro": {
        "zh": "真实模型在**全词汇表**上的下一个词分布，以及温度、top-k、top-p、min-p、重复惩罚对它逐步做了什么。所有计算都用 transformers 自己的 logits 处理器，顺序与 `model.generate` 完全相同。",
        "en": "A real model's next-token distribution over the **full vocabulary**, and what temperature, top-k, top-p, min-p and the repetition penalty do to it, stage by stage. Every number comes from transformers' own logits processors, run in exactly the order `model.generate` runs them.",
    },
    "sampling.english_centric": {
        "zh": "离线模型 SmolLM2-135M-Instruct 主要用英文训练：中文提示也能看分布，但英文提示的结果更有意义（下面有中英文两个示例）。联网时默认使用 Qwen2-0.5B-Instruct（中文更好）。",
        "en": "The offline model SmolLM2-135M-Instruct is English-centric: Chinese prompts work for looking at distributions, but English prompts give more meaningful results (a Chinese and an English example are below). Online, the default is Qwen2-0.5B-Instruct (better at Chinese).",
    },
    "sampling.model": {"zh": "模型：{model}", "en": "Model: {model}"},
    # prompt and settings
    "sampling.prompt": {"zh": "提示词", "en": "Prompt"},
    "sampling.examples": {"zh": "示例提示：", "en": "Example prompts:"},
    "sampling.example.zh": {"zh": "中文示例", "en": "Chinese example"},
    "sampling.example.en": {"zh": "英文示例", "en": "English example"},
    "sampling.use_chat": {"zh": "用模型的对话模板包装", "en": "Wrap in the model's chat template"},
    "sampling.chat_wrapped": {"zh": "模型实际看到的文本（对话模板）", "en": "The text the model actually sees (chat template)"},
    "sampling.prompt_tokens": {"zh": "提示共 {n} 个 token，模型上下文 {limit} 个。", "en": "The prompt is {n} tokens; the model's context is {limit}."},
    "sampling.settings": {"zh": "采样设置", "en": "Sampling settings"},
    "sampling.do_sample": {"zh": "采样（do_sample）", "en": "Sample (do_sample)"},
    "sampling.do_sample_help": {"zh": "关闭时为贪心解码：永远取概率最高的 token，温度、top-k、top-p、min-p 都不起作用。", "en": "Off means greedy decoding: always the most likely token; temperature, top-k, top-p and min-p do nothing."},
    "sampling.seed": {"zh": "随机种子", "en": "Seed"},
    "sampling.temperature": {"zh": "温度 temperature", "en": "Temperature"},
    "sampling.top_k": {"zh": "top_k（0 = 关闭）", "en": "top_k (0 = off)"},
    "sampling.top_p": {"zh": "top_p（1.0 = 关闭）", "en": "top_p (1.0 = off)"},
    "sampling.min_p": {"zh": "min_p（0 = 关闭）", "en": "min_p (0 = off)"},
    "sampling.repetition_penalty": {"zh": "重复惩罚 repetition_penalty（1.0 = 关闭）", "en": "repetition_penalty (1.0 = off)"},
    "sampling.top_n": {"zh": "图表显示前 N 个候选", "en": "Candidates shown in charts (top N)"},
    "sampling.model_defaults_note": {
        "zh": "初始值来自模型自己的 generation_config（缺省项用 transformers 的全局默认值）。注意：只要开启采样，transformers 默认就会用 top_k=50。",
        "en": "Initial values come from the model's own generation_config (transformers' global defaults fill the gaps). Note: with sampling on, transformers applies top_k=50 unless you change it.",
    },
    "sampling.effective_config": {"zh": "实际生效的生成配置", "en": "Effective generation config"},
    "sampling.col.field": {"zh": "参数", "en": "Field"},
    "sampling.col.global": {"zh": "transformers 全局默认", "en": "transformers default"},
    "sampling.col.model": {"zh": "模型 generation_config", "en": "Model generation_config"},
    "sampling.col.yours": {"zh": "你的设置", "en": "Yours"},
    "sampling.col.effective": {"zh": "生效值", "en": "Effective"},
    "sampling.processors": {"zh": "将按此顺序运行的处理器（与 generate 相同）", "en": "Processors that will run, in this order (as in generate)"},
    "sampling.no_processors": {"zh": "没有处理器：直接对原始 logits 做 {what}。", "en": "No processors: {what} on the raw logits."},
    "sampling.then_sample": {"zh": "最后：softmax → torch.multinomial（用你的种子）", "en": "Then: softmax → torch.multinomial (with your seed)"},
    "sampling.then_greedy": {"zh": "最后：argmax（贪心）", "en": "Then: argmax (greedy)"},
    "sampling.what.sample": {"zh": "softmax + 抽样", "en": "softmax + sampling"},
    "sampling.what.greedy": {"zh": "argmax", "en": "argmax"},
    # bad input
    "sampling.empty_prompt": {"zh": "请输入提示词。", "en": "Please enter a prompt."},
    "sampling.prompt_too_long": {"zh": "提示有 {n} 个 token，超出了模型的上下文长度（{limit}）。请缩短提示。", "en": "The prompt has {n} tokens, more than the model's context ({limit}). Please shorten it."},
    "sampling.context_full": {"zh": "已到达模型的上下文上限（{limit} 个 token），不能再生成。请撤销或重置。", "en": "The model's context limit ({limit} tokens) is reached; nothing more can be generated. Undo or reset."},
    "sampling.no_chat_template": {"zh": "这个模型的分词器没有对话模板（chat_template），已改用原始提示。", "en": "This model's tokenizer has no chat template; the plain prompt is used instead."},
    "sampling.bad_logits": {"zh": "模型输出了 NaN（或没有任何有限的 logit），无法从中采样。模型权重可能已损坏，请换一个模型。", "en": "The model returned NaN (or no finite logit at all), so nothing can be sampled. Its weights may be broken; try another model."},
    "sampling.bad.temperature": {"zh": "温度必须大于 0（当前 {value}）。想要永远取最可能的 token，请关闭“采样”改用贪心解码。", "en": "Temperature must be above 0 (now {value}). To always take the most likely token, switch sampling off (greedy decoding)."},
    "sampling.bad.top_k": {"zh": "top_k 不能为负数（当前 {value}）。", "en": "top_k cannot be negative (now {value})."},
    "sampling.bad.top_p": {"zh": "top_p 必须在 0 到 1 之间（当前 {value}）。", "en": "top_p must be between 0 and 1 (now {value})."},
    "sampling.bad.min_p": {"zh": "min_p 必须在 0 到 1 之间（当前 {value}）。", "en": "min_p must be between 0 and 1 (now {value})."},
    "sampling.bad.repetition_penalty": {"zh": "重复惩罚必须大于 0（当前 {value}）。1.0 表示不惩罚。", "en": "The repetition penalty must be above 0 (now {value}); 1.0 means none."},
    "sampling.info.top_k_zero": {"zh": "top_k = 0 在 transformers 里表示关闭 top-k：不会截断任何 token。", "en": "top_k = 0 switches top-k off in transformers: no token is cut by it."},
    "sampling.info.top_p_zero": {"zh": "top_p = 0 只保留概率最高的一个 token（至少保留 1 个），效果等同贪心。", "en": "top_p = 0 keeps only the single most likely token (at least one is always kept): the same as greedy."},
    "sampling.fix_settings": {"zh": "请先修正上面的设置。", "en": "Fix the settings above first."},
    # tabs
    "sampling.tab.explore": {"zh": "逐步生成", "en": "Step by step"},
    "sampling.tab.compare": {"zh": "对比设置", "en": "Compare settings"},
    "sampling.tab.many": {"zh": "多次采样", "en": "Sample many"},
    "sampling.tab.notes": {"zh": "讲解", "en": "Notes"},
    "sampling.tab.lens": {"zh": "逐层透视", "en": "Logit lens"},
    "sampling.tab.attention": {"zh": "注意力", "en": "Attention"},
    # step by step
    "sampling.generated": {"zh": "已生成的 token（颜色 = 被选中时的概率，点击查看那一步的分布）", "en": "Generated tokens (colour = probability when chosen; click one to see that step's distribution)"},
    "sampling.nothing_generated": {"zh": "还没有生成任何 token：点击“采样下一个 token”或“一次生成 N 个”。", "en": "Nothing generated yet: click “Sample next token” or “Run N tokens”."},
    "sampling.legend": {"zh": "🟩 ≥ 60%　🟨 30–60%　🟧 10–30%　🟥 < 10%（多个 token 组成一个字时取它们概率的乘积）", "en": "🟩 ≥ 60%　🟨 30–60%　🟧 10–30%　🟥 < 10% (a character made of several tokens shows their joint probability)"},
    "sampling.step_button": {"zh": "采样下一个 token", "en": "Sample next token"},
    "sampling.greedy_button": {"zh": "取下一个 token（贪心）", "en": "Next token (greedy)"},
    "sampling.run_n": {"zh": "一次生成的 token 数", "en": "Tokens to run at once"},
    "sampling.run_button": {"zh": "一次生成 N 个", "en": "Run N tokens"},
    "sampling.undo": {"zh": "撤销", "en": "Undo"},
    "sampling.reset": {"zh": "重置", "en": "Reset"},
    "sampling.pick": {"zh": "或者自己选一个候选 token 继续（分支）", "en": "Or pick a candidate yourself and continue (a branch)"},
    "sampling.pick_button": {"zh": "用这个 token 继续", "en": "Continue with this token"},
    "sampling.finished": {"zh": "模型生成了结束符，这段文本结束了。可以撤销、重置或自己选一个 token 继续。", "en": "The model produced its end-of-sequence token: the text is finished. Undo, reset or pick a token yourself."},
    "sampling.text_so_far": {"zh": "当前文本（提示 + 生成）", "en": "Current text (prompt + generated)"},
    "sampling.matches_generate": {"zh": "✅ 这 {n} 个 token 与 `torch.manual_seed({seed}); model.generate(..., max_new_tokens={n})` 完全相同（已用 model.generate 核对）。", "en": "✅ These {n} tokens are exactly what `torch.manual_seed({seed}); model.generate(..., max_new_tokens={n})` returns (checked with model.generate)."},
    "sampling.differs_generate": {"zh": "⚠️ model.generate 的结果不同：{tokens}", "en": "⚠️ model.generate returned something else: {tokens}"},
    "sampling.verify_button": {"zh": "用 model.generate 核对", "en": "Check against model.generate"},
    "sampling.branched": {"zh": "这段文本包含手选的 token 或中途改过设置，model.generate 无法一次复现；代码里复现的是当前上下文的分布。", "en": "This text contains hand-picked tokens or settings changed midway, which one model.generate call cannot reproduce; the code reproduces the current context's distribution."},
    "sampling.group_tokens": {"zh": "这个字由 {n} 个字节级 token 组成：选择其中一步", "en": "This character is made of {n} byte-level tokens: choose a step"},
    # distribution view
    "sampling.next_title": {"zh": "下一个 token 的分布（当前上下文）", "en": "Next-token distribution (current context)"},
    "sampling.step_title": {"zh": "第 {step} 步：选中了 {token}（{how}，最终概率 {p}）", "en": "Step {step}: {token} was chosen ({how}, final probability {p})"},
    "sampling.how.sampled": {"zh": "抽样", "en": "sampled"},
    "sampling.how.greedy": {"zh": "贪心", "en": "greedy"},
    "sampling.how.picked": {"zh": "手选", "en": "picked by hand"},
    "sampling.back_to_current": {"zh": "回到当前分布", "en": "Back to the current distribution"},
    "sampling.stage.raw": {"zh": "原始 softmax", "en": "Raw softmax"},
    "sampling.stage.repetition_penalty": {"zh": "重复惩罚后", "en": "After repetition penalty"},
    "sampling.stage.temperature": {"zh": "温度后", "en": "After temperature"},
    "sampling.stage.top_k": {"zh": "top-k 后", "en": "After top-k"},
    "sampling.stage.top_p": {"zh": "top-p 后", "en": "After top-p"},
    "sampling.stage.min_p": {"zh": "min-p 后", "en": "After min-p"},
    "sampling.stats": {"zh": "每个阶段（全词汇表 {vocab} 个 token，重新归一化）", "en": "Each stage (full vocabulary of {vocab} tokens, renormalised)"},
    "sampling.col.stage": {"zh": "阶段", "en": "Stage"},
    "sampling.col.survivors": {"zh": "剩余候选数", "en": "Surviving candidates"},
    "sampling.col.entropy": {"zh": "熵（bit）", "en": "Entropy (bits)"},
    "sampling.col.outside": {"zh": "前 N 之外的概率", "en": "Mass outside top N"},
    "sampling.col.token": {"zh": "token", "en": "Token"},
    "sampling.col.id": {"zh": "编号", "en": "Id"},
    "sampling.col.logit": {"zh": "原始分数（logit）", "en": "Logit"},
    "sampling.col.kept": {"zh": "最终保留", "en": "Kept at the end"},
    "sampling.col.cut_by": {"zh": "被哪个阶段截掉", "en": "Cut by"},
    "sampling.chart.prob": {"zh": "概率", "en": "Probability"},
    "sampling.chart.kept": {"zh": "保留", "en": "kept"},
    "sampling.chart.cut": {"zh": "被截掉", "en": "cut"},
    "sampling.chart.chosen": {"zh": "被选中", "en": "chosen"},
    "sampling.chart.rank": {"zh": "排名", "en": "Rank"},
    "sampling.chart.cumulative": {"zh": "累计概率", "en": "Cumulative probability"},
    "sampling.chart.status": {"zh": "状态", "en": "Status"},
    "sampling.chart.series": {"zh": "类别", "en": "Series"},
    "sampling.chart.value": {"zh": "频率或概率", "en": "Frequency or probability"},
    "sampling.cumulative_title": {"zh": "top-p 收到的分布的累计概率（虚线 = top_p）", "en": "Cumulative probability of what top-p receives (dashed line = top_p)"},
    "sampling.table_title": {"zh": "保留与被截掉的候选", "en": "Kept and cut candidates"},
    "sampling.chosen_outside": {"zh": "被选中的 token 不在前 N 个候选里：{token}（最终概率 {p}）", "en": "The chosen token is outside the top N: {token} (final probability {p})"},
    "sampling.order_toggle": {"zh": "对比：把温度放到最后（llama.cpp 默认采样链的顺序）", "en": "Compare: temperature applied last (the order of llama.cpp's default sampler chain)"},
    "sampling.order_result": {"zh": "transformers 顺序（温度在前）剩 {a} 个候选；温度在最后剩 {b} 个。", "en": "transformers' order (temperature first) leaves {a} candidates; temperature last leaves {b}."},
    "sampling.order.transformers": {"zh": "transformers：温度在前", "en": "transformers: temperature first"},
    "sampling.order.last": {"zh": "温度在最后", "en": "Temperature last"},
    "sampling.order_only_current": {"zh": "顺序对比只针对当前上下文。", "en": "The order comparison is for the current context only."},
    # compare
    "sampling.compare_intro": {"zh": "同一个提示、同一个种子，2 到 4 组设置并排生成。", "en": "Same prompt, same seed: two to four settings side by side."},
    "sampling.compare_count": {"zh": "设置组数", "en": "Number of settings"},
    "sampling.compare_tokens": {"zh": "每组生成的 token 数", "en": "Tokens per setting"},
    "sampling.compare_run": {"zh": "并排生成", "en": "Generate side by side"},
    "sampling.compare_setting": {"zh": "设置 {i}", "en": "Setting {i}"},
    "sampling.diverge": {"zh": "第一个不同的 token 在第 {step} 步（已用 ▶ 标出）。", "en": "The first divergent token is at step {step} (marked with ▶)."},
    "sampling.no_diverge": {"zh": "所有设置生成了相同的 token。", "en": "Every setting produced the same tokens."},
    "sampling.compare_step": {"zh": "查看某一步的分布", "en": "Show a step's distribution"},
    "sampling.compare_stale": {"zh": "设置或提示已改变：请重新生成对比。", "en": "Settings or prompt changed: generate the comparison again."},
    # sample many
    "sampling.many_intro": {"zh": "用当前设置抽 K 条短续写（一次批量运行，等同于对重复 K 次的提示调用 model.generate），看看每个首 token 出现的频率是否符合它的概率。", "en": "Draw K short continuations with the current settings (one batched run, the same as model.generate on the prompt repeated K times) and see how often each first token came up against its probability."},
    "sampling.many_k": {"zh": "续写条数 K", "en": "Continuations K"},
    "sampling.many_tokens": {"zh": "每条的 token 数", "en": "Tokens each"},
    "sampling.many_run": {"zh": "抽样", "en": "Draw"},
    "sampling.many_observed": {"zh": "观察到的频率", "en": "Observed frequency"},
    "sampling.many_expected": {"zh": "概率（最终阶段）", "en": "Probability (final stage)"},
    "sampling.many_series": {"zh": "系列", "en": "Series"},
    "sampling.many_table": {"zh": "不同的续写及次数", "en": "Distinct continuations and counts"},
    "sampling.col.continuation": {"zh": "续写", "en": "Continuation"},
    "sampling.col.count": {"zh": "次数", "en": "Count"},
    "sampling.many_greedy": {"zh": "贪心解码时每次结果都一样：请开启采样。", "en": "Greedy decoding gives the same result every time: switch sampling on."},
    # attention of the causal LM (shared attention strings: hflab/i18n/attention.py)
    "sampling.attention.intro": {
        "zh": "因果语言模型的每一层、每个注意力头，都让上下文里的每个 token（行，查询）把注意力分给它自己和它前面的 token（列），每一行加起来等于 1；后面的 token 它看不到，所以对角线右上方全是 0。上下文就是提示加上「逐步生成」里已经生成的 token。数值就是模型在 `eager` 注意力下用 `output_attentions=True` 返回的张量（默认的 SDPA 注意力不返回权重）。",
        "en": "In every layer, each attention head lets each token of the context (a row, the query) spread its attention over itself and the tokens before it (the columns); each row sums to 1. It cannot see later tokens, so everything above the diagonal is 0. The context is the prompt plus the tokens generated so far under Step by step. The values are exactly the tensors the model returns with `output_attentions=True` under `eager` attention (the default SDPA attention returns no weights).",
    },
    "sampling.attention.context": {
        "zh": "上下文 {n} 个 token（提示 {prompt} 个，已生成 {generated} 个）。",
        "en": "Context of {n} tokens ({prompt} of the prompt, {generated} generated).",
    },
    "sampling.attention.capped_exact": {
        "zh": "因果模型里前 {shown} 个 token 只看得到彼此，所以这里的权重和整段上下文算出来的完全一样，只是后面的行没有画出。",
        "en": "In a causal model the first {shown} tokens see only each other, so these weights are exactly those of the whole context; the later rows are just not drawn.",
    },
    "sampling.attention.summary": {
        "zh": "第 {layer} 层每个头平均把多少注意力给了第一个 token、前一个 token 和自己",
        "en": "How much attention each head of layer {layer} gives, on average, to the first token, the previous token and itself",
    },
    "sampling.attention.summary_note": {
        "zh": "对所有查询位置取平均。很多头把大部分注意力放在第一个 token 上，不管它是什么字：它像一个「注意力汇」（`attention sink`），头在没什么要看的时候就把注意力停在那里。因果语言模型没有 [CLS]；上下文里没有 [SEP] 时也不列出这一栏。",
        "en": "Averaged over the query positions. Many heads put most of their attention on the first token, whatever it is: an \"attention sink\" where a head parks its attention when there is nothing in particular to look at. A causal LM has no [CLS]; a [SEP] column appears only when the context has one.",
    },
    # logit lens
    "sampling.lens.intro": {
        "zh": "每一层的隐藏状态（最后一个位置）都经过模型自己的最终归一化层和语言模型头（lm_head），看看模型如果在这一层就停下，会预测哪个下一个 token。表中每行是一层，每列是一个名次，颜色越深概率越高。",
        "en": "Each layer's hidden state (at the last position) goes through the model's own final norm and LM head: what would the model predict as the next token if it stopped at that layer? One row per layer, one column per rank; the darker, the more likely.",
    },
    "sampling.lens.approx": {
        "zh": "最后一行就是模型自己对这段上下文的下一个 token 分布（它自己的 logits 做 softmax，逐位相同）。更早的层只是**近似**：训练从没要求中间层的隐藏状态能直接这样读出，所以它们的排名只能说明“趋势”，不是模型在那一层的真实想法。",
        "en": "The last row is the model's own next-token distribution for this context (the softmax of its own logits, bit for bit). Earlier layers are an **approximation**: nothing in training asked the intermediate hidden states to be read this way, so their ranks show a trend, not what the model \"thinks\" at that layer.",
    },
    "sampling.lens.step": {"zh": "看哪一步", "en": "Which step"},
    "sampling.lens.current": {"zh": "当前这一步（下一个 token）", "en": "The current step (next token)"},
    "sampling.lens.past": {"zh": "第 {step} 步（已生成）", "en": "Step {step} (generated)"},
    "sampling.lens.tracked_current": {"zh": "还没有选出 token：跟踪最后一层概率最高的 {token}（贪心解码会选它）。", "en": "No token is chosen yet: tracking the last layer's most likely token {token} (what greedy decoding takes)."},
    "sampling.lens.tracked_past": {"zh": "跟踪这一步最终选中的 {token}。", "en": "Tracking {token}, the token finally chosen at this step."},
    "sampling.lens.context": {"zh": "上下文 {n} 个 token；模型共 {layers} 层。", "en": "Context of {n} tokens; the model has {layers} layers."},
    "sampling.lens.rows_capped": {"zh": "层数较多：表中均匀取了 {shown} 行（总是包含嵌入层和最后一层）。", "en": "Many layers: the table shows {shown} evenly spaced rows (always the embeddings and the last layer)."},
    "sampling.lens.col.layer": {"zh": "层", "en": "Layer"},
    "sampling.lens.col.rank": {"zh": "第 {r} 名", "en": "Rank {r}"},
    "sampling.lens.col.chosen_rank": {"zh": "选中 token 的名次", "en": "Rank of the chosen token"},
    "sampling.lens.col.chosen_prob": {"zh": "选中 token 的概率", "en": "Its probability"},
    "sampling.lens.embeddings": {"zh": "0：嵌入层", "en": "0: embeddings"},
    "sampling.lens.layer": {"zh": "第 {i} 层", "en": "Layer {i}"},
    "sampling.lens.final": {"zh": "第 {i} 层（模型输出）", "en": "Layer {i} (model output)"},
    "sampling.lens.no_head": {"zh": "这个模型（{model}）没有语言模型头（get_output_embeddings 返回空），无法做逐层透视。", "en": "This model ({model}) has no LM head (get_output_embeddings returns nothing), so there is no logit lens."},
    "sampling.lens.no_norm": {"zh": "找不到这个模型（{model}）的最终归一化层，无法把中间层的隐藏状态像最后一层那样读出。", "en": "This model ({model}) has no final norm the lens can find, so intermediate hidden states cannot be read like the last one."},
    "sampling.lens.too_long": {"zh": "逐层透视最多处理 {limit} 个 token 的上下文（现在 {n} 个），以免计算太慢。请缩短提示或撤销几步。", "en": "The logit lens takes contexts of up to {limit} tokens (this one has {n}) to stay fast. Shorten the prompt or undo a few steps."},
    "sampling.lens.not_head_of_state": {"zh": "这个模型（{model}）的输出不是语言模型头直接作用在最后隐藏状态上的结果（例如有 logit 截断或缩放），逐层透视的结果不可信，因此不显示。", "en": "This model's ({model}) output is not its LM head applied to its last hidden state (logit soft-capping or scaling, for example), so the lens would not be trustworthy and is not shown."},
    # code
    "sampling.code_title": {"zh": "查看代码：用 transformers 复现当前分布和上一次生成", "en": "Show the code: reproduce the current distribution and the last generation with transformers"},
    # notes
    "sampling.notes": {
        "zh": (
            "**模型输出的是 logits**：每个 token 一个分数，softmax 之后才是概率。`generate` 在每一步按固定顺序改写这些分数，然后贪心取最大值，或按概率抽样。\n\n"
            "- **温度 temperature**：logits 除以 T。T < 1 让分布更尖（更保守、更重复），T > 1 让分布更平（更多样、也更容易胡说）。T → 0 接近贪心；T = 0 不合法，要贪心请关掉采样。事实问答、代码、翻译用低温（0.2–0.7）；头脑风暴、写故事用 0.8–1.2。\n"
            "- **top-k**：只保留分数最高的 k 个 token。k 固定，不管模型多有把握：模型很确定时 k 太大没用，很不确定时又会截掉合理的选项。与第 k 名并列的 token 全部保留。\n"
            "- **top-p（核采样）**：从最可能的 token 开始累加概率，保留刚好超过 p 的最小集合。模型有把握时集合很小，没把握时集合变大。\n"
            "- **min-p**：去掉概率低于“最高概率 × min_p”的 token，阈值随模型的信心变化。\n"
            "- **重复惩罚**：对上下文里出现过的 token，正 logit 除以惩罚值、负 logit 乘以惩罚值（>1 抑制重复，<1 鼓励重复）。它不属于“采样”，贪心时也生效。\n\n"
            "**顺序很重要**：transformers 先做重复惩罚，再温度，再 top-k、top-p、min-p。因为温度在前，top-p 和 min-p 看到的是**已经被温度改过形状**的分布：高温会让 top-p 保留更多 token。一些其他运行时（例如 llama.cpp 的默认采样链，Ollama 也用它）把温度放在最后，那时温度只会重新分配已经选出的候选之间的概率，不会改变留下哪些候选。在“逐步生成”里打开顺序对比开关，就能看到当前上下文下两种顺序的差别。\n\n"
            "**种子**：`torch.manual_seed(seed)` 之后 `generate` 每一步调用一次 `torch.multinomial`。这里的逐步生成用同样种子的生成器、同样的调用顺序，所以结果与 `generate` 逐 token 相同。"
        ),
        "en": (
            "**A model outputs logits**: one score per token; softmax turns them into probabilities. At every step `generate` rewrites these scores in a fixed order, then takes the argmax (greedy) or samples by probability.\n\n"
            "- **Temperature**: divides the logits by T. T < 1 sharpens the distribution (safer, more repetitive), T > 1 flattens it (more varied, more nonsense). T → 0 approaches greedy; T = 0 is invalid: switch sampling off for greedy. Use low temperatures (0.2–0.7) for facts, code and translation; 0.8–1.2 for brainstorming and stories.\n"
            "- **top-k**: keeps the k highest-scoring tokens. k is fixed however sure the model is: too many when it is certain, too few when it is unsure. Tokens tied with the k-th are all kept.\n"
            "- **top-p (nucleus)**: adds probabilities from the most likely token down and keeps the smallest set that passes p. Small when the model is sure, large when it is not.\n"
            "- **min-p**: drops tokens below (top probability × min_p); the threshold follows the model's confidence.\n"
            "- **Repetition penalty**: for tokens already in the context, positive logits are divided by the penalty and negative ones multiplied (> 1 discourages repeats, < 1 encourages them). It is not a sampling step: it applies to greedy decoding too.\n\n"
            "**Order matters**: transformers applies the repetition penalty, then temperature, then top-k, top-p and min-p. Because temperature comes first, top-p and min-p see a distribution **already reshaped by temperature**: a high temperature makes top-p keep more tokens. Some other runtimes (llama.cpp's default sampler chain, which Ollama uses) apply temperature last, where it only redistributes probability among the candidates already chosen and never changes which survive. Switch on the order comparison under “Step by step” to see the difference for the current context.\n\n"
            "**Seed**: after `torch.manual_seed(seed)`, `generate` calls `torch.multinomial` once per step. The stepping here uses a generator with the same seed and the same calls in the same order, so it matches `generate` token for token."
        ),
    },
}
