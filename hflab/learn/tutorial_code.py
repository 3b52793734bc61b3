# ruff: noqa: E501
"""The tutorial's own code, verbatim: its lines in its order with its Chinese comments, only the indentation the
page it was copied from lost put back (and a blank line between functions). Its local Windows paths and its
redacted token placeholder stay as the tutorial printed them: they are part of what the learner compares.

A chapter whose section of the tutorial has no code has no entry; `hflab.learn.code.MODERN` holds the same
steps in transformers 5.
"""
from __future__ import annotations

from hflab.learn.code import Snippet

_ECOSYSTEM = '''\
pip install transformers
pip install transformers datasets tokenizers'''

_PIPELINE = '''\
from transformers import BertTokenizer, BertForSequenceClassification
from transformers import pipeline
# 加载模型和分词器
# model_name = "ckiplab/bert-base-chinese-pos"
model_name = r"D:\\learn\\learncode\\huggingface\\demo_4\\trasnFormers_test\\model\\bert-base-chinese\\models--bert-base-chinese\\snapshots\\c30a6ed22ab4564dc1e3b2ecbf6e766b0611a33f"
model = BertForSequenceClassification.from_pretrained(model_name)
tokenizer = BertTokenizer.from_pretrained(model_name)
# 创建分类 pipeline
classifier = pipeline("text-classification", model=model, tokenizer=tokenizer,device="cpu")
# 进行分类
result = classifier("你好,我是一款语言模型")
print(result)
print(model)'''

_DATASETS_1 = '''\
from datasets import load_dataset, load_from_disk
data_dir = "D:\\data\\datasets"
dataset = load_dataset("lansinuote/ChnSentiCorp", cache_dir=data_dir)
print(dataset)
# 必须要执行本地保存, 直接缓存的数据集不满足本地磁盘加载的格式
dataset.save_to_disk(r"D:\\data\\datasets\\ChnSentiCorp")
print("save completion")
# 目录是包含dataset_dict.json的目录
dataset = load_from_disk(r"D:\\data\\datasets\\ChnSentiCorp")
train = dataset["train"]
for i in range(10):
    print(train[i])'''

_DATASETS_2 = '''\
from datasets import Dataset
# 制作 Dataset
dataset = Dataset.from_dict({
    'text': ['位置尚可,但距离海边的位置比预期的要差的多', '5月8日付款成功,当当网显示5月10日发货,可是至今还没看到货物,也没收到任何通知,简不知怎么说好!!!', '整体来说,本书还是不错的。至少在书中描述了许多现实中存在的司法系统方面的问题,这是值得每个法律工作者去思考的。尤其是让那涉世深的想加入到律师队伍中的年青人,看到了社会特别是中国司法界真实的一面。缺点是:书中引用了大量的法律条文和司法解释,对于已经是律师或有一定工作经验的法律工作者来说有点多余,而且所占的篇幅不少,有凑字数的嫌疑。整体来说还是不错的。不要对一本书提太高的要求。'],
    'label': [0, 1, 1] # 0 表示负向评价,1 表示正向评价
})
# 查看数据集信息
print(dataset)
for i in range(2):
    print(dataset[i])'''

_DATASETS_MAP = '''\
# 1. 导入必要的库
from datasets import load_from_disk
from transformers import BertTokenizer
# 2. 加载数据集(DatasetDict → 提取train子集)
dataset = load_from_disk(r"D:\\learn\\learncode\\huggingface\\demo_4\\data\\ChnSentiCorp")
dataset = dataset["train"] # 此时为单子集 Dataset
# 3. 加载分词器
tokenizer = BertTokenizer.from_pretrained('bert-base-chinese')
# 4. 修正:添加截断、填充、统一最大长度
dataset = dataset.map(
    lambda x: tokenizer(
        x['text'], # 待分词的文本字段
        return_tensors="pt", # 返回PyTorch张量
        truncation=True, # 关键:截断超长文本(超过max_length的部分删掉)
        padding="max_length", # 关键:填充短文本到max_length(用[PAD]填充)
        max_length=512 # 关键:统一长度为512(BERT的最大支持长度)
    ),
    batched=True # 批量处理(此时所有文本长度统一,可正常生成张量)
)
# 5. 查看处理后的数据集(此时应无报错,且input_ids长度均为512)
print(dataset)
print(dataset[0])'''

_TORCH_1 = '''\
from torch.utils.data import Dataset
from datasets import load_from_disk
class Mydataset(Dataset):
    #初始化数据
    def __init__(self,split):
        #从磁盘加载数据
        self.dataset = load_from_disk(r"D:\\learn\\learncode\\huggingface\\demo_4\\data\\ChnSentiCorp")
        if split =="train":
            self.dataset = self.dataset["train"]
        elif split == "validation":
            self.dataset = self.dataset["validation"]
        elif split=="test":
            self.dataset = self.dataset["test"]
        else:
            print("数据集名称错误!")
    #获取数据集大小
    def __len__(self):
        return len(self.dataset)
    #对数据做定制化处理
    def __getitem__(self, item):
        text = self.dataset[item]["text"]
        label = self.dataset[item]["label"]
        return text,label
if __name__ == '__main__':
    dataset = Mydataset("validation")
    for data in dataset:
        print(data)'''

_TORCH_2 = '''\
# 1. 导入必要的库
from torch.utils.data import Dataset
from datasets import load_from_disk
from transformers import BertTokenizer
# 2. 改造自定义 Mydataset:在 __getitem__ 中加入分词逻辑
class Mydataset(Dataset):
    def __init__(self, split, tokenizer):
        # ① 加载数据集(Hugging Face 格式,包含 text 和 label)
        self.dataset = load_from_disk(r"D:\\data\\datasets\\ChnSentiCorp")[split] # 替换为你的数据集路径
        # ② 传入分词器(提前初始化,避免在 __getitem__ 中重复创建,节省资源)
        self.tokenizer = tokenizer
        # ③ 可提前定义分词参数(避免硬编码)
        self.max_length = 128 # 根据任务设定合适的最大序列长度

    def __len__(self):
        # 返回数据集总长度(DataLoader 需要)
        return len(self.dataset)

    def __getitem__(self, item):
        # ① 读取单条原始数据(text + label)
        raw_data = self.dataset[item]
        text = raw_data["text"] # 原始文本
        label = raw_data["label"] # 原始标签
        # ② 核心:对当前文本做分词(替代 Hugging Face Dataset 的 map 方法)
        tokenized_result = self.tokenizer(
            text=text,
            truncation=True, # 超过 max_length 则截断
            padding="max_length", # 不足 max_length 则用 [PAD] 填充
            max_length=self.max_length, # 统一序列长度
            return_tensors="pt" # 返回 PyTorch 张量(适配模型输入)
        )
        # ③ 处理张量维度(分词器返回的是 [1, max_length],需要去掉多余的 batch 维度 → [max_length])
        input_ids = tokenized_result["input_ids"].squeeze(0) # 从 (1,128) 变成 (128)
        attention_mask = tokenized_result["attention_mask"].squeeze(0) # 同理
        token_type_ids = tokenized_result["token_type_ids"].squeeze(0) # 同理(单句场景下可省略)
        # ④ 返回模型需要的所有数据(input_ids + attention_mask + label)
        return {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "label": label
        }

# 3. 使用改造后的 Mydataset
if __name__ == "__main__":
    # ① 初始化分词器(只创建一次,传入 Mydataset)
    tokenizer = BertTokenizer.from_pretrained("bert-base-chinese")
    # ② 加载训练集(split 可选 "train"/"test"/"validation")
    train_dataset = Mydataset(split="train", tokenizer=tokenizer)
    # ③ 用 DataLoader 批量加载数据(PyTorch 训练标准流程)
    from torch.utils.data import DataLoader
    train_dataloader = DataLoader(
        train_dataset,
        batch_size=32, # 每次加载 32 条数据
        shuffle=True # 训练前洗牌,避免数据顺序影响
    )
    # ④ 测试:查看批量数据格式(和用 map 处理后的结果一致)
    for batch in train_dataloader:
        print("input_ids 形状:", batch["input_ids"].shape) # torch.Size([32, 128])
        print("attention_mask 形状:", batch["attention_mask"].shape) # torch.Size([32, 128])
        print("label 形状:", batch["label"].shape) # torch.Size([32])
        break # 只看第一批'''

_TOKENIZER = '''\
from transformers import BertTokenizer
#加载字典和分词工具
# 加载分词器
tokenizer = BertTokenizer.from_pretrained("bert-base-chinese")
print(tokenizer)
# 准备了 4 条中文文本
sents = ["酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, 早餐走了两圈也没有找到可以吃的, 太差了",
    "已经贴完了,又给小区的妈妈买了一套。最值得推荐",
    "屏幕大,本本薄。自带数字小键盘,比较少见。声音也还过得去。usb接口多,有四个。独显看高清很好。运行速度也还可以,性价比高!",
    "酒店环境很好 就是有一点点偏 交通不是很便利 去哪都需要达车 关键是不好打 酒店应该想办法解决一下"]
# #批量编码句子,batch_encode_plus是分词器的批量处理方法,用于将多个文本转换为模型输入格式,主要参数和作用如下:
out = tokenizer.batch_encode_plus(
    batch_text_or_text_pairs=[sents[0],sents[1]],#指定要处理的文本,这里选择了前两条评价
    add_special_tokens=True,#自动添加 BERT 要求的特殊符号([CLS]开头,[SEP]结尾)
    #当句子长度大于max_length时,截断
    truncation=True,
    # 一律补零到max_length长度
    padding="max_length",###将所有文本统一填充到max_length长度(不足的用[PAD]填充)
    max_length=30,#指定最大序列长度为 30 个 token
    # 返回值类型,可取值tf,pt,np,默认为返回list
    return_tensors=None,
    # 各种return_*参数:控制输出的信息,包括:
    #返回attention_mask,标记哪些位置是有效 token(非[PAD])
    return_attention_mask=True,
    #返回token_type_ids,区分句子对中的不同句子(这里单句,所以主要是 0)
    return_token_type_ids=True,
    #返回special_tokens_mask 特殊符号标识,标记哪些是特殊符号([CLS]/[SEP]/[PAD])
    return_special_tokens_mask=True,
    #返回offset_mapping 标识每个词的起止位置,这个参数只能BertTokenizerFast使用
    return_offsets_mapping=True,
    #返回length 标识长度,每个文本的实际长度(不含填充)
    return_length=True,
)
print(out)
for k,v in out.items():
    print(k,":",v)
print(tokenizer.decode(out["input_ids"][0]),tokenizer.decode(out["input_ids"][1]))
#input_ids 就是编码后的词
#token_type_ids 第一个句子和特殊符号的位置是0,第二个句子的位置是1
#special_tokens_mask 特殊符号的位置是1,其他位置是0
#attention_mask pad的位置是0,其他位置是1
#length 返回句子长度'''

_VOCAB = '''\
#加载字典和分词工具
# 加载分词器
tokenizer = BertTokenizer.from_pretrained(r"D:\\learn\\learncode\\huggingface\\demo_4\\trasnFormers_test\\model\\bert-base-chinese\\models--bert-base-chinese\\snapshots\\c30a6ed22ab4564dc1e3b2ecbf6e766b0611a33f")
# print(tokenizer)
# 准备了 4 条中文文本
sents = ["酒店太旧了, 大堂感觉象三星级的, 房间也就是的好点的三星级的条件, 在青岛这样的酒店是绝对算不上四星标准, 早餐走了两圈也没有找到可以吃的, 太差了",
    "已经贴完了,又给小区的妈妈买了一套。最值得推荐",
    "屏幕大,本本薄。自带数字小键盘,比较少见。声音也还过得去。usb接口多,有四个。独显看高清很好。运行速度也还可以,性价比高!",
    "酒店环境很好 就是有一点点偏 交通不是很便利 去哪都需要达车 关键是不好打 酒店应该想办法解决一下"]
#获取字典
vocab = tokenizer.get_vocab()
# print(vocab)
# 查看字典长度
print(len(vocab))#21128
# 判断某个词是否在字典内
print("阳" in vocab)#True
print("光" in vocab)#True
print("阳光" in vocab)#False
#添加新词
tokenizer.add_tokens(new_tokens=["阳光","大地"])
#添加新的特殊符号
tokenizer.add_special_tokens({"eos_token":"[EOS]"})
vocab = tokenizer.get_vocab()
print(len(vocab))##21131
print("阳光" in vocab,"大地" in vocab,"[EOS]" in vocab)#True True True
#编码新句子
out = tokenizer.encode(text="阳光照在大地上[EOS]",
    text_pair=None,
    truncation=True,
    padding="max_length",
    max_length=10,
    add_special_tokens=True,
    return_tensors=None)
print(out)#[101, 21128, 4212, 1762, 21129, 677, 21130, 102, 0, 0]
#解码为原字符串
print(tokenizer.decode(out))#[CLS] 阳光 照 在 大地 上 [EOS] [SEP] [PAD] [PAD]'''

_API_ANONYMOUS = '''\
import requests
API_URL = "https://api-inference.huggingface.co/models/bert-base-chinese"
# 不使用 Authorization 头以进行匿名访问
response = requests.post(API_URL, json={"inputs": "你好,Hugging Face!"})
print(response.json())'''

_API_TOKEN = '''\
import requests
from transformers import pipeline
# 替换为你的实际API Token
API_TOKEN = "hf_REDACTED_DO_NOT_HARDCODE_TOKENS"
headers = {"Authorization": f"Bearer {API_TOKEN}"}
# 第一个示例:使用Hugging Face Inference API
API_URL = "https://api-inference.huggingface.co/models/google-bert/bert-base-chinese"
response = requests.post(API_URL, headers=headers, json={"inputs": "巴黎是[MASK]国的首都。"})
print("BERT模型结果:", response.json())
# 第二个示例:使用pipeline
# 使用token参数替代use_auth_token
generator = pipeline("text-generation", model="gpt2", token=API_TOKEN)
# 添加truncation=True以消除警告
output = generator("The future of AI is", max_length=50, truncation=True)
print("GPT2生成结果:", output)'''

_STORY = '''\
import gradio as gr
from transformers import BlipProcessor, BlipForConditionalGeneration, AutoTokenizer, AutoModelForCausalLM, pipeline
import torch
from gtts import gTTS
import os
import uuid # 生成唯一音频文件名,防止覆盖
from datetime import datetime # 辅助清理旧文件
# 确保中文显示正常
os.environ["PYTHONUTF8"] = "1"

# ---------------------- 关键:创建音频持久化存储目录 ----------------------
AUDIO_SAVE_DIR = "./generated_audio_files"
os.makedirs(AUDIO_SAVE_DIR, exist_ok=True) # 目录不存在则自动创建

# ---------------------- 模型加载 ----------------------
# 图像描述模型(BLIP)
processor = BlipProcessor.from_pretrained("Salesforce/blip-image-captioning-base")
# 适配 CPU/GPU 环境的 dtype(避免内存报错)
dtype = torch.float16 if torch.cuda.is_available() else torch.float32
model = BlipForConditionalGeneration.from_pretrained(
    "Salesforce/blip-image-captioning-base",
    torch_dtype=dtype
)
device = "cuda" if torch.cuda.is_available() else "cpu"
model.to(device)
# 故事生成模型(Qwen2-0.5B-Instruct,CPU 可稳定运行)
tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B-Instruct", trust_remote_code=True)
story_model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2-0.5B-Instruct",
    trust_remote_code=True,
    torch_dtype=dtype # 减少 CPU 内存占用
).to(device)
# 确保 tokenizer 有 pad_token(避免生成时报错)
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token

# ---------------------- 核心功能函数 ----------------------
def generate_caption(image):
    """根据图片生成中文描述"""
    if image is None:
        return "请上传一张图片"
    inputs = processor(image, return_tensors="pt").to(device, dtype=dtype)
    out = model.generate(**inputs, max_length=50, num_beams=3) # Beam Search 提升描述质量
    caption = processor.decode(out[0], skip_special_tokens=True)
    # 确保描述为中文(BLIP 基础版可能输出英文)
    if not any('\\u4e00' <= c <= '\\u9fff' for c in caption):
        try:
            translator = pipeline("translation", model="Helsinki-NLP/opus-mt-en-zh")
            caption = translator(caption, max_length=50)[0]['translation_text']
        except Exception as e:
            print(f"翻译失败: {e}")
            caption = "图片内容无法识别,请尝试另一张图片"
    return caption

def generate_story(caption, max_length, style, creativity):
    """根据描述生成指定风格的中文故事"""
    invalid_captions = ["请上传一张图片", "图片内容无法识别,请尝试另一张图片"]
    if not caption or caption in invalid_captions:
        return "请先上传有效图片生成描述"
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
        max_length=len(inputs["input_ids"][0]) + max_length,
        temperature=temperature,
        do_sample=True,
        top_p=0.9, # 平衡创意与逻辑
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id
    )
    story = tokenizer.decode(outputs[0], skip_special_tokens=True).replace(prompt, "").strip()
    # 截断过长故事并补充结尾
    if len(story) > max_length:
        story = story[:max_length].rsplit('。', 1)[0] + "......(故事已截断以符合字数要求)"
    return story

def text_to_speech(text):
    """将故事文本转为 MP3 音频(持久化存储,支持试听/下载)"""
    if not text or text == "请先上传有效图片生成描述":
        return None
    try:
        # 生成唯一文件名(避免多轮生成覆盖,格式:时间+随机ID.mp3)
        unique_id = f"{datetime.now().strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:8]}"
        audio_path = os.path.join(AUDIO_SAVE_DIR, f"story_audio_{unique_id}.mp3")
        # 生成中文音频(slow=False 语速正常,提升听感)
        tts = gTTS(text=text, lang='zh-CN', slow=False)
        tts.save(audio_path)
        # 清理3天前的旧音频(避免目录占用过大)
        clean_old_audio(days=3)
        return audio_path # 返回文件路径,Gradio 自动识别并渲染控件
    except Exception as e:
        print(f"音频生成失败: {str(e)}")
        return None

def clean_old_audio(days=3):
    """清理指定天数前的旧音频文件"""
    now = datetime.now()
    for filename in os.listdir(AUDIO_SAVE_DIR):
        if filename.endswith(".mp3"):
            file_path = os.path.join(AUDIO_SAVE_DIR, filename)
            # 获取文件修改时间
            file_mtime = datetime.fromtimestamp(os.path.getmtime(file_path))
            # 超过指定天数则删除
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
        error_msg = f"处理出错: {str(e)[:100]}" # 限制错误信息长度,避免界面混乱
        return error_msg, "", None'''

_DEPLOY_UI = '''\
# ---------------------- Gradio 界面(重点配置音频控件) ----------------------
with gr.Blocks(title="图片转故事与音频", theme=gr.themes.Soft()) as demo:
    gr.Markdown("# 🌟 图片转故事与音频生成器")
    gr.Markdown("上传图片 → 生成中文描述 → 定制风格故事 → 试听/下载音频")
    with gr.Row():
        # 左侧:输入与参数配置区
        with gr.Column(scale=1, min_width=300):
            image_input = gr.Image(
                type="pil",
                label="上传图片",
                height=280, # 增大图片上传区域,提升体验
                show_label=True,
                interactive=True
            )
            # 参数配置折叠面板(更简洁)
            with gr.Accordion("📝 故事参数设置", open=True):
                max_length = gr.Slider(
                    minimum=50, # 最低字数调整为50,避免生成过短内容
                    maximum=1000,
                    value=300,
                    step=50,
                    label="故事最大字数",
                    info="建议 200-500 字(生成更快)"
                )
                style = gr.Dropdown(
                    choices=["搞笑", "武侠", "爱情", "动作", "科幻", "悬疑", "奇幻", "温馨", "恐怖", "冒险", "童话"],
                    value="温馨",
                    label="故事风格",
                    interactive=True
                )
                creativity = gr.Slider(
                    minimum=0,
                    maximum=10,
                    value=5,
                    step=1,
                    label="创意值(0-10)",
                    info="0=保守常规 | 10=脑洞大开"
                )
            generate_btn = gr.Button(
                "🚀 生成描述+故事+音频",
                variant="primary",
                size="lg" # 增大按钮,提升辨识度
            )
        # 右侧:输出区(重点配置音频控件)
        with gr.Column(scale=2, min_width=500):
            caption_output = gr.Textbox(
                label="🖼️ 图片描述",
                lines=2,
                interactive=False,
                show_copy_button=True # 增加复制按钮,方便用户使用
            )
            story_output = gr.Textbox(
                label="📖 生成的故事",
                lines=12,
                interactive=False,
                show_copy_button=True
            )
            # 关键:配置音频控件支持试听和下载
            audio_output = gr.Audio(
                label="🎵 故事音频(可试听/下载)",
                type="filepath", # 必须设为 filepath,Gradio 才能识别文件并渲染控件
                interactive=True,
                show_download_button=True, # 显式开启下载按钮
                autoplay=False # 关闭自动播放,避免打扰用户
            )
    # 绑定生成按钮事件(显示进度条,提升体验)
    generate_btn.click(
        fn=process_image,
        inputs=[image_input, max_length, style, creativity],
        outputs=[caption_output, story_output, audio_output],
        show_progress="full", # 显示完整进度条,告知用户处理状态
        queue=True # 开启任务队列,支持多轮生成不卡顿
    )
    # 示例数据(帮助用户快速测试功能)
    gr.Examples(
        examples=[
            ["./example_images/dog.jpg", 300, "温馨", 5],
            ["./example_images/fangfengzheng.jpeg", 400, "童话", 8],
            ["./example_images/jiehun.jpg", 200, "爱情", 7]
        ],
        inputs=[image_input, max_length, style, creativity],
        outputs=[caption_output, story_output, audio_output],
        fn=process_image,
        label="💡 点击示例快速测试"
    )

# ---------------------- 启动配置 ----------------------
if __name__ == "__main__":
    # 本地运行:自动打开浏览器,端口 7860
    demo.launch(
        debug=False,
        share=False, # 本地运行无需公网链接,部署到 Hugging Face 时会自动忽略
        server_name="0.0.0.0",
        server_port=7860
    )'''

_DEPLOY_REQUIREMENTS = '''\
gradio>=3.40.0
transformers>=4.35.0
torch>=2.0.0
gtts>=2.3.2
Pillow>=9.5.0
sentencepiece>=0.1.99'''

_AUTO_MODEL = '''\
from transformers import AutoModel
model = AutoModel.from_pretrained("bert-base-uncased")
outputs = model(**inputs) # 输出形状: [batch_size, seq_len, hidden_size]'''


ORIGINAL: dict[str, tuple[Snippet, ...]] = {
    "ecosystem": (Snippet("", "bash", _ECOSYSTEM),),
    "pipeline": (Snippet("", "python", _PIPELINE),),
    "datasets": (Snippet("方式1:直接加载成熟的数据集使用", "python", _DATASETS_1),
                 Snippet("方式2:自己自定义数据集", "python", _DATASETS_2),
                 Snippet("转换huggingface自带的datasets数据集", "python", _DATASETS_MAP)),
    "torch_dataset": (Snippet("使用PyTorch 原生的 Dataset 加载数据(重点,常用)", "python", _TORCH_1),
                      Snippet("转换PyTorch Dataset 数据集", "python", _TORCH_2)),
    "tokenizer": (Snippet("", "python", _TOKENIZER),),
    "vocab": (Snippet("", "python", _VOCAB),),
    "inference_api": (Snippet("匿名访问 API(了解)", "python", _API_ANONYMOUS),
                      Snippet("使用Access Tokens调用API", "python", _API_TOKEN)),
    "story": (Snippet("app.py", "python", _STORY),),
    "deploy": (Snippet("app.py", "python", _DEPLOY_UI), Snippet("requirements.txt", "text", _DEPLOY_REQUIREMENTS)),
    "auto_model": (Snippet("", "python", _AUTO_MODEL),),
}
