"""The Models page's memory estimate against real tensors: parameter bytes of the loaded tiny model of each
architecture the lab uses (Qwen2, Llama with grouped-query attention, BERT, BLIP, Marian), and the bytes of the
past_key_values a forward pass with use_cache=True leaves; typed configs that are no config get catalog messages."""
import pytest
import torch

from hflab.i18n import catalog
from hflab.messages import MessageError
from hflab.models import memory

BATCH, CONTEXT, SOURCE_LENGTH = 3, 7, 11


def build_llama(target):
    """A 2-layer LlamaForCausalLM (SmolLM2's class) with 4 query heads sharing 2 key/value heads, untied head."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         tie_word_embeddings=False)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(target)
    return target


@pytest.fixture(scope="module")
def model_dirs(tiny_models, tmp_path_factory):
    dirs = {"qwen2": tiny_models["causal_lm"], "bert": tiny_models["sentiment"], "blip": tiny_models["caption"],
            "marian": tiny_models["translation"]}
    dirs["llama"] = build_llama(tmp_path_factory.mktemp("llama") / "llama")
    return dirs


def load(path, dtype=torch.float32):
    import transformers
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(path)
    model = getattr(transformers, config.architectures[0]).from_pretrained(path, dtype=dtype).eval()
    return config, model


def tensor_bytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def layer_bytes(cache) -> int:
    """Keys and values of every layer of a transformers Cache."""
    return sum(tensor_bytes((layer.keys, layer.values)) for layer in cache.layers)


def real_cache(name, model):
    """(self-attention bytes, cross-attention bytes) of past_key_values after one forward pass."""
    ids = torch.randint(3, 100, (BATCH, CONTEXT))
    with torch.no_grad():
        if name == "marian":
            source = torch.randint(3, 100, (BATCH, SOURCE_LENGTH))
            cache = model(input_ids=source, decoder_input_ids=ids, use_cache=True).past_key_values
        elif name == "blip":  # generate runs the text decoder on the image embeddings; so does this
            image = model.vision_model(pixel_values=torch.rand(BATCH, 3, 32, 32, dtype=model.dtype))[0]
            cache = model.text_decoder(input_ids=ids, encoder_hidden_states=image, use_cache=True).past_key_values
        else:
            cache = model(input_ids=ids, use_cache=True).past_key_values
    if hasattr(cache, "cross_attention_cache"):
        return layer_bytes(cache.self_attention_cache), layer_bytes(cache.cross_attention_cache)
    return layer_bytes(cache), 0


@pytest.mark.parametrize("name", ["qwen2", "llama", "bert", "blip", "marian"])
@pytest.mark.parametrize("dtype, weights", [(torch.float32, "fp32"), (torch.float16, "fp16")])
def test_parameter_bytes_equal_the_loaded_model(model_dirs, name, dtype, weights):
    config, model = load(model_dirs[name], dtype)
    real = tensor_bytes(model.parameters())  # tied weights once, as model.parameters() yields them
    assert memory.parameter_count(config) * memory.WEIGHT_BYTES[weights] == real


@pytest.mark.parametrize("name", ["qwen2", "llama", "blip", "marian"])
@pytest.mark.parametrize("dtype, cache_dtype", [(torch.float32, "fp32"), (torch.float16, "fp16")])
def test_kv_cache_bytes_equal_past_key_values(model_dirs, name, dtype, cache_dtype):
    config, model = load(model_dirs[name], dtype)
    attention = memory.attention_of(config)
    estimate = memory.kv_cache_bytes(attention, CONTEXT, BATCH, memory.CACHE_BYTES[cache_dtype], SOURCE_LENGTH)
    assert (estimate.self_attention, estimate.cross_attention) == real_cache(name, model)


def test_grouped_query_attention_caches_the_key_value_heads_only(model_dirs):
    config, _ = load(model_dirs["llama"])
    attention = memory.attention_of(config)
    assert (attention.heads, attention.kv_heads, attention.head_dim) == (4, 2, 16)
    assert memory.kv_cache_bytes(attention, CONTEXT, BATCH, 4).total == 2 * 2 * BATCH * 2 * 16 * CONTEXT * 4


def test_kinds_and_cross_lengths(model_dirs):
    kinds = {name: memory.attention_of(load(path)[0]) for name, path in model_dirs.items()}
    assert {name: a.kind for name, a in kinds.items()} == {
        "qwen2": "decoder",
        "llama": "decoder",
        "bert": "encoder",
        "blip": "vision_decoder",
        "marian": "encoder_decoder",
    }
    assert kinds["blip"].cross_length == (32 // 8) ** 2 + 1  # image patches + the class token


def test_an_encoder_keeps_no_cache(model_dirs):
    config, model = load(model_dirs["bert"])
    attention = memory.attention_of(config)
    assert not attention.caches and memory.kv_cache_bytes(attention, CONTEXT, BATCH, 4).total == 0
    with torch.no_grad():
        output = model(input_ids=torch.randint(3, 100, (BATCH, CONTEXT)), use_cache=True)
    assert getattr(output, "past_key_values", None) is None
    rows = memory.memory_table(config, CONTEXT, BATCH, "fp32", 2200)
    assert [r.largest_context for r in rows] == [None, None, None]


def test_a_config_without_architectures_counts_the_generating_head():
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=300, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False)
    assert memory.parameter_count(config) == LlamaForCausalLM(config).num_parameters()


def test_what_fits_and_the_largest_context(model_dirs):
    config, model = load(model_dirs["qwen2"])
    attention = memory.attention_of(config)
    weights = memory.parameter_count(config) * 4
    per_token = attention.bytes_per_token(2, 4)
    budget_mb = -(-(weights + 100 * per_token) // memory.MB)  # room for at least 100 tokens at fp32
    rows = {r.weights: r for r in memory.memory_table(config, 100, 2, "fp32", budget_mb)}
    assert rows["fp32"].fits and rows["fp32"].largest_context == (budget_mb * memory.MB - weights) // per_token
    assert rows["int8"].largest_context > rows["fp16"].largest_context > rows["fp32"].largest_context >= 100
    too_small = memory.memory_table(config, 100, 2, "fp32", 0)
    assert [(r.fits, r.largest_context) for r in too_small] == [(False, 0)] * 3


def test_the_encoder_length_of_a_translation_counts_against_the_budget(model_dirs):
    config, _ = load(model_dirs["marian"])
    short, long = (memory.memory_table(config, 8, 1, "fp32", 1, length)[0] for length in (1, 1000))
    assert long.cache_bytes > short.cache_bytes and long.largest_context < short.largest_context


@pytest.mark.parametrize("text, key, params", [
    ("{not json", "models.mem.err.not_json", None),
    ("[1, 2]", "models.mem.err.not_config", {"found": "list"}),
    ('{"hidden_size": 64}', "models.mem.err.model_type", {"model_type": "None"}),
    ('{"model_type": "no-such-model"}', "models.mem.err.model_type", {"model_type": "no-such-model"}),
])
def test_a_typed_text_that_is_not_a_config(text, key, params):
    with pytest.raises(MessageError) as raised:
        memory.config_from_text(text)
    assert raised.value.key == key and key in catalog()
    if params is not None:
        assert dict(raised.value.params) == params


@pytest.mark.parametrize("text, key", [
    ('{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 5}', "models.mem.err.bad_config"),
    ('{"model_type": "llama", "hidden_size": "wide"}', "models.mem.err.bad_config"),
    ('{"model_type": "llama", "num_hidden_layers": 100000}', "models.mem.err.too_many_layers"),
    # the layers a single count missed: a T5 decoder, a vision tower (one such paste took 150 s of server CPU)
    ('{"model_type": "t5", "num_layers": 1, "num_decoder_layers": 100000}', "models.mem.err.too_many_layers"),
    ('{"model_type": "blip", "vision_config": {"num_hidden_layers": 100000}}', "models.mem.err.too_many_layers"),
    ('{"model_type": "bart", "encoder_layers": 600, "decoder_layers": 600}', "models.mem.err.too_many_layers"),
])
def test_sizes_that_do_not_fit_together_are_a_message_not_a_traceback(text, key):
    with pytest.raises(MessageError) as raised:  # when reading the config, or when building it on the meta device
        memory.parameter_count(memory.config_from_text(text))
    assert raised.value.key == key


def test_a_config_whose_text_part_is_ambiguous_is_a_message():
    config = memory.config_from_text('{"model_type": "blip"}')
    config.decoder = config.text_config  # two text configs: get_text_config raises ValueError
    with pytest.raises(MessageError) as raised:
        memory.describe(config)
    assert raised.value.key == "models.mem.err.bad_config"


def test_a_config_file_that_is_no_config(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": 3}', encoding="utf-8")
    with pytest.raises(MessageError) as raised:
        memory.config_from_dir(str(tmp_path))
    assert raised.value.key == "models.mem.err.config_file"


@pytest.mark.parametrize("context, batch, key", [
    (0, 1, "models.mem.err.context"), (memory.MAX_CONTEXT + 1, 1, "models.mem.err.context"),
    (10, 0, "models.mem.err.batch"), (10, memory.MAX_BATCH + 1, "models.mem.err.batch"),
])
def test_lengths_and_batches_out_of_range(model_dirs, context, batch, key):
    attention = memory.attention_of(load(model_dirs["qwen2"])[0])
    assert [(m.key, m.level) for m in memory.check_inputs(context, batch, 1, attention)] == [(key, "error")]


def test_a_context_beyond_the_model_positions_is_a_warning(model_dirs):
    attention = memory.attention_of(load(model_dirs["qwen2"])[0])
    problems = memory.check_inputs(attention.max_positions + 1, 1, 1, attention)
    assert [(m.key, m.level) for m in problems] == [("models.mem.beyond_positions", "warning")]
    assert memory.check_inputs(attention.max_positions, 1, 1, attention) == []


def test_the_copyable_code_prints_the_same_estimate(model_dirs, capsys):
    from hflab.loading.sources import Source
    from hflab.models import code

    config, model = load(model_dirs["llama"])
    source = Source(None, "local", "llama", str(model_dirs["llama"]), "source.local")
    exec(compile(code.memory_code(source, CONTEXT, BATCH, "fp32"), "snippet", "exec"), {})
    weights_line, kv_line = capsys.readouterr().out.splitlines()
    params = memory.parameter_count(config)
    assert weights_line == str({d: params * b / 2**20 for d, b in memory.WEIGHT_BYTES.items()})
    estimate = memory.kv_cache_bytes(memory.attention_of(config), CONTEXT, BATCH, 4)
    assert kv_line == f"KV cache MB: {estimate.total / 2**20}"
