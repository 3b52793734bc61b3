"""Strings of the remote generation backend (OpenAI-compatible server)."""

STRINGS = {
    "remote.backend_remote": {"zh": "使用远程服务器生成（OpenAI 兼容接口）", "en": "Generate on a remote server (OpenAI-compatible API)"},
    "remote.backend_help": {
        "zh": "远程服务器可以是 vLLM、llama.cpp 的 llama-server、TGI、Hugging Face 的推理端点与推理服务商，或 `transformers serve`。",
        "en": "The server can be vLLM, llama.cpp server, TGI, Hugging Face Inference Endpoints / Providers, or transformers serve.",
    },
    "remote.settings": {"zh": "远程服务器设置", "en": "Remote server settings"},
    "remote.base_url": {"zh": "服务器地址（例如 `http://127.0.0.1:8000/v1`）", "en": "Base URL (e.g. `http://127.0.0.1:8000/v1`)"},
    "remote.model": {"zh": "模型名", "en": "Model name"},
    "remote.api_key": {"zh": "密钥（可留空）", "en": "API key (may be empty)"},
    "remote.api_key_required": {"zh": "访问令牌（必填：Hugging Face 的推理服务拒绝匿名调用）", "en": "Access token (required: Hugging Face's inference services refuse anonymous calls)"},
    "remote.api_key_help": {
        "zh": "只在本会话中使用，不会显示或记录。管理员在 secrets 中配置的密钥只会发给管理员配置的地址。",
        "en": "Used for this session only, never shown or logged. The operator's key from secrets is only ever sent to the operator's URL.",
    },
    "remote.from_settings": {"zh": "来自设置 / secrets：{url}，模型 {model}", "en": "From settings / secrets: {url}, model {model}"},
    "remote.not_configured": {
        "zh": "尚未配置远程服务器：在上面填写，或设置 HFLAB_REMOTE_BASE_URL 与 HFLAB_REMOTE_MODEL（环境变量或 st.secrets）。",
        "en": "No remote server configured: fill in the fields above, or set HFLAB_REMOTE_BASE_URL and HFLAB_REMOTE_MODEL (env or st.secrets).",
    },
    "remote.check": {"zh": "测试连接", "en": "Test connection"},
    "remote.check_ok": {"zh": "连接成功，服务器列出的模型：{models}", "en": "Connected. Models the server lists: {models}"},
    "remote.check_ok_unlisted": {"zh": "连接成功（服务器没有列出模型）。", "en": "Connected (the server lists no models)."},
    "remote.using": {"zh": "使用远程服务器：{url}，模型 {model}", "en": "Using remote server: {url}, model {model}"},
    "remote.top_note": {
        "zh": "服务器只返回概率最高的前 {k} 个候选词（top_logprobs，最多 20 个），不是整个词汇表上的分布；这些候选合计占 {mass:.1%} 的概率，其余分布在看不到的词上。",
        "en": "The server returns only the top {k} candidates (top_logprobs, at most 20), not the distribution over the full vocabulary; together they hold {mass:.1%} of the probability, the rest is spread over tokens you cannot see.",
    },
    "remote.top_chosen": {"zh": "服务器选中的下一个词：{token}", "en": "Next token the server picked: {token}"},
    "remote.withheld": {
        "zh": "llama-server 在这里选中的是半个字符的字节片段，它不返回这种 token 的概率。本页把同一个请求再发一次，用 "
              "logit_bias 强制选一个完整的词（\"a\"）：logit_bias 只影响抽样、不改原始概率，所以下面的候选和概率仍是这个"
              "位置的原样；温度为 0 时服务器选中的就是概率最高的候选。",
        "en": "llama-server picked a byte piece here, half a character, and withholds the probabilities of such a "
              "token. The page sent the same request again with a logit_bias that forces a whole token (\"a\"): "
              "logit_bias only steers the pick and leaves the raw probabilities alone, so the candidates below are this "
              "position's own; at temperature 0 the server's pick is the most likely candidate.",
    },
    "remote.col_token": {"zh": "候选词", "en": "Candidate"},
    "remote.col_prob": {"zh": "概率", "en": "Probability"},
    "remote.col_logprob": {"zh": "对数概率", "en": "Log-probability"},
    "remote.top_k": {"zh": "候选数（top_logprobs）", "en": "Candidates (top_logprobs)"},
    "remote.as_chat": {
        "zh": "作为对话（/chat/completions）；关闭则续写原文（/completions，vLLM 与 llama.cpp 支持）",
        "en": "As a chat (/chat/completions); off: continue the raw text (/completions, vLLM and llama.cpp)",
    },
    "remote.error.no_url": {"zh": "没有填写服务器地址。", "en": "No server address (base URL) is set."},
    "remote.error.bad_url": {"zh": "服务器地址必须以 http:// 或 https:// 开头。", "en": "The server address must start with http:// or https://."},
    "remote.error.no_model": {"zh": "没有填写模型名。", "en": "No model name is set."},
    "remote.error.no_key": {"zh": "Hugging Face 的推理服务需要访问令牌：在 https://huggingface.co/settings/tokens 创建一个（读权限即可），填在上面的“访问令牌”里。不带令牌的调用会被拒绝（HTTP 401）。", "en": "Hugging Face's inference services need an access token: create one (Read is enough) at https://huggingface.co/settings/tokens and paste it into \"Access token\" above. Calls without one are refused (HTTP 401)."},
    "remote.error.down": {
        "zh": "连不上远程服务器：它可能没有启动，或地址 / 端口不对。",
        "en": "Cannot reach the remote server: it may be down, or the address / port is wrong.",
    },
    "remote.error.timeout": {
        "zh": "远程服务器响应太慢，已超时放弃。可以稍后再试，或调大 HFLAB_REMOTE_TIMEOUT_S。",
        "en": "The remote server is too slow and the request timed out. Try again later, or raise HFLAB_REMOTE_TIMEOUT_S.",
    },
    "remote.error.auth": {"zh": "服务器拒绝了密钥（HTTP {status}）。", "en": "The server rejected the API key (HTTP {status})."},
    "remote.error.unknown_model": {
        "zh": "服务器上没有这个模型名，请检查模型名。",
        "en": "The server does not know this model name; check it.",
    },
    "remote.error.busy": {"zh": "服务器繁忙（HTTP 429），请稍后再试。", "en": "The server is busy (HTTP 429); try again later."},
    "remote.error.http": {"zh": "服务器返回错误（HTTP {status}）。", "en": "The server returned an error (HTTP {status})."},
    "remote.error.garbage": {
        "zh": "服务器返回的内容不是有效的 OpenAI 格式，可能不是 OpenAI 兼容接口（服务器地址通常以 /v1 结尾）。",
        "en": "The server's reply is not valid OpenAI-format data; it may not be an OpenAI-compatible API (the base URL usually ends in /v1).",
    },
    "remote.error.no_logprobs": {
        "zh": "这个服务器不返回 logprobs / top_logprobs（例如 transformers serve 会忽略它们），所以无法显示候选词。",
        "en": "This server does not return logprobs / top_logprobs (transformers serve, for example, ignores them), so no candidates can be shown.",
    },
    "remote.error.detail": {"zh": "服务器的原话：{detail}", "en": "The server said: {detail}"},
    "remote.error.host_refused": {
        "zh": "不允许连接这个地址：{host}。出于安全考虑，手动输入的地址不能指向内网、本机或云元数据地址；管理员可以在 HFLAB_REMOTE_ALLOWED_HOSTS 中列出允许的主机。",
        "en": "Connecting to this address is not allowed: {host}. For safety, a typed address may not point at a private network, this machine or a cloud metadata address; the operator can list allowed hosts in HFLAB_REMOTE_ALLOWED_HOSTS.",
    },
    "remote.error.host_unresolved": {
        "zh": "找不到这个主机名：{host}。请检查地址拼写与网络。",
        "en": "This host name cannot be resolved: {host}. Check the address and the network.",
    },
    "remote.check_cached": {
        "zh": "上次用同样的设置测试失败了，结果如下；修改设置后会重新测试。",
        "en": "The last test with these same settings failed, as below; change the settings to test again.",
    },
    "remote.error.reply_too_big": {
        "zh": "远程服务器的回复超过 {size}，已停止读取。正常的回复远小于这个上限；管理员可以用 HFLAB_REMOTE_MAX_REPLY_MB 调整。",
        "en": "The remote server's reply is larger than {size}, so the lab stopped reading it. A normal reply is far smaller; the operator can change the limit with HFLAB_REMOTE_MAX_REPLY_MB.",
    },
    "remote.error.stream_too_big": {
        "zh": "远程服务器流式发送的内容超过 {size}，已关闭连接。一个故事只有几 KB；管理员可以用 HFLAB_REMOTE_MAX_STREAM_MB 调整。",
        "en": "The remote server streamed more than {size}, so the lab closed the connection. A story is a few KB; the operator can change the limit with HFLAB_REMOTE_MAX_STREAM_MB.",
    },
    "remote.failure_cached": {
        "zh": "{seconds} 秒前用同样的设置请求失败了，这里显示的是那次的结果，没有再次联系服务器；{retry} 秒后或修改设置后会重新请求。",
        "en": "The same request failed {seconds} s ago with these settings; its result is shown again without contacting the server. It is tried again after {retry} s or when the settings change.",
    },
}
