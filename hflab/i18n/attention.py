"""Attention strings both pages use (the Tokenizer page's encoder, the Sampling page's causal LM): hflab.attention's
messages, the pickers, the chart titles, the per-head summary columns (components.attention_view, attention_chart)."""

STRINGS = {
    "attention.capped": {
        "zh": "注意力只算前 {shown} 个 token（整段共 {total} 个），这样热力图还看得清。",
        "en": "Attention covers the first {shown} of {total} tokens, so that the heatmap stays readable.",
    },
    "attention.too_long": {
        "zh": "输入有 {tokens} 个 token，超过了模型的 {limit} 个位置。",
        "en": "The input has {tokens} tokens, more than the model's {limit} positions.",
    },
    "attention.unavailable": {
        "zh": "{model} 不返回注意力权重（{error}），这里没有可画的注意力。",
        "en": "{model} returns no attention weights ({error}), so there is no attention to draw.",
    },
    "attention.flat": {
        "zh": "这个模型还没学会“注意”：每个头都把注意力几乎平均地分给所有 token（离平均分配最远的头也只差 {distance}%），"
              "所以热力图是一块颜色均匀的方块。模型是随机初始化的，或者几乎没有训练过（比如从零训练只跑了几步）。"
              "训练好的模型里，各个头有分工：有的看前一个 token，有的看第一个 token 或 [SEP]。",
        "en": "This model has not learned to attend yet: every head spreads its attention almost evenly over the tokens "
              "(even the least even head is only {distance}% away from an even spread), so the heatmap is a flat "
              "square. The model is randomly initialised or barely trained (e.g. trained from scratch for a few "
              "steps). In a trained model the heads specialise: some look at the previous token, others at the "
              "first token or [SEP].",
    },
    "attention.thinned": {
        "zh": "{n} 个 token：坐标轴上每 {step} 个 token 标一个，悬停在格子上可以看到每个 token。",
        "en": "{n} tokens: the axes label one token in {step}; hover over a cell to see each token.",
    },
    "attention.layer": {"zh": "层", "en": "Layer"},
    "attention.head": {"zh": "注意力头", "en": "Head"},
    "attention.heatmap": {
        "zh": "第 {layer} 层第 {head} 个头：每一行是一个查询 token，颜色是它分给各列 token 的权重",
        "en": "Layer {layer}, head {head}: each row is a query token, the colour is the weight it gives each column's token",
    },
    "attention.heads": {
        "zh": "第 {layer} 层的全部 {n} 个头（同一个色标，悬停看 token）",
        "en": "All {n} heads of layer {layer} (one colour scale; hover for the tokens)",
    },
    "attention.col.head": {"zh": "头", "en": "head"},
    "attention.col.first": {"zh": "第一个 token", "en": "first token"},
    "attention.col.cls": {"zh": "[CLS]", "en": "[CLS]"},
    "attention.col.sep": {"zh": "[SEP]", "en": "[SEP]"},
    "attention.col.previous": {"zh": "前一个 token", "en": "previous token"},
    "attention.col.itself": {"zh": "自己", "en": "itself"},
    "attention.chart.query": {"zh": "查询 token", "en": "query token"},
    "attention.chart.key": {"zh": "被关注的 token", "en": "attended token"},
    "attention.chart.weight": {"zh": "权重", "en": "weight"},
    "attention.chart.head": {"zh": "头", "en": "head"},
}
