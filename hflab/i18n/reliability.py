"""Strings for limits, hostile input and other reliability messages shared by every page."""

STRINGS = {
    "reliability.cap.text_chars": {"zh": "最多 {n:,} 个字符", "en": "At most {n:,} characters"},
    "reliability.cap.batch_texts": {"zh": "每批最多 {n:,} 条", "en": "At most {n:,} texts per batch"},
    "reliability.cap.new_tokens": {"zh": "最多生成 {n:,} 个 token", "en": "At most {n:,} new tokens"},
    "reliability.cap.variants": {"zh": "最多 {n} 个变体", "en": "At most {n} variants"},
    "reliability.cap.upload_mb": {"zh": "文件最大 {n} MB", "en": "Files up to {n} MB"},
    "reliability.upload_hint": {
        "zh": "上传框里的英文是控件自带的文字：点 \"Upload\"（上传）选择文件，或把文件拖进框里；"
              "\"{n}MB per file\" 的意思是每个文件最大 {n} MB。",
        "en": "Click Upload in the box or drop a file on it; each file can be up to {n} MB.",
    },
    "reliability.caps": {"zh": "上限：{caps}（公共部署可在设置中调整）", "en": "Limits: {caps} (adjustable in a deployment's settings)"},
    "reliability.text_too_long": {
        "zh": "文本太长：{length:,} 个字符，上限是 {limit:,}（HFLAB_MAX_TEXT_CHARS）。请缩短后再试。",
        "en": "The text is too long: {length:,} characters, the limit is {limit:,} (HFLAB_MAX_TEXT_CHARS). Please shorten it.",
    },
    "reliability.text_empty": {"zh": "请输入文本（不能为空或只有空白）。", "en": "Please enter some text (not empty or only whitespace)."},
    "reliability.too_many_texts": {
        "zh": "条数太多：{count:,} 条，上限是 {limit:,}（HFLAB_MAX_BATCH_TEXTS）。只处理前 {limit:,} 条。",
        "en": "Too many texts: {count:,}, the limit is {limit:,} (HFLAB_MAX_BATCH_TEXTS). Only the first {limit:,} are used.",
    },
    "reliability.too_many_tokens": {
        "zh": "生成长度 {asked:,} 超过上限 {limit:,}（HFLAB_MAX_NEW_TOKENS），已改为 {limit:,}。",
        "en": "{asked:,} new tokens is over the limit of {limit:,} (HFLAB_MAX_NEW_TOKENS); using {limit:,}.",
    },
}
