#!/usr/bin/python3
"""Trains the Shakespeare model that ships with miaotui (dev-time only; the result is committed).

What it does, in order (everything seeded, so a rerun on the same software gives the same files):
  1. Splits tinyshakespeare.txt at the first line break after 90% of its characters: the first
     part trains, the last 10% is held out for evaluation (written as heldout.txt). The last 5% of
     the training part is a validation slice that picks the best checkpoint (early stopping), so
     the held-out text is never looked at before the final evaluation.
  2. Trains a SentencePiece BPE tokenizer on the training part: --vocab pieces (default 2048),
     byte fallback, split digits, identity normalization, a dummy prefix, spaces kept as they are
     (remove_extra_whitespaces off), so the Hugging Face "fast" form written below (normalizer
     Prepend "▁" + Replace " "->"▁", BPE with byte fallback) and llama.cpp-style SentencePiece
     encoders give the same ids. Line breaks are never inside a piece: they are the byte <0x0A>.
  3. Trains a Llama-architecture model (RMSNorm, RoPE in the Hugging Face rotate-half layout,
     SwiGLU, tied embeddings; default n_embd 512, 4 layers, 8 heads of 64, n_ff 1280: 13.1M
     parameters; every width a multiple of 256 so every GGUF quantization format applies) on
     windows of --ctx tokens that start with BOS, as `miaotui perplexity` evaluates them.
  4. Saves a Hugging Face folder: config.json (LlamaForCausalLM), model.safetensors (written by
     hand: 8-byte little-endian header length, JSON header, data; F16 by default),
     tokenizer.model, tokenizer.json, tokenizer_config.json (with a chat template: "USER:" /
     "BARD:" speeches separated by blank lines, as the plays are written), special_tokens_map.json,
     generation_config.json, heldout.txt, and train_log.json (the loss curve, the held-out loss
     and perplexity in `miaotui perplexity`'s windows, a unigram baseline on the same held-out
     tokens, tokenizer samples with their ids, a generated sample).

Runs with Debian bookworm's python3-torch (1.13) and python3-sentencepiece on a CPU, and with
torch 2.x on a GPU (a couple of minutes with the defaults):

  python3 scripts/train_tiny.py --data ../shared/data/tinyshakespeare.txt --out /tmp/shakespeare-hf

CPU speed, measured on a 2-core machine shared with compilers (load average ~13):
  - Debian's torch calls whatever libblas.so.3 the alternatives system points at; with only
    libblas3 installed that is the netlib reference BLAS, ~8x slower per matmul than OpenBLAS
    (4.4 vs 34 GFLOP/s on a 1024x512x1280 product). Install libopenblas0-openmp first (dev-time
    only; the script warns when it finds the reference BLAS loaded).
  - On a loaded machine use --threads 1: OpenMP's threads spin at each barrier while the other
    one waits for a core; 2 threads were 8x slower than 1 under that load (24 vs 190 tokens/s).
  Together: the 1.8M-parameter model trained at ~114 tokens/s with reference BLAS and 2 threads;
  OpenBLAS and 1 thread train it at ~600-800 tokens/s and the 11.5M model at ~190 on the same
  loaded machine. Every validation costs a forward pass over the 19.6k-token slice (about a
  third of a training step per token), so --eval-every should leave most of the time to steps.

Then convert and check it with the project's own tools (Q8_0 keeps a 10-20M model under 16 MB):

  build/release/bin/miaotui convert /tmp/shakespeare-hf models/shakespeare-11.5M.gguf --type q8_0
  build/release/bin/miaotui perplexity -m models/shakespeare-11.5M.gguf \
      -f /tmp/shakespeare-hf/heldout.txt -c 128

--verify (needs transformers) also loads the folder with transformers and compares its logits
and its tokenizer (built from tokenizer.json, and converted from tokenizer.model) with ours.
"""

import argparse
import json
import math
import os
import random
import shutil
import struct
import sys
import tempfile
import time

import numpy as np
import sentencepiece as spm
import torch
import torch.nn as nn
import torch.nn.functional as F

BOS, EOS, UNK = 1, 2, 0

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n"
    "{% elif message['role'] == 'user' %}"
    "{% if loop.first or messages[loop.index0 - 1]['role'] != 'assistant' %}USER:{% endif %}"
    "{{ '\\n' + message['content'] + '\\n\\n' }}"
    "{% elif message['role'] == 'assistant' %}BARD:\n{{ message['content'] }}\n\nUSER:"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}BARD:\n{% endif %}")

SAMPLES = [
    "First Citizen:\nBefore we proceed any further, hear me speak.\n",
    "ROMEO:\nBut, soft! what light through yonder window breaks?",
    "  two  spaces, digits 1234 and 56, tabs\tand caf\u00e9 \u2014 \u00e6sop \U0001F600!",
    "Hello world",
    "KING RICHARD III:\nNow is the winter of our discontent",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="tinyshakespeare.txt")
    p.add_argument("--out", required=True, help="output folder (Hugging Face layout)")
    p.add_argument("--vocab", type=int, default=2048)
    p.add_argument("--n-embd", type=int, default=512)
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-head", type=int, default=8)
    p.add_argument("--n-ff", type=int, default=1280)
    p.add_argument("--ctx", type=int, default=256, help="training window (tokens, BOS included)")
    p.add_argument("--max-pos", type=int, default=512, help="max_position_embeddings in config")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--iters", type=int, default=4000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--patience", type=int, default=8, help="evals without improvement to stop")
    p.add_argument("--max-minutes", type=float, default=0, help="stop training after (0: none)")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    p.add_argument("--save-dtype", default="f16", choices=["f16", "f32"])
    p.add_argument("--eval-limit", type=int, default=0,
                   help="evaluate on at most N tokens (a quick smoke test; 0: all)")
    p.add_argument("--verify", action="store_true", help="compare with transformers")
    return p.parse_args()


def warn_if_reference_blas():
    """Debian's torch uses the system libblas.so.3: warns when that is the netlib reference
    implementation (only libblas3 installed), which makes CPU training about 8x slower."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # make sure the BLAS is loaded
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    except OSError:
        return
    if any("/blas/libblas.so" in lib for lib in libs):
        print("warning: torch runs on the reference BLAS (" + sorted(libs)[0] + "); training "
              "on a CPU is about 8x faster with OpenBLAS: apt-get install libopenblas0-openmp",
              file=sys.stderr, flush=True)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def split_text(text):
    """Returns (train, valid, heldout): cuts after a line break past 90%, then past 95% of train."""
    def cut_after(s, frac):
        return s.index("\n", int(len(s) * frac)) + 1
    cut = cut_after(text, 0.9)
    train_all, heldout = text[:cut], text[cut:]
    vcut = cut_after(train_all, 0.95)
    return train_all, train_all[:vcut], train_all[vcut:], heldout, cut


# ----------------------------------------------------------------------------------------------
# Tokenizer


def train_tokenizer(train_text, vocab, out_dir, seed):
    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, "train.txt")
        with open(lines, "w", encoding="utf-8") as f:
            f.write(train_text)
        prefix = os.path.join(tmp, "tokenizer")
        spm.SentencePieceTrainer.train(
            input=lines, model_prefix=prefix, model_type="bpe", vocab_size=vocab,
            byte_fallback=True, split_digits=True, normalization_rule_name="identity",
            add_dummy_prefix=True, remove_extra_whitespaces=False, character_coverage=1.0,
            unk_id=UNK, bos_id=BOS, eos_id=EOS, pad_id=-1, max_sentence_length=1 << 16,
            input_sentence_size=0, shuffle_input_sentence=False, num_threads=1)
        shutil.copy(prefix + ".model", os.path.join(out_dir, "tokenizer.model"))
    return spm.SentencePieceProcessor(model_file=os.path.join(out_dir, "tokenizer.model"))


def spm_merges(sp):
    """Merges as transformers' SentencePieceExtractor derives them from piece scores."""
    n = sp.get_piece_size()
    vocab = {sp.id_to_piece(i): i for i in range(n)}
    scores = {sp.id_to_piece(i): sp.get_score(i) for i in range(n)}
    merges = []
    for piece, score in scores.items():
        local = []
        for k in range(1, len(piece)):
            left, right = piece[:k], piece[k:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: m[2], reverse=True)  # stable: ties keep their order
    return [m[0] + " " + m[1] for m in merges]


def tokenizer_json(sp):
    n = sp.get_piece_size()
    vocab = {sp.id_to_piece(i): i for i in range(n)}
    added = []
    for i in range(n):
        if sp.is_control(i) or sp.is_unknown(i):
            added.append({"id": i, "content": sp.id_to_piece(i), "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False,
                          "special": True})
    bos = sp.id_to_piece(BOS)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": bos, "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [BOS], "tokens": [bos]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": sp.id_to_piece(UNK),
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": spm_merges(sp)},
    }


def encode(sp, text):
    """sp.encode(text) for a long text, computed line by line (SentencePiece is slow on one long
    string). Exact: no piece contains a line break (the byte token <0x0A>), so merges never cross
    one; a line after a break is encoded as "\n" + line, whose tokens after the dummy prefix's
    are the line's tokens in the whole text."""
    lines = text.split("\n")
    if lines[0] or len(lines) == 1:
        out, lines = sp.encode(lines[0]), lines[1:]
    else:  # the text starts with a line break: the dummy prefix comes before it
        out, lines = sp.encode("\n" + lines[1]), lines[2:]
    rest = sp.encode(["\n" + line for line in lines])
    nl = sp.piece_to_id("<0x0A>")
    for ids in rest:
        out.extend(ids[ids.index(nl):])
    return out


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def save_tokenizer_files(sp, out_dir, max_pos):
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer_json(sp))
    special = {"bos_token": sp.id_to_piece(BOS), "eos_token": sp.id_to_piece(EOS),
               "unk_token": sp.id_to_piece(UNK)}
    write_json(os.path.join(out_dir, "special_tokens_map.json"), special)
    cfg = {"add_bos_token": True, "add_eos_token": False, "pad_token": None,
           "clean_up_tokenization_spaces": False, "legacy": True,
           "model_max_length": max_pos, "sp_model_kwargs": {},
           "tokenizer_class": "LlamaTokenizer", "chat_template": CHAT_TEMPLATE}
    cfg.update(special)
    write_json(os.path.join(out_dir, "tokenizer_config.json"), cfg)


# ----------------------------------------------------------------------------------------------
# Model (the Hugging Face Llama math; parameter names as LlamaForCausalLM's state dict)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * xf.type_as(x)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.n_head, self.head_dim = a.n_head, a.n_embd // a.n_head
        self.q_proj = nn.Linear(a.n_embd, a.n_embd, bias=False)
        self.k_proj = nn.Linear(a.n_embd, a.n_embd, bias=False)
        self.v_proj = nn.Linear(a.n_embd, a.n_embd, bias=False)
        self.o_proj = nn.Linear(a.n_embd, a.n_embd, bias=False)
        self.dropout = a.dropout

    def forward(self, x, cos, sin):
        b, t, c = x.shape
        def heads(y):
            return y.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        p = self.dropout if self.training else 0.0
        if hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:  # torch 1.13
            att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
            att = F.dropout(att.masked_fill(mask, float("-inf")).softmax(-1), p)
            y = att @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, c))


class MLP(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.gate_proj = nn.Linear(a.n_embd, a.n_ff, bias=False)
        self.up_proj = nn.Linear(a.n_embd, a.n_ff, bias=False)
        self.down_proj = nn.Linear(a.n_ff, a.n_embd, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.input_layernorm = RMSNorm(a.n_embd, 1e-5)
        self.self_attn = Attention(a)
        self.post_attention_layernorm = RMSNorm(a.n_embd, 1e-5)
        self.mlp = MLP(a)
        self.drop = nn.Dropout(a.dropout)

    def forward(self, x, cos, sin):
        x = x + self.drop(self.self_attn(self.input_layernorm(x), cos, sin))
        return x + self.drop(self.mlp(self.post_attention_layernorm(x)))


class Body(nn.Module):
    def __init__(self, a, vocab):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, a.n_embd)
        self.layers = nn.ModuleList([Layer(a) for _ in range(a.n_layer)])
        self.norm = RMSNorm(a.n_embd, 1e-5)


class Llama(nn.Module):
    def __init__(self, a, vocab):
        super().__init__()
        self.model = Body(a, vocab)
        self.drop = nn.Dropout(a.dropout)
        head_dim = a.n_embd // a.n_head
        inv = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2).float() / head_dim))
        ang = torch.outer(torch.arange(a.max_pos).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * a.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        t = idx.shape[1]
        cos, sin = self.cos[:t].to(idx.device), self.sin[:t].to(idx.device)
        x = self.drop(self.model.embed_tokens(idx))
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        x = self.model.norm(x)
        return x @ self.model.embed_tokens.weight.t()  # tied output


# ----------------------------------------------------------------------------------------------
# Data and evaluation


def windows(tokens, ctx):
    """Deterministic evaluation windows: BOS + ctx-1 tokens, targets the next ctx tokens."""
    xs, ys = [], []
    for s in range(0, len(tokens) - ctx, ctx - 1):
        seg = tokens[s:s + ctx]
        xs.append([BOS] + seg[:-1])
        ys.append(seg)
    return torch.tensor(xs), torch.tensor(ys)


@torch.no_grad()
def mean_loss(model, xs, ys, device, batch):
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(xs), batch):
        x, y = xs[i:i + batch].to(device), ys[i:i + batch].to(device)
        logits = model(x).float()
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                 reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


@torch.no_grad()
def perplexity_windows(model, tokens, ctx, device):
    """llama-perplexity's windows: chunks of ctx tokens, the first replaced by BOS, the second
    half scored. Returns (mean nll, tokens scored)."""
    model.eval()
    first = ctx // 2
    total, count = 0.0, 0
    for c in range(len(tokens) // ctx):
        chunk = list(tokens[c * ctx:(c + 1) * ctx])
        chunk[0] = BOS
        x = torch.tensor([chunk], device=device)
        logits = model(x).float()[0]
        logp = logits.log_softmax(-1)
        for j in range(first, ctx - 1):
            total -= logp[j, chunk[j + 1]].item()
            count += 1
    return total / count, count


def unigram_baseline(train_tokens, eval_tokens, vocab):
    """Add-one smoothed unigram distribution of the training tokens, cross-entropy on eval."""
    counts = np.bincount(np.asarray(train_tokens), minlength=vocab).astype(np.float64) + 1.0
    logp = np.log(counts / counts.sum())
    nll = -logp[np.asarray(eval_tokens)].mean()
    return float(nll)


@torch.no_grad()
def generate(model, sp, prompt, n, device, temp, seed):
    g = torch.Generator(device="cpu")
    g.manual_seed(seed)
    model.eval()
    ids = [BOS] + encode(sp, prompt)
    for _ in range(n):
        x = torch.tensor([ids[-model.cos.shape[0]:]], device=device)
        logits = model(x)[0, -1].float().cpu()
        if temp <= 0:
            nxt = int(logits.argmax())
        else:
            nxt = int(torch.multinomial((logits / temp).softmax(-1), 1, generator=g))
        ids.append(nxt)
    return sp.decode(ids[1:])


# ----------------------------------------------------------------------------------------------
# Saving


def write_safetensors(path, tensors, dtype):
    np_dtype, st_dtype = (np.float16, "F16") if dtype == "f16" else (np.float32, "F32")
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        data = t.detach().float().cpu().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": st_dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def save_model(model, a, vocab, out_dir):
    tensors = [(n, p) for n, p in model.state_dict().items() if n.startswith("model.")]
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors, a.save_dtype)
    write_json(os.path.join(out_dir, "config.json"), {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "hidden_size": a.n_embd, "intermediate_size": a.n_ff,
        "num_hidden_layers": a.n_layer, "num_attention_heads": a.n_head,
        "num_key_value_heads": a.n_head, "head_dim": a.n_embd // a.n_head,
        "vocab_size": vocab, "max_position_embeddings": a.max_pos,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
        "tie_word_embeddings": True, "attention_bias": False, "mlp_bias": False,
        "bos_token_id": BOS, "eos_token_id": EOS,
        "torch_dtype": "float16" if a.save_dtype == "f16" else "float32"})
    write_json(os.path.join(out_dir, "generation_config.json"), {
        "bos_token_id": BOS, "eos_token_id": EOS, "do_sample": True, "temperature": 0.8,
        "top_k": 40, "top_p": 0.95, "max_length": a.max_pos})


# ----------------------------------------------------------------------------------------------


def _verify_tokenizers(out_dir, sp, res):
    import transformers
    from tokenizers import Tokenizer
    fast = Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))
    conv = transformers.LlamaTokenizerFast(vocab_file=os.path.join(out_dir, "tokenizer.model"),
                                           from_slow=True, legacy=True)
    text = open(os.path.join(out_dir, "heldout.txt"), encoding="utf-8").read()
    mism = {}
    for i, s in enumerate(SAMPLES + [text[:20000]]):
        want = encode(sp, s)
        got = fast.encode(s, add_special_tokens=False).ids
        got2 = conv(s, add_special_tokens=False)["input_ids"]
        if want != got or want != got2:
            mism[str(i)] = {"ours_json": want == got, "transformers_converted": want == got2}
    res["tokenizer_mismatches"] = mism
    conv_json = json.loads(conv.backend_tokenizer.to_str())
    mine = json.load(open(os.path.join(out_dir, "tokenizer.json"), encoding="utf-8"))
    cm = [m if isinstance(m, str) else " ".join(m) for m in conv_json["model"]["merges"]]
    res["merges_equal_transformers"] = cm == mine["model"]["merges"]
    res["vocab_equal_transformers"] = conv_json["model"]["vocab"] == mine["model"]["vocab"]


def verify(out_dir, model, sp, device, log):
    """Optional: transformers loads the folder; logits and tokenizers must agree with ours."""
    import transformers
    from tokenizers import Tokenizer
    res = {"transformers": transformers.__version__}
    hf = transformers.LlamaForCausalLM.from_pretrained(out_dir, torch_dtype=torch.float32).eval()
    ids = [BOS] + encode(sp, SAMPLES[0])
    with torch.no_grad():
        ref = hf(torch.tensor([ids])).logits[0]
        model.eval()
        ours = model.float().cpu()(torch.tensor([ids]))[0]
        model.to(device)
    res["max_abs_logit_diff_vs_ours_f16_weights"] = float((ref - ours).abs().max())
    res["reference_ids"] = ids  # reference_logits.f32: transformers' logits, [n_ids, vocab]
    ref.numpy().astype(np.float32).tofile(os.path.join(out_dir, "reference_logits.f32"))
    res["last_logits_top5"] = [[int(i), float(ref[-1, i])] for i in ref[-1].topk(5).indices]
    try:
        _verify_tokenizers(out_dir, sp, res)
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        res["tokenizer_error"] = repr(e)
    log["verify"] = res
    print("verify:", json.dumps(res), flush=True)


def main():
    a = parse_args()
    a.max_pos = max(a.max_pos, a.ctx)
    seed_everything(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    device = a.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        warn_if_reference_blas()
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()

    text = open(a.data, encoding="utf-8").read()
    train_all, train_text, valid_text, heldout_text, cut = split_text(text)
    with open(os.path.join(a.out, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write(heldout_text)
    sp = train_tokenizer(train_all, a.vocab, a.out, a.seed)
    save_tokenizer_files(sp, a.out, a.max_pos)
    vocab = sp.get_piece_size()
    train_tok = encode(sp, train_text)
    valid_tok = encode(sp, valid_text)
    held_tok = encode(sp, heldout_text)
    print(f"chars {len(text)} (held out from byte {len(text[:cut].encode('utf-8'))}), tokens "
          f"train {len(train_tok)} valid {len(valid_tok)} heldout {len(held_tok)}, "
          f"vocab {vocab}", flush=True)
    if a.eval_limit:
        valid_tok, held_tok = valid_tok[:a.eval_limit], held_tok[:a.eval_limit]
    unigram = unigram_baseline(encode(sp, train_all), held_tok, vocab)

    model = Llama(a, vocab).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params}", flush=True)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    data = torch.tensor(train_tok, dtype=torch.long)
    vx, vy = windows(valid_tok, a.ctx)
    gen = torch.Generator(device="cpu")
    gen.manual_seed(a.seed)
    amp = device == "cuda" and torch.cuda.is_bf16_supported()

    def lr_at(it):
        if it < a.warmup:
            return a.lr * (it + 1) / a.warmup
        r = (it - a.warmup) / max(1, a.iters - a.warmup)
        if a.max_minutes:  # with a time budget, the schedule follows whichever ends first
            r = max(r, (time.time() - t_train) / (60 * a.max_minutes))
        return a.min_lr + 0.5 * (a.lr - a.min_lr) * (1 + math.cos(math.pi * min(1.0, r)))

    curve, best, best_state, bad, smooth = [], float("inf"), None, 0, None
    t_train = time.time()
    step_seconds, step_tokens = 0.0, 0  # training steps only, since the last evaluation
    offsets = torch.arange(a.ctx - 1)
    for it in range(a.iters + 1):
        if it % a.eval_every == 0 or it == a.iters:
            t_eval = time.time()
            vl = mean_loss(model, vx, vy, device, a.batch)
            curve.append({"iter": it, "train_loss": None if smooth is None else round(smooth, 4),
                          "valid_loss": round(vl, 4), "seconds": round(time.time() - t0, 1),
                          "eval_seconds": round(time.time() - t_eval, 1),
                          "train_tokens_per_s": round(step_tokens / step_seconds, 1)
                          if step_seconds else None})
            step_seconds, step_tokens = 0.0, 0
            print(json.dumps(curve[-1]), flush=True)
            if vl < best:
                best, bad = vl, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
            if bad >= a.patience or it == a.iters:
                break
            if a.max_minutes and time.time() - t_train > 60 * a.max_minutes:
                break
        t_step = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        starts = torch.randint(0, len(data) - a.ctx, (a.batch,), generator=gen)
        seg = data[starts[:, None] + offsets[None, :].expand(a.batch, -1)]
        y = data[starts[:, None] + torch.arange(a.ctx)[None, :]]
        x = torch.cat([torch.full((a.batch, 1), BOS, dtype=torch.long), seg], dim=1)
        x, y = x.to(device), y.to(device)
        if amp:
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                logits = model(x)
        else:
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        step_seconds += time.time() - t_step
        step_tokens += y.numel()

    model.load_state_dict(best_state)
    if a.save_dtype == "f16":  # evaluate what is saved
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
    hx, hy = windows(held_tok, a.ctx)
    held = mean_loss(model, hx, hy, device, a.batch)
    ppl_nll, ppl_n = perplexity_windows(model, held_tok, a.ctx, device)
    save_model(model, a, vocab, a.out)
    log = {
        "data": {"file": os.path.basename(a.data), "chars": len(text),
                 "heldout_from_char": cut,
                 "heldout_from_byte": len(text[:cut].encode("utf-8")),
                 "tokens_train": len(train_tok), "tokens_valid": len(valid_tok),
                 "tokens_heldout": len(held_tok)},
        "args": vars(a), "parameters": n_params, "vocab": vocab,
        "torch": torch.__version__, "device": device,
        "curve": curve, "best_valid_loss": round(best, 4),
        "heldout_loss_all_positions": round(held, 4),
        "heldout_perplexity_windows": {"ctx": a.ctx, "nll": round(ppl_nll, 4),
                                       "ppl": round(math.exp(ppl_nll), 3), "scored": ppl_n},
        "unigram_baseline_heldout": {"nll": round(unigram, 4),
                                     "ppl": round(math.exp(unigram), 3)},
        "tokenizer_samples": [{"text": s, "ids": encode(sp, s)} for s in SAMPLES],
        "sample_temp0.8": generate(model, sp, "ROMEO:\n", 200, device, 0.8, a.seed),
        "sample_greedy": generate(model, sp, "First Citizen:\n", 80, device, 0.0, a.seed),
        "seconds": round(time.time() - t0, 1),
    }
    if a.verify:
        try:
            verify(a.out, model, sp, device, log)
        except Exception as e:  # noqa: BLE001 - reported, not fatal
            log["verify"] = {"error": repr(e)}
            print("verify failed:", repr(e), flush=True)
    write_json(os.path.join(a.out, "train_log.json"), log)
    print(json.dumps({k: log[k] for k in ("parameters", "best_valid_loss",
                                          "heldout_loss_all_positions",
                                          "heldout_perplexity_windows",
                                          "unigram_baseline_heldout", "seconds")}), flush=True)
    print(log["sample_temp0.8"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
