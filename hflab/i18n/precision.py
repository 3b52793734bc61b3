"""Strings of the CPU weight-format choice (fp32 / fp16 / int8) for the causal LM."""

STRINGS = {
    "precision.label": {"zh": "CPU 上的权重格式", "en": "Weight format on CPU"},
    "precision.note.fp32": {
        "zh": "fp32：模型原样加载，页面显示的就是模型本身的计算结果。fp16 更快且分布几乎不变；int8 最快但是近似。",
        "en": "fp32: the model as loaded; the page shows exactly what it computes. fp16 is faster with the same "
              "distribution; int8 is fastest but approximate.",
    },
    "precision.help": {
        "zh": "CPU 上逐词生成的速度受内存带宽限制：每生成一个词都要把全部权重读一遍，权重字节越少越快。"
              "这里用 torch 自带的动态量化（torch.ao.quantization.quantize_dynamic）转换所有 nn.Linear 层；"
              "归一化层保持 fp32；词嵌入表保持 fp32，若检查点以半精度存储（如 Qwen2 的 bf16）则保持原宽度，"
              "查出的向量再转成 fp32（结果完全相同，省下一半字节）。",
        "en": "On a CPU, decoding speed is bound by memory bandwidth: every new token reads all weights once, so "
              "fewer bytes per weight means more tokens per second. The Linear layers are converted with torch's "
              "own dynamic quantization (torch.ao.quantization.quantize_dynamic); norms stay fp32, and so does the "
              "embedding table, unless the checkpoint is stored in half precision (Qwen2: bf16): then the table keeps "
              "that width and each looked-up row is widened to fp32 (the same result, half the bytes).",
    },
    "precision.note.fp16": {
        "zh": "fp16 权重、fp32 计算：权重只占一半字节。实测（bench/quantize_cpu.py，2 核 CPU）SmolLM2 约快 1.5 倍，"
              "下一个词的分布与 fp32 的 KL 散度约为 0。",
        "en": "fp16 weights, fp32 arithmetic: half the bytes. Measured (bench/quantize_cpu.py, 2-core CPU): about 1.5x "
              "faster on SmolLM2, next-token distribution KL ~0 against fp32.",
    },
    "precision.note.int8": {
        "zh": "int8 权重、激活按张量动态量化：权重约为四分之一字节，但分布会移动。MLP 的 down_proj 层输入里有上千的离群值，"
              "所以保持 fp16。每层的 q/k/v 与 gate/up 各合成一次 int8 矩阵乘法（结果与分开计算完全相同，调用更少）。"
              "实测（bench/quantize_cpu.py）SmolLM2 的 KL 散度平均约 0.2 nats；"
              "概率和生成结果与 fp32 模型不同，只适合追求速度时使用。",
        "en": "int8 weights, activations quantized per tensor on the fly: about a quarter of the bytes, but the "
              "distribution moves. The MLP down_proj layers, whose inputs carry outliers in the thousands, stay fp16. "
              "Each layer's q/k/v and gate/up run as one int8 product each (exactly the separate results, fewer "
              "calls). "
              "Measured (bench/quantize_cpu.py): mean KL about 0.2 nats on SmolLM2; probabilities and generations "
              "differ from the fp32 model, so use it only when speed matters more.",
    },
    "precision.code_note": {
        "zh": "这段代码加载 fp32 模型；本页现在用 {precision} 权重运行，所以概率（int8 时还有生成的词）可能与代码的结果不同。",
        "en": "This code loads the fp32 model; the page is running it with {precision} weights, so probabilities "
              "(and with int8 also the generated tokens) can differ from what the code gives.",
    },
    "precision.why_default": {
        "zh": "默认用 {default}：以 fp32 加载这个模型约需 {need} MB（fp32 权重，加上加载时读入的 bf16/fp16 原文件），"
              "超过了内存预算 {budget} MB（HFLAB_MEMORY_BUDGET_MB）。{default} 逐层转换，不会同时占用整份 fp32 模型。",
        "en": "{default} by default: loading this model in fp32 needs about {need} MB (the fp32 weights plus the "
              "bf16/fp16 files read while loading), over the memory budget of {budget} MB (HFLAB_MEMORY_BUDGET_MB). "
              "{default} converts one layer at a time and never holds the whole fp32 model.",
    },
    "precision.fp32_over_budget": {
        "zh": "以 fp32 加载这个模型约需 {need} MB，超过内存预算 {budget} MB：加载会被拒绝。请选 {default}，"
              "或调大 HFLAB_MEMORY_BUDGET_MB（机器内存足够时）。",
        "en": "Loading this model in fp32 needs about {need} MB, over the memory budget of {budget} MB: the load will be "
              "refused. Pick {default}, or raise HFLAB_MEMORY_BUDGET_MB (when the machine has the memory).",
    },
}
