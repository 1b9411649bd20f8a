#!/usr/bin/python3
"""Reference fixtures for the Llama-family variants (dev-time only; fixtures are committed).

Creates tiny random models of Qwen2, Mistral (sliding window shorter than the prompt), Llama 3
(`llama3` RoPE scaling, BF16 weights, tied), Phi-3 (fused qkv_proj / gate_up_proj, partial rotary,
sliding window) and SmolLM (Llama with tied embeddings), saves each in Hugging Face form under
tests/models/fixtures/<variant>/ and writes what an independent forward pass computes for it:

  config.json, model.safetensors     the model (safetensors written here, by hand)
  tokenizer.json, tokenizer_config.json, special_tokens_map.json
                                     a 512-token tokenizer (from ../shared/models/stories260K-hf)
  reference.json                     prompt token ids, greedy continuation, its top-1 leads
  logits.f32                         logits at every prompt position, [n_prompt, vocab] float32

The forward pass below is written from the Hugging Face architecture definitions' math
(LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Phi3ForCausalLM), in float64, without
a KV cache: every step recomputes the whole sequence. It shares no code with the C++ engine.

Needs Debian's python3-torch and python3-numpy:  /usr/bin/python3 scripts/torch_reference.py
"""

import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "models", "fixtures")
TOKENIZER_DIR = os.path.join(ROOT, "..", "shared", "models", "stories260K-hf")
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
VOCAB = 512
N_PROMPT = 20
N_GREEDY = 16
MIN_LEAD = 2e-3  # every greedy step's top-1 must lead by this much (no near-ties in fixtures)


def common(**kw):
    cfg = {
        "vocab_size": VOCAB,
        "max_position_embeddings": 512,
        "hidden_act": "silu",
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": "float32",
    }
    cfg.update(kw)
    return cfg


VARIANTS = {
    "qwen2": common(
        architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=32,
        intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=False,
        use_sliding_window=False, sliding_window=4096, max_window_layers=2),
    "mistral": common(
        architectures=["MistralForCausalLM"], model_type="mistral", hidden_size=32,
        intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        rope_theta=1000000.0, rms_norm_eps=1e-5, tie_word_embeddings=False, sliding_window=5),
    "llama3": common(
        architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=64,
        intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=True,
        max_position_embeddings=800, torch_dtype="bfloat16",
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 100}),
    "phi3": common(
        architectures=["Phi3ForCausalLM"], model_type="phi3", hidden_size=32,
        intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
        partial_rotary_factor=0.5, sliding_window=9, rope_scaling=None,
        original_max_position_embeddings=512),
    "smollm": common(
        architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=48,
        intermediate_size=64, num_hidden_layers=2, num_attention_heads=3, num_key_value_heads=1,
        rope_theta=100000.0, rms_norm_eps=1e-5, tie_word_embeddings=True),
}


# ---------------------------------------------------------------------------------------------
# Weights: Hugging Face names and [out, in] shapes.

def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def make_weights(cfg, gen):
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    hd = head_dim(cfg)
    q_dim, kv_dim = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    arch = cfg["architectures"][0]

    def randn(*shape, std):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    def norm():  # near 1, but not 1, so that a norm weight that is ignored shows
        return 1.0 + randn(d, std=0.1)

    # Small enough that tied logits (hidden . embedding) stay O(1), like the untied head's.
    w = {"model.embed_tokens.weight": randn(VOCAB, d, std=1.5 * d ** -0.5)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = norm()
        q, k, v = (randn(q_dim, d, std=d ** -0.5), randn(kv_dim, d, std=d ** -0.5),
                   randn(kv_dim, d, std=d ** -0.5))
        if arch == "Phi3ForCausalLM":
            w[p + "self_attn.qkv_proj.weight"] = torch.cat([q, k, v], 0)
        else:
            w[p + "self_attn.q_proj.weight"] = q
            w[p + "self_attn.k_proj.weight"] = k
            w[p + "self_attn.v_proj.weight"] = v
        if arch == "Qwen2ForCausalLM":
            w[p + "self_attn.q_proj.bias"] = randn(q_dim, std=0.5)
            w[p + "self_attn.k_proj.bias"] = randn(kv_dim, std=0.5)
            w[p + "self_attn.v_proj.bias"] = randn(kv_dim, std=0.5)
        w[p + "self_attn.o_proj.weight"] = randn(d, q_dim, std=q_dim ** -0.5)
        w[p + "post_attention_layernorm.weight"] = norm()
        gate, up = randn(f, d, std=d ** -0.5), randn(f, d, std=d ** -0.5)
        if arch == "Phi3ForCausalLM":
            w[p + "mlp.gate_up_proj.weight"] = torch.cat([gate, up], 0)
        else:
            w[p + "mlp.gate_proj.weight"] = gate
            w[p + "mlp.up_proj.weight"] = up
        w[p + "mlp.down_proj.weight"] = randn(d, f, std=f ** -0.5)
    w["model.norm.weight"] = norm()
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = randn(VOCAB, d, std=d ** -0.5)
    # Round to the storage type; the reference computes with exactly the stored values.
    store = torch.bfloat16 if cfg["torch_dtype"] == "bfloat16" else torch.float32
    return {n: t.to(store) for n, t in w.items()}


# ---------------------------------------------------------------------------------------------
# The forward pass (float64), from the Hugging Face definitions' math.

def rope_inv_freq(cfg):
    """Inverse frequencies of the rotated pairs, with the config's rope_scaling applied."""
    rot = int(head_dim(cfg) * cfg.get("partial_rotary_factor", 1.0))
    base = cfg["rope_theta"]
    inv_freq = 1.0 / base ** (torch.arange(0, rot, 2, dtype=torch.float64) / rot)
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor, old_ctx = rs["factor"], rs["original_max_position_embeddings"]
        lo, hi = rs["low_freq_factor"], rs["high_freq_factor"]
        low_freq_wavelen, high_freq_wavelen = old_ctx / lo, old_ctx / hi
        out = []
        for fr in inv_freq.tolist():
            wavelen = 2 * math.pi / fr
            if wavelen < high_freq_wavelen:  # high frequency: unchanged
                out.append(fr)
            elif wavelen > low_freq_wavelen:  # low frequency: slowed by `factor`
                out.append(fr / factor)
            else:  # in between: interpolate smoothly
                smooth = (old_ctx / wavelen - lo) / (hi - lo)
                out.append((1 - smooth) * fr / factor + smooth * fr)
        inv_freq = torch.tensor(out, dtype=torch.float64)
    elif rs:
        raise ValueError("unsupported rope_scaling in a fixture: %r" % rs)
    return inv_freq


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], -1)


def apply_rope(x, cos, sin):
    """x: [T, heads, head_dim]; rotates the first cos.shape[-1] dims ("rotate_half" pairs)."""
    rot = cos.shape[-1]
    xr, xp = x[..., :rot], x[..., rot:]
    xr = xr * cos[:, None, :] + rotate_half(xr) * sin[:, None, :]
    return torch.cat([xr, xp], -1)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def forward(cfg, w, ids):
    """Logits [T, vocab] of the token sequence `ids` (float64)."""
    W = {n: t.to(torch.float64) for n, t in w.items()}
    arch = cfg["architectures"][0]
    d, hd = cfg["hidden_size"], head_dim(cfg)
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    eps = cfg["rms_norm_eps"]
    T = len(ids)
    pos = torch.arange(T, dtype=torch.float64)
    freqs = pos[:, None] * rope_inv_freq(cfg)[None, :]
    emb = torch.cat([freqs, freqs], -1)
    cos, sin = emb.cos(), emb.sin()

    # Causal mask, narrowed to the sliding window where the model has one.
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    allowed = j <= i
    window = cfg.get("sliding_window")
    if window and cfg.get("use_sliding_window", True):
        allowed = allowed & (j > i - window)

    x = W["model.embed_tokens.weight"][torch.tensor(ids)]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        if arch == "Phi3ForCausalLM":
            qkv = h @ W[p + "self_attn.qkv_proj.weight"].T
            q, k, v = qkv.split([nh * hd, nkv * hd, nkv * hd], -1)
        else:
            q = h @ W[p + "self_attn.q_proj.weight"].T
            k = h @ W[p + "self_attn.k_proj.weight"].T
            v = h @ W[p + "self_attn.v_proj.weight"].T
            if arch == "Qwen2ForCausalLM":
                q = q + W[p + "self_attn.q_proj.bias"]
                k = k + W[p + "self_attn.k_proj.bias"]
                v = v + W[p + "self_attn.v_proj.bias"]
        q = apply_rope(q.view(T, nh, hd), cos, sin)
        k = apply_rope(k.view(T, nkv, hd), cos, sin)
        v = v.view(T, nkv, hd)
        rep = nh // nkv  # grouped-query heads: query head h reads KV head h // rep
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd)
        scores = scores.masked_fill(~allowed[None], float("-inf"))
        attn = torch.softmax(scores, -1)
        o = torch.einsum("hts,shd->thd", attn, v).reshape(T, nh * hd)
        x = x + o @ W[p + "self_attn.o_proj.weight"].T

        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        if arch == "Phi3ForCausalLM":
            gate, up = (h @ W[p + "mlp.gate_up_proj.weight"].T).chunk(2, -1)
        else:
            gate = h @ W[p + "mlp.gate_proj.weight"].T
            up = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ W[p + "mlp.down_proj.weight"].T

    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ head.T


def greedy(cfg, w, ids, n):
    seq, leads = list(ids), []
    for _ in range(n):
        last = forward(cfg, w, seq)[-1]
        top2 = torch.topk(last, 2).values
        leads.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(last)))
    return seq[len(ids):], leads


# ---------------------------------------------------------------------------------------------
# Files.

def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        if t.dtype == torch.bfloat16:
            raw, dtype = t.view(torch.int16).numpy().astype("<i2").tobytes(), "BF16"
        else:
            raw, dtype = t.numpy().astype("<f4").tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def build(name, cfg):
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    for seed in range(100):
        gen = torch.Generator().manual_seed(1000 + 17 * seed + len(name))
        w = make_weights(cfg, gen)
        ids = [1] + torch.randint(3, VOCAB, (N_PROMPT - 1,), generator=gen).tolist()
        tokens, leads = greedy(cfg, w, ids, N_GREEDY)
        if min(leads) >= MIN_LEAD:
            break
    else:
        sys.exit(f"{name}: no seed without a greedy near-tie")
    logits = forward(cfg, w, ids)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), w)
    for fn in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(TOKENIZER_DIR, fn), os.path.join(out, fn))
    logits.to(torch.float32).numpy().astype("<f4").tofile(os.path.join(out, "logits.f32"))
    ref = {"prompt": ids, "greedy": tokens, "greedy_top1_minus_top2": leads,
           "vocab_size": VOCAB, "seed": seed,
           "note": "float64 reference forward pass, scripts/torch_reference.py"}
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"{name}: seed {seed}, |logits| max {logits.abs().max():.2f}, "
          f"min greedy lead {min(leads):.4f}, greedy {tokens}")


def main():
    torch.set_num_threads(1)
    names = sys.argv[1:] or list(VARIANTS)
    for name in names:
        build(name, VARIANTS[name])


if __name__ == "__main__":
    main()
