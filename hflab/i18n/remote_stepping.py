"""Strings of the Sampling playground stepping on a server (hflab/sampling/remote.py, components/remote_stepping.py)."""

STRINGS = {
    "remote_step.chat_note": {
        "zh": "逐步生成、分支与各采样阶段需要续写原文：关闭上面的“作为对话”即可（/completions，每个位置一次请求）。",
        "en": "Stepping, branching and the sampling stages continue the raw text: switch \"As a chat\" off above "
              "(/completions, one request per position).",
    },
    "remote_step.intro": {
        "zh": "每走一步，服务器收到提示词加上已选的词，只生成 1 个词（max_tokens=1），并返回这个位置概率最高的候选"
              "（logprobs）。每个位置的种子是“种子 + 位置序号”：撤销后再走一步，会抽到同一个词。",
        "en": "Each step sends the server the prompt plus the tokens taken so far and asks for one token (max_tokens=1) "
              "with the top candidates of that position (logprobs). Each position is drawn with seed + its index: undo "
              "and step again, and you get the same token.",
    },
    "remote_step.profile.llama-cpp-python": {
        "zh": "服务器：llama-cpp-python（`python -m llama_cpp.server`，本项目测试所用）。它只接受文本提示词，"
              "路径以文本发送、由服务器重新分词；候选词只有文字，半个字符的字节被丢掉，所以一个汉字的几个字节片段都叫作空串，"
              "互相覆盖。候选数不限。它把没写完的字符留住，继续生成直到字符完整，所以一步可能是几个 token。",
        "en": "Server: llama-cpp-python (`python -m llama_cpp.server`, the one this project tests). It takes text "
              "prompts only: the path is sent as text and re-tokenized by the server; candidates come with their text "
              "only, broken bytes dropped, so the byte pieces of a Chinese character are all named \"\" and overwrite "
              "each other. Any number of candidates. It holds back a half-written character and keeps generating until "
              "it is whole, so one step can be several tokens.",
    },
    "remote_step.profile.llama.cpp": {
        "zh": "服务器：llama.cpp 的 llama-server（本项目用 llama.cpp 按 llama-server 录下的回答规则测试，并在原生 "
              "llama-server 上手动核对过）。路径以 token id 发送；每个候选带 id 与字节（bytes），字节片段完整无缺。"
              "候选数不限（n_probs）。抽到的 token 停在半个字符上时，它不返回这一步的概率，本页会再问一次（见分布下方的说明）。",
        "en": "Server: llama.cpp's llama-server (tested with llama.cpp answering by llama-server's recorded rules, and "
              "checked by hand against a native llama-server). The path is sent as token ids; every candidate comes "
              "with its id and bytes, byte pieces intact. Any number of candidates (n_probs). Where the drawn token "
              "stops inside a character it withholds the step's probabilities, and the page asks again (see the note "
              "under the distribution).",
    },
    "remote_step.profile.vllm": {
        "zh": "服务器：vLLM（按其文档接口实现，本项目未在此测试）。路径以 token id 发送；候选以 token_id:N 命名"
              "（return_tokens_as_token_ids）。候选数最多为服务器的 --max-logprobs（默认 20）。",
        "en": "Server: vLLM (built to its documented API, not tested by this project). The path is sent as token ids; "
              "candidates are named token_id:N (return_tokens_as_token_ids). At most the server's --max-logprobs "
              "candidates (20 by default).",
    },
    "remote_step.profile.other": {
        "zh": "服务器类型未知（/v1/models 的 owned_by 不是 llama.cpp 或 vLLM）：路径以文本发送，最多 20 个候选。",
        "en": "Unknown server (owned_by in /v1/models names neither llama.cpp nor vLLM): the path is sent as text, at "
              "most 20 candidates.",
    },
    "remote_step.raw": {
        "zh": "这些概率是原始分布：logits 的 softmax，在任何采样处理之前（与温度、top-k、top-p、min-p 的设置无关）。",
        "en": "These probabilities are the raw distribution: the softmax of the logits, before any sampler "
              "(temperature, top-k, top-p and min-p do not change them).",
    },
    "remote_step.unknown_probs": {
        "zh": "服务器没有说明这些概率是采样之前（原始）还是之后（已截断）的；下面的各阶段按“原始”重建，可能不对。",
        "en": "The server does not say whether these probabilities are before sampling (raw) or after (truncated); the "
              "stages below treat them as raw and may be wrong.",
    },
    "remote_step.order": {
        "zh": "服务器的采样顺序：{order}。下面的各阶段用 transformers 自己的处理器，按{which}重建。",
        "en": "The server's sampler order: {order}. The stages below are rebuilt with transformers' own processors, "
              "{which}.",
    },
    "remote_step.order_unknown": {
        "zh": "服务器没有说明采样顺序；下面的各阶段用 transformers 自己的处理器，按 transformers 的顺序（温度在前）重建。",
        "en": "The server does not say its sampler order; the stages below are rebuilt with transformers' own "
              "processors in transformers' order (temperature first).",
    },
    "remote_step.order.last": {"zh": "服务器的顺序（温度最后）", "en": "in the server's order (temperature last)"},
    "remote_step.order.first": {"zh": "transformers 的顺序（温度在前）", "en": "in transformers' order (temperature first)"},
    "remote_step.no_penalty": {
        "zh": "重复惩罚需要每个词的 logit，服务器只给前几个候选，所以这里不提供（请求里设为 1.0）。",
        "en": "Repetition penalty needs every token's logit and the server gives only the top few, so it is off here "
              "(sent as 1.0).",
    },
    "remote_step.seed": {"zh": "种子", "en": "Seed"},
    "remote_step.k": {"zh": "候选数（logprobs，每次请求）", "en": "Candidates (logprobs, per request)"},
    "remote_step.step": {"zh": "抽一步", "en": "Sample one step"},
    "remote_step.greedy": {"zh": "走一步（贪心）", "en": "Take one step (greedy)"},
    "remote_step.undo": {"zh": "撤销", "en": "Undo"},
    "remote_step.reset": {"zh": "重来", "en": "Reset"},
    "remote_step.pick": {"zh": "手动选一个候选（分支）", "en": "Pick a candidate by hand (branch)"},
    "remote_step.pick_button": {"zh": "走这个词", "en": "Take this token"},
    "remote_step.cannot_pick": {
        "zh": "这个候选不能发回服务器：文本接口带不了半个字符的字节，或服务器没有给出它的名字。",
        "en": "This candidate cannot be sent back: a text API cannot carry half a character's bytes, or the server "
              "did not name it.",
    },
    "remote_step.unnamed": {"zh": "[字节片段：服务器没给名字]", "en": "[byte piece: unnamed by the server]"},
    "remote_step.merged": {
        "zh": "请求了 {asked} 个候选，服务器只返回了 {got} 个不同的名字：有 {n} 个候选被合并掉了"
              "（字节片段的文字被丢掉后都成了空串）。它们的概率算作“看不到的部分”，各阶段只是估计。",
        "en": "Asked for {asked} candidates, the server returned {got} distinct names: {n} were merged away (byte pieces "
              "all become \"\" once their broken bytes are dropped). Their probability counts as unseen, and the "
              "stages are estimates.",
    },
    "remote_step.covered": {
        "zh": "这 {k} 个候选合计占原始概率的 {mass:.1%}；其余 {rest:.1%} 在服务器没有列出的词上，计入各阶段但不画出。",
        "en": "These {k} candidates hold {mass:.1%} of the raw probability; the other {rest:.1%} is on tokens the "
              "server did not list, counted in every stage but not drawn.",
    },
    "remote_step.generated": {"zh": "已生成（点一个字看它来自的分布）", "en": "Generated (click one to see its distribution)"},
    "remote_step.nothing": {"zh": "还没有生成任何词。", "en": "Nothing generated yet."},
    "remote_step.text_so_far": {"zh": "目前的文本：", "en": "The text so far:"},
    "remote_step.ended": {"zh": "服务器在这里结束了文本（句子结束符），这个位置没有返回候选。",
                          "en": "The server ended the text here (end of sequence) and sent no candidates for this "
                                "position."},
    "remote_step.next_title": {"zh": "下一个词的分布（服务器）", "en": "Next-token distribution (server)"},
    "remote_step.drawn": {"zh": "服务器在这个位置抽到：{token}", "en": "What the server draws here: {token}"},
    "remote_step.step_title": {"zh": "第 {step} 步：{token}（{how}，原始概率 {p}）",
                               "en": "Step {step}: {token} ({how}, raw probability {p})"},
    "remote_step.several_tokens": {
        "zh": "这一步是 {n} 个 token：服务器把没写完的字符留住，直到字符完整才返回。下图是第一个 token 位置的分布。",
        "en": "This step is {n} tokens: the server held back a half-written character until it was whole. The chart "
              "shows the distribution at the first of them.",
    },
    "remote_step.back": {"zh": "回到当前位置", "en": "Back to the current position"},
    "remote_step.col.stage": {"zh": "阶段", "en": "Stage"},
    "remote_step.col.exact": {"zh": "精确吗", "en": "Exact?"},
    "remote_step.col.outside": {"zh": "不在候选中的概率", "en": "Probability off the candidates"},
    "remote_step.col.token": {"zh": "候选词", "en": "Candidate"},
    "remote_step.col.id": {"zh": "id", "en": "id"},
    "remote_step.exact": {"zh": "精确", "en": "exact"},
    "remote_step.range": {"zh": "范围（取决于看不到的词）", "en": "a range (depends on the unseen tokens)"},
    "remote_step.stages_note": {
        "zh": "看不到的词被建模两次：挤在最后一个候选之下的几个词，或摊到 2^18 个极小的词上。两种结果一致的阶段是精确的；"
              "否则表格给出两者之间的范围，图按第一种画。",
        "en": "The unseen tokens are modelled twice: packed into a few tokens just below the last candidate, or spread "
              "thin over 2^18 tokens. Where both agree the stage is exact; elsewhere the table gives the range between "
              "them and the chart draws the first.",
    },
    "remote_step.table_title": {"zh": "候选表（每个阶段的概率）", "en": "Candidate table (probability after each stage)"},
    "remote_step.error.draw_unseen": {
        "zh": "llama-server 在这里抽到了一个不完整的 UTF-8 字节片段，它不返回这个片段的概率，而这个片段也不在概率最高的 {n} "
              "个候选词里，所以无法显示。可以从候选词中选一个分支，或者调低温度、设置 top-k 后再走一步。",
        "en": "llama-server drew an incomplete UTF-8 byte piece here and withholds its probability, and the piece is not "
              "among the {n} most likely candidates either, so it cannot be shown. Branch to a candidate instead, or "
              "lower the temperature or set top-k and step again.",
    },
    "remote_step.withheld": {
        "zh": "llama-server 在这里抽到的是半个字符的字节片段，它不返回这种 token 的概率。本页把同一个请求再发一次，用 "
              "logit_bias 强制抽一个完整的词（\"a\"）：logit_bias 只影响抽样、不改原始概率，所以这里的候选和概率仍是这个"
              "位置的原样；这一步抽到的 token 则由 /completion 的 return_tokens 取得（同一种子，同一次抽样）。",
        "en": "llama-server drew a byte piece here, half a character, and withholds the probabilities of such a token. "
              "The page sent the same request again with a logit_bias that forces a whole token (\"a\"): logit_bias only "
              "steers the draw and leaves the raw probabilities alone, so the candidates shown are this position's own; "
              "the drawn token itself comes from /completion's return_tokens (same seed, same draw).",
    },
}
