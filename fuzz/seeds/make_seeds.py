"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (run from anywhere:
python3 fuzz/seeds/make_seeds.py). Every seed is small (a few KB) and valid, so the fuzzer starts
from inputs that reach deep into each parser; crash inputs found later are added beside them by
hand (named crash-*)."""
import json
import os
import random
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import gguf_tool as g  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED = os.environ.get("MIAOTUI_SHARED_DIR", os.path.join(ROOT, "..", "..", "shared"))
rng = random.Random(7)


def put(target, name, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def numel(shape):
    n = 1
    for x in shape:
        n *= x
    return n


def f32(n):
    return struct.pack("<%df" % n, *[rng.uniform(-0.5, 0.5) for _ in range(n)])


def spm_vocab():
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(256)] + \
        ["\u2581", "\u2581t", "he", "\u2581the", "llo", "\u2581he", "\u2581hello"]
    types = [2, 3, 3] + [6] * 256 + [1] * 7
    scores = [0.0] * 259 + [-float(i) for i in range(7)]
    return [("tokenizer.ggml.model", g.T_STR, "llama"),
            ("tokenizer.ggml.tokens", g.T_ARR, (g.T_STR, toks)),
            ("tokenizer.ggml.scores", g.T_ARR, (g.T_F32, scores)),
            ("tokenizer.ggml.token_type", g.T_ARR, (g.T_I32, types)),
            ("tokenizer.ggml.bos_token_id", g.T_U32, 1),
            ("tokenizer.ggml.eos_token_id", g.T_U32, 2),
            ("tokenizer.ggml.unknown_token_id", g.T_U32, 0)], len(toks)


def tiny_llama(embd=8, ff=16, heads=2, kv_heads=1, dtype=0):
    kvs, vocab = spm_vocab()
    kvs = [("general.architecture", g.T_STR, "llama"), ("general.alignment", g.T_U32, 32)] + kvs + [
        ("llama.context_length", g.T_U32, 64), ("llama.embedding_length", g.T_U32, embd),
        ("llama.feed_forward_length", g.T_U32, ff), ("llama.attention.head_count", g.T_U32, heads),
        ("llama.attention.head_count_kv", g.T_U32, kv_heads), ("llama.block_count", g.T_U32, 1),
        ("llama.rope.dimension_count", g.T_U32, embd // heads),
        ("llama.attention.layer_norm_rms_epsilon", g.T_F32, 1e-5)]
    kv_dim = embd // heads * kv_heads
    shapes = [("token_embd.weight", [embd, vocab]), ("output_norm.weight", [embd]),
              ("blk.0.attn_norm.weight", [embd]), ("blk.0.attn_q.weight", [embd, embd]),
              ("blk.0.attn_k.weight", [embd, kv_dim]), ("blk.0.attn_v.weight", [embd, kv_dim]),
              ("blk.0.attn_output.weight", [embd, embd]), ("blk.0.ffn_norm.weight", [embd]),
              ("blk.0.ffn_gate.weight", [embd, ff]), ("blk.0.ffn_up.weight", [embd, ff]),
              ("blk.0.ffn_down.weight", [ff, embd])]
    tensors = []
    for name, ne in shapes:
        n = numel(ne)
        if dtype == 1 and len(ne) == 2:  # F16
            raw = struct.pack("<%de" % n, *[rng.uniform(-0.5, 0.5) for _ in range(n)])
            tensors.append((name, ne, 1, raw))
        else:
            tensors.append((name, ne, 0, f32(n)))
    return g.write(kvs, tensors)


def gguf_seeds():
    put("gguf_fuzz", "tiny_llama_f32.gguf", tiny_llama())
    put("gguf_fuzz", "tiny_llama_f16.gguf", tiny_llama(embd=4, ff=8, heads=1, dtype=1))
    kvs, _ = spm_vocab()
    put("gguf_fuzz", "vocab_spm.gguf", g.write([("general.architecture", g.T_STR, "llama")] + kvs, []))
    toks = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["\u0120", "\u0120t", "he", "<|endoftext|>"]
    bpe = [("general.architecture", g.T_STR, "gpt2"), ("tokenizer.ggml.model", g.T_STR, "gpt2"),
           ("tokenizer.ggml.pre", g.T_STR, "gpt-2"),
           ("tokenizer.ggml.tokens", g.T_ARR, (g.T_STR, toks)),
           ("tokenizer.ggml.token_type", g.T_ARR, (g.T_I32, [1] * (len(toks) - 1) + [3])),
           ("tokenizer.ggml.merges", g.T_ARR, (g.T_STR, ["\u0120 t", "h e"])),
           ("tokenizer.ggml.bos_token_id", g.T_U32, len(toks) - 1),
           ("tokenizer.ggml.eos_token_id", g.T_U32, len(toks) - 1),
           ("nested", g.T_ARR, (g.T_ARR, [(g.T_U8, [1, 2]), (g.T_I64, [3])]))]
    put("gguf_fuzz", "vocab_bpe.gguf", g.write(bpe, [("x", [4, 2], 8, b"\0" * 68)]))
    wp = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", ",", "!"]
    put("gguf_fuzz", "vocab_wpm.gguf", g.write([
        ("general.architecture", g.T_STR, "bert"), ("tokenizer.ggml.model", g.T_STR, "bert"),
        ("tokenizer.ggml.tokens", g.T_ARR, (g.T_STR, wp)),
        ("tokenizer.ggml.token_type", g.T_ARR, (g.T_I32, [3, 2, 3, 3, 3, 1, 1, 1, 1, 1])),
        ("tokenizer.ggml.unknown_token_id", g.T_U32, 1),
        ("tokenizer.ggml.cls_token_id", g.T_U32, 2),
        ("tokenizer.ggml.seperator_token_id", g.T_U32, 3)], []))


def gguf_arch_seeds():
    """Small valid GGUF models of the other architectures: GPT-2 (fused qkv, biases, learned
    positions) with the byte-level BPE vocabulary of vocab_bpe.gguf, and Qwen2 (llama + q/k/v
    biases) with the SentencePiece one. A separate generator keeps the older seeds byte-identical."""
    r = random.Random(13)
    embd, ff, ctx = 4, 8, 16

    def t(name, ne):
        n = numel(ne)
        return (name, ne, 0, struct.pack("<%df" % n, *[r.uniform(-0.5, 0.5) for _ in range(n)]))

    toks = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["\u0120", "\u0120t", "he", "<|endoftext|>"]
    vocab = len(toks)
    gpt2 = [("general.architecture", g.T_STR, "gpt2"), ("tokenizer.ggml.model", g.T_STR, "gpt2"),
            ("tokenizer.ggml.pre", g.T_STR, "gpt-2"),
            ("tokenizer.ggml.tokens", g.T_ARR, (g.T_STR, toks)),
            ("tokenizer.ggml.token_type", g.T_ARR, (g.T_I32, [1] * (vocab - 1) + [3])),
            ("tokenizer.ggml.merges", g.T_ARR, (g.T_STR, ["\u0120 t", "h e"])),
            ("tokenizer.ggml.bos_token_id", g.T_U32, vocab - 1),
            ("tokenizer.ggml.eos_token_id", g.T_U32, vocab - 1),
            ("gpt2.context_length", g.T_U32, ctx), ("gpt2.embedding_length", g.T_U32, embd),
            ("gpt2.feed_forward_length", g.T_U32, ff), ("gpt2.block_count", g.T_U32, 1),
            ("gpt2.attention.head_count", g.T_U32, 1),
            ("gpt2.attention.layer_norm_epsilon", g.T_F32, 1e-5)]
    put("gguf_fuzz", "tiny_gpt2.gguf", g.write(gpt2, [
        t("token_embd.weight", [embd, vocab]), t("position_embd.weight", [embd, ctx]),
        t("output_norm.weight", [embd]), t("output_norm.bias", [embd]),
        t("blk.0.attn_norm.weight", [embd]), t("blk.0.attn_norm.bias", [embd]),
        t("blk.0.attn_qkv.weight", [embd, 3 * embd]), t("blk.0.attn_qkv.bias", [3 * embd]),
        t("blk.0.attn_output.weight", [embd, embd]), t("blk.0.attn_output.bias", [embd]),
        t("blk.0.ffn_norm.weight", [embd]), t("blk.0.ffn_norm.bias", [embd]),
        t("blk.0.ffn_up.weight", [embd, ff]), t("blk.0.ffn_up.bias", [ff]),
        t("blk.0.ffn_down.weight", [ff, embd]), t("blk.0.ffn_down.bias", [embd])]))
    kvs, svocab = spm_vocab()
    qwen2 = [("general.architecture", g.T_STR, "qwen2")] + kvs + [
        ("qwen2.context_length", g.T_U32, ctx), ("qwen2.embedding_length", g.T_U32, embd),
        ("qwen2.feed_forward_length", g.T_U32, ff), ("qwen2.attention.head_count", g.T_U32, 1),
        ("qwen2.attention.head_count_kv", g.T_U32, 1), ("qwen2.block_count", g.T_U32, 1),
        ("qwen2.attention.layer_norm_rms_epsilon", g.T_F32, 1e-6)]
    put("gguf_fuzz", "tiny_qwen2.gguf", g.write(qwen2, [
        t("token_embd.weight", [embd, svocab]), t("output_norm.weight", [embd]),
        t("blk.0.attn_norm.weight", [embd]), t("blk.0.ffn_norm.weight", [embd])] +
        [t("blk.0.attn_%s.weight" % p, [embd, embd]) for p in ("q", "k", "v", "output")] +
        [t("blk.0.attn_%s.bias" % p, [embd]) for p in ("q", "k", "v")] +
        [t("blk.0.ffn_gate.weight", [embd, ff]), t("blk.0.ffn_up.weight", [embd, ff]),
         t("blk.0.ffn_down.weight", [ff, embd])]))


def safetensors(tensors, meta=None):
    header, off, data = {}, 0, b""
    if meta:
        header["__metadata__"] = meta
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        data += raw
    h = json.dumps(header).encode()
    h += b" " * ((-len(h)) % 8)
    return struct.pack("<Q", len(h)) + h + data


def hf_seeds():
    embd, ff, vocab = 4, 8, 512
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": embd,
              "intermediate_size": ff, "num_hidden_layers": 1, "num_attention_heads": 1,
              "num_key_value_heads": 1, "vocab_size": vocab, "max_position_embeddings": 64,
              "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
              "tie_word_embeddings": True, "torch_dtype": "float16"}
    shapes = [("model.embed_tokens.weight", [vocab, embd]), ("model.norm.weight", [embd]),
              ("model.layers.0.input_layernorm.weight", [embd]),
              ("model.layers.0.post_attention_layernorm.weight", [embd])]
    for p in ("q", "k", "v", "o"):
        shapes.append(("model.layers.0.self_attn.%s_proj.weight" % p, [embd, embd]))
    shapes += [("model.layers.0.mlp.gate_proj.weight", [ff, embd]),
               ("model.layers.0.mlp.up_proj.weight", [ff, embd]),
               ("model.layers.0.mlp.down_proj.weight", [embd, ff])]
    ts = []
    for name, shape in shapes:
        n = numel(shape)
        ts.append((name, "F16", shape, struct.pack("<%de" % n, *[rng.uniform(-1, 1) for _ in range(n)])))
    sep = b"\n#safetensors#\n"
    put("hf_folder_fuzz", "tiny_llama", json.dumps(config, indent=1).encode() + sep + safetensors(ts, {"format": "pt"}))
    gpt2 = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 4, "n_layer": 1,
            "n_head": 1, "n_positions": 16, "vocab_size": 512, "layer_norm_epsilon": 1e-5}
    put("hf_folder_fuzz", "gpt2_bad_tensors", json.dumps(gpt2).encode() + sep + safetensors(
        [("wte.weight", "F32", [512, 4], b"\0" * 8192)][:0] + [("h.0.ln_1.weight", "BF16", [4], b"\0" * 8)]))
    bert = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 4, "num_hidden_layers": 1,
            "num_attention_heads": 1, "intermediate_size": 8, "vocab_size": 512,
            "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12}
    put("hf_folder_fuzz", "bert_empty", json.dumps(bert).encode() + sep + safetensors([]))


def hf_arch_seeds():
    """One small valid folder per other Hugging Face architecture (qwen2: llama + q/k/v biases;
    phi3: fused qkv and gate_up; gpt-2: Conv1D [in, out] weights; bert), so the fuzzer starts past
    every loader's config checks. A separate generator keeps the older seeds byte-identical."""
    r = random.Random(11)
    sep = b"\n#safetensors#\n"
    embd, ff, vocab = 4, 8, 16

    def f16(shape):
        n = numel(shape)
        return (shape, struct.pack("<%de" % n, *[r.uniform(-1, 1) for _ in range(n)]))

    def put_hf(name, config, shapes):
        ts = [(n, "F16") + f16(shape) for n, shape in shapes]
        put("hf_folder_fuzz", name, json.dumps(config).encode() + sep +
            safetensors([(n, d, sh, raw) for n, d, sh, raw in ts], {"format": "pt"}))

    base = {"hidden_size": embd, "intermediate_size": ff, "num_hidden_layers": 1,
            "num_attention_heads": 1, "num_key_value_heads": 1, "vocab_size": vocab,
            "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "tie_word_embeddings": True}
    common = [("model.embed_tokens.weight", [vocab, embd]), ("model.norm.weight", [embd]),
              ("model.layers.0.input_layernorm.weight", [embd]),
              ("model.layers.0.post_attention_layernorm.weight", [embd]),
              ("model.layers.0.self_attn.o_proj.weight", [embd, embd]),
              ("model.layers.0.mlp.down_proj.weight", [embd, ff])]
    qkv = [("model.layers.0.self_attn.%s_proj.%s" % (p, w), [embd, embd] if w == "weight" else [embd])
           for p in ("q", "k", "v") for w in ("weight", "bias")]
    put_hf("tiny_qwen2", dict(base, architectures=["Qwen2ForCausalLM"], model_type="qwen2"),
           common + qkv + [("model.layers.0.mlp.gate_proj.weight", [ff, embd]),
                           ("model.layers.0.mlp.up_proj.weight", [ff, embd])])
    put_hf("tiny_phi3", dict(base, architectures=["Phi3ForCausalLM"], model_type="phi3"),
           common + [("model.layers.0.self_attn.qkv_proj.weight", [3 * embd, embd]),
                     ("model.layers.0.mlp.gate_up_proj.weight", [2 * ff, embd])])
    gpt2 = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": embd,
            "n_inner": ff, "n_layer": 1, "n_head": 1, "n_positions": 16, "vocab_size": vocab}
    h = "transformer.h.0."
    put_hf("tiny_gpt2", gpt2, [
        ("transformer.wte.weight", [vocab, embd]), ("transformer.wpe.weight", [16, embd]),
        ("transformer.ln_f.weight", [embd]), ("transformer.ln_f.bias", [embd]),
        (h + "ln_1.weight", [embd]), (h + "ln_1.bias", [embd]),
        (h + "attn.c_attn.weight", [embd, 3 * embd]), (h + "attn.c_attn.bias", [3 * embd]),
        (h + "attn.c_proj.weight", [embd, embd]), (h + "attn.c_proj.bias", [embd]),
        (h + "ln_2.weight", [embd]), (h + "ln_2.bias", [embd]),
        (h + "mlp.c_fc.weight", [embd, ff]), (h + "mlp.c_fc.bias", [ff]),
        (h + "mlp.c_proj.weight", [ff, embd]), (h + "mlp.c_proj.bias", [embd])])
    bert = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": embd,
            "intermediate_size": ff, "num_hidden_layers": 1, "num_attention_heads": 1,
            "max_position_embeddings": 16, "vocab_size": vocab, "type_vocab_size": 2}
    e, l = "embeddings.", "encoder.layer.0."
    lin = lambda name, o, i: [(name + ".weight", [o, i]), (name + ".bias", [o])]  # noqa: E731
    put_hf("tiny_bert", bert, [
        (e + "word_embeddings.weight", [vocab, embd]), (e + "position_embeddings.weight", [16, embd]),
        (e + "token_type_embeddings.weight", [2, embd]), (e + "LayerNorm.weight", [embd]),
        (e + "LayerNorm.bias", [embd])] +
        lin(l + "attention.self.query", embd, embd) + lin(l + "attention.self.key", embd, embd) +
        lin(l + "attention.self.value", embd, embd) + lin(l + "attention.output.dense", embd, embd) +
        [(l + "attention.output.LayerNorm.weight", [embd]), (l + "attention.output.LayerNorm.bias", [embd])] +
        lin(l + "intermediate.dense", ff, embd) + lin(l + "output.dense", embd, ff) +
        [(l + "output.LayerNorm.weight", [embd]), (l + "output.LayerNorm.bias", [embd])])


def tokenizer_json_seeds():
    shutil.copy(os.path.join(SHARED, "models/stories260K-hf/tokenizer.json"),
                os.path.join(ROOT, "corpus/tokenizer_json_fuzz/spm_bpe.json"))
    byte_level = {"version": "1.0", "added_tokens": [{"id": 5, "content": "<|endoftext|>", "special": True}],
                  "normalizer": None,
                  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
                  "decoder": {"type": "ByteLevel"},
                  "model": {"type": "BPE", "vocab": {"h": 0, "e": 1, "he": 2, "\u0120": 3, "\u0120he": 4, "<|endoftext|>": 5},
                            "merges": ["h e", "\u0120 he"]}}
    put("tokenizer_json_fuzz", "byte_level_bpe.json", json.dumps(byte_level, indent=1))
    wordpiece = {"version": "1.0", "added_tokens": [{"id": 0, "content": "[PAD]", "special": True},
                                                    {"id": 1, "content": "[UNK]", "special": True},
                                                    {"id": 2, "content": "[CLS]", "special": True},
                                                    {"id": 3, "content": "[SEP]", "special": True}],
                 "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                                "strip_accents": None, "lowercase": True},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "TemplateProcessing",
                                    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                               {"Sequence": {"id": "A", "type_id": 0}},
                                               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                           "max_input_chars_per_word": 100,
                           "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "##s": 6}}}
    put("tokenizer_json_fuzz", "wordpiece.json", json.dumps(wordpiece, indent=1))


def template_seeds():
    tdir = os.path.join(SHARED, "fixtures/chat-templates")
    for name in ("llama2-chat.jinja", "qwen2-instruct.jinja", "zephyr-7b-beta.jinja", "phi3-mini-instruct.jinja"):
        shutil.copy(os.path.join(tdir, name), os.path.join(ROOT, "corpus/template_fuzz", name))
    put("template_fuzz", "features.jinja",
        "{%- set ns = namespace(n=0) -%}{% for m in messages if m.role != 'system' %}"
        "{{ loop.index0 }}:{{ m.role | upper }}={{ m.content | trim | length }}"
        "{% if not loop.last %}, {% endif %}{% set ns.n = ns.n + 1 %}{% endfor %}"
        "{{ ns.n ~ '|' ~ (messages | map(attribute='role') | join(',')) }}"
        "{% macro f(x, y=2) %}{{ x * y }}{% endmacro %}{{ f(3) }}{{ range(3) | list | tojson }}"
        "{{ {'a': [1, 2.5, none, true]} | tojson }}{{ 'abc'[1:] ~ 'x'.replace('x', 'y') }}"
        "{% if add_generation_prompt %}{{ bos_token + eos_token }}{% endif %}")


def messages_seeds():
    msgs = [[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
             {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}],
            [{"role": "user", "content": [{"type": "text", "text": "part"}]}],
            [{"role": "assistant", "content": None}, {"role": "tool", "content": "{}"}],
            []]
    for i, m in enumerate(msgs):
        put("chat_messages_fuzz", "m%d" % i, bytes([i * 37 % 256 | 0x80]) + json.dumps(m).encode())


def tokenize_seeds():
    texts = ["Hello world! The quick brown fox.", " <s> [CLS] <|endoftext|> \n\t  x",
             "\u00e9t\u00e9 \u4e2d\u6587 \U0001F600 \u0301a", "123 4567 don't I'm", "\xff\xfe"]
    for i, t in enumerate(texts):
        for k in range(3):
            b = t.encode("utf-8", "surrogatepass") if i < 4 else b"\xff\xfe\xc3(\xe2\x82"
            put("tokenize_fuzz", "t%d_%d" % (i, k), bytes([k | (0xC0 if i % 2 else 0)]) + b)


def request_seeds():
    put("request_fuzz", "chat.json", json.dumps({
        "model": "m", "messages": [{"role": "system", "content": "s"},
                                   {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "max_tokens": 16, "temperature": 0.5, "top_p": 0.9, "top_k": 20, "min_p": 0.1, "seed": 3,
        "stop": ["\n", "END"], "stream": True, "stream_options": {"include_usage": True},
        "logprobs": True, "top_logprobs": 2, "response_format": {"type": "json_object"},
        "presence_penalty": 0.5, "frequency_penalty": 0.1, "repeat_penalty": 1.1}))
    put("request_fuzz", "completion.json", json.dumps({"prompt": "Once", "max_tokens": 8, "stop": "x", "echo": False}))
    put("request_fuzz", "completion_tokens.json", json.dumps({"prompt": [1, 2, 3], "n": 1}))
    put("request_fuzz", "bad_types.json", json.dumps({"messages": "hi", "max_tokens": "8", "stop": [1]}))


if __name__ == "__main__":
    for t in ("tokenizer_json_fuzz", "template_fuzz"):
        os.makedirs(os.path.join(ROOT, "corpus", t), exist_ok=True)
    gguf_seeds()
    gguf_arch_seeds()
    hf_seeds()
    hf_arch_seeds()
    tokenizer_json_seeds()
    template_seeds()
    messages_seeds()
    tokenize_seeds()
    request_seeds()
    print("seeds written under", os.path.join(ROOT, "corpus"))
