"""The tutorial's Gradio image-story app as a Hugging Face Space, fixed for today's libraries: a zip with app.py (the
tutorial's UI, prompt and settings; BLIP through its model classes, translation through MarianMTModel + generate,
Qwen2 without trust_remote_code, gTTS with an offline espeak-ng fallback, the 3-day audio cleanup), a pinned
requirements.txt (PyTorch's CPU build on Linux), packages.txt, the Space README's YAML front matter, and three
example images with the tutorial's presets.

Every value put into app.py is written as a Python literal (`repr`), never pasted as code.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from string import Template

from hflab.i18n import t
from hflab.loading.roles import ROLES
from hflab.snippet.notebook import requirement_pins

BUNDLE_NAME = "image-story-space"
GRADIO_VERSION = "6.31.0"  # the Space's sdk_version: the Gradio the bundle's app.py is tested with
PILLOW_FOR_GRADIO = "12.3.0"  # Gradio 6.31 requires pillow<13 (the lab itself runs Pillow 13)
PYTHON_VERSION = "3.11"
# a page that lists PyTorch's CPU wheels: `torch==X` then resolves to X+cpu on Linux (not the multi-GB CUDA build)
TORCH_CPU_LINKS = "--find-links https://download.pytorch.org/whl/cpu/torch/"
# what the Space installs besides Gradio (its SDK brings that), pinned as this lab runs them
PINNED = ("torch", "transformers", "tokenizers", "huggingface_hub", "safetensors", "sentencepiece", "sacremoses",
          "numpy", "gTTS")
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "story" / "examples"
# the tutorial's three presets (故事最大字数, 风格, 创意值), on the lab's public-domain / CC0 photos
EXAMPLES = (("chelsea.jpg", 300, "温馨", 5), ("rocket.jpg", 400, "童话", 8), ("astronaut.jpg", 200, "爱情", 7))

_APP = Template('''\
"""图片转故事与音频生成器: the image-story app of the Hugging Face tutorial (its UI, prompt and settings), fixed for
transformers 5 and Gradio 6 by HF Lab's Learning path (把教程的应用带回家)."""
import os
import shutil
import subprocess
import uuid  # 生成唯一音频文件名,防止覆盖
from datetime import datetime  # 辅助清理旧文件

import gradio as gr
import torch
from gtts import gTTS
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BlipForConditionalGeneration,
    BlipProcessor,
    MarianMTModel,
    MarianTokenizer,
)

# the tutorial's models; a Space variable of the same name swaps one (Settings -> Variables and secrets)
CAPTION_MODEL = os.environ.get("CAPTION_MODEL", $caption_id)
TRANSLATION_MODEL = os.environ.get("TRANSLATION_MODEL", $translation_id)
STORY_MODEL = os.environ.get("STORY_MODEL", $story_id)
ESPEAK_VOICE = "cmn-latn-pinyin"  # espeak-ng's Mandarin voice (its plain "cmn" reads tone digits aloud)
NO_IMAGE = "请上传一张图片"
UNREADABLE = "图片内容无法识别,请尝试另一张图片"
NO_STORY = "请先上传有效图片生成描述"

# ---------------------- 关键:创建音频持久化存储目录 ----------------------
AUDIO_SAVE_DIR = "./generated_audio_files"
os.makedirs(AUDIO_SAVE_DIR, exist_ok=True)  # 目录不存在则自动创建

# ---------------------- 模型加载 ----------------------
device = "cuda" if torch.cuda.is_available() else "cpu"
dtype = torch.float16 if device == "cuda" else torch.float32  # transformers 5: dtype=, no longer torch_dtype=
processor = BlipProcessor.from_pretrained(CAPTION_MODEL)
model = BlipForConditionalGeneration.from_pretrained(CAPTION_MODEL, dtype=dtype).to(device)
# transformers 5 has no pipeline("translation"): the Marian model and generate, loaded once (not on every caption)
translator_tokenizer = MarianTokenizer.from_pretrained(TRANSLATION_MODEL)
translator = MarianMTModel.from_pretrained(TRANSLATION_MODEL).to(device)
# Qwen2 is built into transformers: no trust_remote_code, which would run any code the repository ships
tokenizer = AutoTokenizer.from_pretrained(STORY_MODEL)
story_model = AutoModelForCausalLM.from_pretrained(STORY_MODEL, dtype=dtype).to(device)
# 确保 tokenizer 有 pad_token(避免生成时报错)
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token


# ---------------------- 核心功能函数 ----------------------
def translate(text):
    """英文描述翻译成中文(Marian + generate,教程的 max_length=50)"""
    inputs = translator_tokenizer([text], return_tensors="pt", truncation=True).to(device)
    ids = translator.generate(**inputs, max_length=50)
    return translator_tokenizer.decode(ids[0], skip_special_tokens=True)


def generate_caption(image):
    """根据图片生成中文描述"""
    if image is None:
        return NO_IMAGE
    inputs = processor(image, return_tensors="pt").to(device, dtype=dtype)
    out = model.generate(**inputs, max_length=50, num_beams=3)  # Beam Search 提升描述质量
    caption = processor.decode(out[0], skip_special_tokens=True)
    # 确保描述为中文(BLIP 基础版可能输出英文)
    if not any("\\u4e00" <= c <= "\\u9fff" for c in caption):
        try:
            caption = translate(caption)
        except Exception as e:
            print(f"翻译失败: {e}")
            caption = UNREADABLE
    return caption


def generate_story(caption, max_length, style, creativity):
    """根据描述生成指定风格的中文故事"""
    if not caption or caption in (NO_IMAGE, UNREADABLE):
        return NO_STORY
    max_length = int(max_length)  # a Gradio slider may hand over a float: slicing and generate need an int
    # 创意值映射为 temperature(0→保守,10→奔放)
    temperature = max(0.3, min(2.0, 0.3 + (creativity / 10) * 1.7))
    # 优化提示词(适配 Qwen 模型,避免跑题)
    prompt = f"""任务:根据图片描述写{style}风格故事
要求:1. 纯中文;2. 字数控制在{max_length}字左右;3. 符合风格特点,语句通顺
图片描述:{caption}
故事:"""
    inputs = tokenizer(prompt, return_tensors="pt", truncation=True, max_length=512).to(device)
    outputs = story_model.generate(
        **inputs,
        max_new_tokens=max_length,
        temperature=temperature,
        do_sample=True,
        top_p=0.9,  # 平衡创意与逻辑
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    # only the new tokens: a decoded prompt need not match the prompt text character for character
    story = tokenizer.decode(outputs[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    # 截断过长故事并补充结尾
    if len(story) > max_length:
        story = story[:max_length].rsplit("。", 1)[0] + "......(故事已截断以符合字数要求)"
    return story


def speak_offline(text, unique_id):
    """gTTS needs Google's servers: espeak-ng (packages.txt) speaks offline, as a WAV file. None when it is missing."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        print("音频生成失败: gTTS 连不上服务器,也没有 espeak-ng(把 espeak-ng 写进 packages.txt)")
        return None
    audio_path = os.path.join(AUDIO_SAVE_DIR, f"story_audio_{unique_id}.wav")
    subprocess.run([binary, "-v", ESPEAK_VOICE, "-w", audio_path, "--stdin"], input=text.encode("utf-8"),
                   capture_output=True, timeout=300, check=True)
    return audio_path


def text_to_speech(text):
    """将故事文本转为音频(gTTS 的 MP3;连不上时用 espeak-ng 的 WAV),持久化存储,支持试听/下载"""
    if not text or text == NO_STORY:
        return None
    # 生成唯一文件名(避免多轮生成覆盖,格式:时间+随机ID)
    unique_id = f"{datetime.now().strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:8]}"
    try:
        audio_path = os.path.join(AUDIO_SAVE_DIR, f"story_audio_{unique_id}.mp3")
        gTTS(text=text, lang="zh-CN", slow=False).save(audio_path)  # slow=False 语速正常,提升听感
    except Exception as e:
        print(f"gTTS 失败,改用离线的 espeak-ng: {e}")
        try:
            audio_path = speak_offline(text, unique_id)
        except Exception as offline_error:
            print(f"音频生成失败: {offline_error}")
            return None
    # 清理3天前的旧音频(避免目录占用过大)
    clean_old_audio(days=3)
    return audio_path


def clean_old_audio(days=3):
    """清理指定天数前的旧音频文件"""
    now = datetime.now()
    for filename in os.listdir(AUDIO_SAVE_DIR):
        if filename.endswith((".mp3", ".wav")):
            file_path = os.path.join(AUDIO_SAVE_DIR, filename)
            file_mtime = datetime.fromtimestamp(os.path.getmtime(file_path))
            if (now - file_mtime).days >= days:
                os.remove(file_path)
                print(f"已清理旧音频:{filename}")


def process_image(image, max_length, style, creativity):
    """端到端处理:图片→描述→故事→音频"""
    try:
        caption = generate_caption(image)
        story = generate_story(caption, max_length, style, creativity)
        audio = text_to_speech(story)
        return caption, story, audio
    except Exception as e:
        error_msg = f"处理出错: {str(e)[:100]}"  # 限制错误信息长度,避免界面混乱
        return error_msg, "", None


# ---------------------- Gradio 界面(重点配置音频控件) ----------------------
with gr.Blocks(title="图片转故事与音频") as demo:  # Gradio 6: the theme goes to launch()
    gr.Markdown("# 🌟 图片转故事与音频生成器")
    gr.Markdown("上传图片 → 生成中文描述 → 定制风格故事 → 试听/下载音频")
    with gr.Row():
        # 左侧:输入与参数配置区
        with gr.Column(scale=1, min_width=300):
            image_input = gr.Image(type="pil", label="上传图片", height=280, show_label=True, interactive=True)
            # 参数配置折叠面板(更简洁)
            with gr.Accordion("📝 故事参数设置", open=True):
                max_length = gr.Slider(minimum=50, maximum=1000, value=300, step=50, label="故事最大字数",
                                       info="建议 200-500 字(生成更快)")
                style = gr.Dropdown(choices=["搞笑", "武侠", "爱情", "动作", "科幻", "悬疑", "奇幻", "温馨", "恐怖",
                                             "冒险", "童话"],
                                    value="温馨", label="故事风格", interactive=True)
                creativity = gr.Slider(minimum=0, maximum=10, value=5, step=1, label="创意值(0-10)",
                                       info="0=保守常规 | 10=脑洞大开")
            generate_btn = gr.Button("🚀 生成描述+故事+音频", variant="primary", size="lg")
        # 右侧:输出区(重点配置音频控件)
        with gr.Column(scale=2, min_width=500):
            # Gradio 6: buttons=["copy"] replaces show_copy_button=True
            caption_output = gr.Textbox(label="🖼️ 图片描述", lines=2, interactive=False, buttons=["copy"])
            story_output = gr.Textbox(label="📖 生成的故事", lines=12, interactive=False, buttons=["copy"])
            # type="filepath": Gradio plays the saved file; buttons=["download"] replaces show_download_button
            audio_output = gr.Audio(label="🎵 故事音频(可试听/下载)", type="filepath", interactive=True,
                                    buttons=["download"], autoplay=False)
    # 绑定生成按钮事件(显示进度条,提升体验)
    generate_btn.click(fn=process_image, inputs=[image_input, max_length, style, creativity],
                       outputs=[caption_output, story_output, audio_output], show_progress="full", queue=True)
    # 示例数据(帮助用户快速测试功能); a Space caches examples: "lazy" runs each on its first click, not all three
    # before the app opens
    gr.Examples(examples=$examples, inputs=[image_input, max_length, style, creativity],
                outputs=[caption_output, story_output, audio_output], fn=process_image, cache_mode="lazy",
                label="💡 点击示例快速测试")

# ---------------------- 启动配置 ----------------------
if __name__ == "__main__":
    demo.launch(theme=gr.themes.Soft(), server_name="0.0.0.0", server_port=7860)
''')

_README_FRONT = Template('''\
---
title: 图片转故事与音频
emoji: 🌟
colorFrom: yellow
colorTo: pink
sdk: gradio
sdk_version: $gradio
python_version: "$python"
app_file: app.py
pinned: false
license: mit
preload_from_hub:
$models
---
''')


def model_ids() -> tuple[str, str, str]:
    """The tutorial's caption, translation and story models (the roles' defaults, whatever this lab is set to)."""
    return ROLES["caption"].default_id, ROLES["translation"].default_id, ROLES["causal_lm"].default_id


def app_py() -> str:
    """The bundle's app.py."""
    caption_id, translation_id, story_id = model_ids()
    examples = [[f"./example_images/{name}", chars, style, creativity] for name, chars, style, creativity in EXAMPLES]
    return _APP.substitute(caption_id=repr(caption_id), translation_id=repr(translation_id),
                           story_id=repr(story_id), examples=repr(examples))


def requirements_txt() -> str:
    """Pinned requirements: this lab's versions, PyTorch's CPU build on Linux, the Pillow that Gradio accepts."""
    pins = requirement_pins()
    lines = [TORCH_CPU_LINKS]
    lines += [f"{name}=={pins[name.lower().replace('_', '-')]}" for name in PINNED]
    lines.append(f"Pillow=={PILLOW_FOR_GRADIO}")
    return "\n".join(lines) + "\n"


def readme_md(lang: str) -> str:
    """The Space's README.md: the YAML front matter the Space reads (SDK, Gradio version, models to download while
    building), then what the app is and what was changed, in `lang`."""
    caption_id, translation_id, story_id = model_ids()
    models = "\n".join(f"  - {model}" for model in model_ids())
    front = _README_FRONT.substitute(gradio=GRADIO_VERSION, python=PYTHON_VERSION, models=models)
    body = t("learn.space.readme", lang, caption=caption_id, translation=translation_id, story=story_id,
             gradio=GRADIO_VERSION)
    return front + "\n" + body + "\n"


def bundle_files(lang: str) -> dict[str, bytes]:
    """Every file of the bundle, path -> bytes."""
    files = {
        "app.py": app_py().encode("utf-8"),
        "requirements.txt": requirements_txt().encode("utf-8"),
        "packages.txt": b"espeak-ng\n",  # apt packages: the offline voice gTTS falls back to
        "README.md": readme_md(lang).encode("utf-8"),
        "example_images/README.md": (EXAMPLES_DIR / "README.md").read_bytes(),
    }
    for name, *_preset in EXAMPLES:
        files[f"example_images/{name}"] = (EXAMPLES_DIR / name).read_bytes()
    return files


def bundle_zip(lang: str) -> bytes:
    """The bundle as a zip (files at its root: unzip it into the folder you upload)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in bundle_files(lang).items():
            archive.writestr(path, data)
    return buffer.getvalue()
