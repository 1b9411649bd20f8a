#!/usr/bin/python3
"""Independent check of `miaotui prune` on a Llama GGUF (dev-time only; see docs/PRUNING.md).

Reads an F32/F16 Llama GGUF with its own reader, runs its own float64 forward pass (numpy; no
code shared with the C++ engine) over the calibration windows exactly as
src/compress/importance.cc cuts them (tokens = BOS + text, windows of CTX tokens, the first
token of each window replaced by BOS, at most CHUNKS windows), and records the input of every
projection:
  attn_q/k/v   the attention-norm output      attn_output  the attention result before wo
  ffn_gate/up  the ffn-norm output            ffn_down     silu(gate) * up
From those it computes, per tensor, the Wanda norm ||X_j|| = sqrt(mean over tokens of x_j^2).

Then, for every pruned GGUF given, per projection tensor:
  - which mask it has (its zeros; the base's own zeros score 0, so every mask holds them),
  - agreement with the masks this script computes itself: Wanda per output row, magnitude per
    row and magnitude per tensor (the Wanda paper's magnitude baseline),
  - the relative output error ||W X - W' X||_F / ||W X||_F on the calibration activations
    (X from the dense model).
With --diag TEXT (not the evaluation text) it prunes one group of tensors at a time (q/k/v,
attn_output, gate/up, down, all) by each ranking (wanda or magnitude, per row or per tensor;
--seq adds Wanda calibrated layer by layer on the already pruned layers, as its reference code
does) and prints the mean KL(base || pruned) per position on --diag-chunks windows.
With --ppl-chunks N it also prints its own perplexity of the base on the first N windows of the
eval text (llama.cpp's convention, as `miaotui perplexity`: second half of each window scored),
to show that this forward pass is the engine's.

Token ids come from the engine's tokenizer (`miaotui tokenize --json`), the one thing shared.

Usage: /usr/bin/python3 scripts/prune_check.py --miaotui BIN --base BASE.gguf --calib TEXT
           [--eval TEXT --ppl-chunks N] [--ctx 128] [--chunks 64] PRUNED.gguf ...
"""

import argparse
import json
import struct
import subprocess
import sys

import numpy as np

ROLES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]


# ----------------------------------------------------------------------------------------------
# GGUF reader (F32 and F16 tensors only; that is what prune reads and writes here)

def read_gguf(path):
    data = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return v[0]

    def string():
        nonlocal pos
        n = take("Q")
        s = data[pos:pos + n].decode("utf-8", "replace")
        pos += n
        return s

    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q",
              12: "d"}

    def value(t):
        if t in scalar:
            return take(scalar[t])
        if t == 8:
            return string()
        if t == 9:
            et, n = take("I"), take("Q")
            return [value(et) for _ in range(n)]
        raise ValueError(f"{path}: unknown metadata type {t}")

    if data[:4] != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    pos = 4
    take("I")  # version
    n_tensors, n_kv = take("Q"), take("Q")
    meta = {}
    for _ in range(n_kv):
        k = string()
        meta[k] = value(take("I"))
    infos = []
    for _ in range(n_tensors):
        name = string()
        nd = take("I")
        ne = [take("Q") for _ in range(nd)]
        infos.append((name, ne, take("I"), take("Q")))
    align = meta.get("general.alignment", 32)
    base = (pos + align - 1) // align * align
    tensors = {}
    for name, ne, t, off in infos:
        count = int(np.prod(ne))
        if t == 0:
            a = np.frombuffer(data, np.float32, count, base + off)
        elif t == 1:
            a = np.frombuffer(data, np.float16, count, base + off).astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name} has type {t}; give an F32/F16 model")
        tensors[name] = a.reshape(list(reversed(ne))).astype(np.float64)  # (rows, cols)
    return meta, tensors


# ----------------------------------------------------------------------------------------------
# Forward pass (Llama, GGUF layout: q/k rows are in the interleaved-pair RoPE order)

def rms_norm(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def rope_interleaved(x, base):  # x: (T, H, D), pairs (2i, 2i+1)
    t, _, d = x.shape
    inv = base ** (-np.arange(0, d, 2) / d)
    ang = np.outer(np.arange(t), inv)[:, None, :]
    c, s = np.cos(ang), np.sin(ang)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = a * c - b * s
    out[..., 1::2] = a * s + b * c
    return out


class Model:
    def __init__(self, meta, w):
        a = meta["general.architecture"] + "."
        self.w = w
        self.n_layer = meta[a + "block_count"]
        self.n_head = meta[a + "attention.head_count"]
        self.n_head_kv = meta.get(a + "attention.head_count_kv", self.n_head)
        self.eps = meta[a + "attention.layer_norm_rms_epsilon"]
        self.rope_base = meta.get(a + "rope.freq_base", 10000.0)
        self.head_dim = meta.get(a + "attention.key_length",
                                 meta[a + "embedding_length"] // self.n_head)
        self.out = w.get("output.weight", w["token_embd.weight"])

    def forward(self, ids, record=None):
        """Logits (T, vocab); record(name, x) gets the input of every projection."""
        w, hd = self.w, self.head_dim
        rec = record or (lambda name, x: None)

        def mm(name, x):
            rec(name, x)
            return x @ w[name].T

        h = w["token_embd.weight"][ids]
        t = len(ids)
        mask = np.triu(np.full((t, t), -np.inf), 1)
        for l in range(self.n_layer):
            p = f"blk.{l}."
            x = rms_norm(h, w[p + "attn_norm.weight"], self.eps)
            q = mm(p + "attn_q.weight", x).reshape(t, self.n_head, hd)
            k = mm(p + "attn_k.weight", x).reshape(t, self.n_head_kv, hd)
            v = mm(p + "attn_v.weight", x).reshape(t, self.n_head_kv, hd)
            q, k = rope_interleaved(q, self.rope_base), rope_interleaved(k, self.rope_base)
            g = self.n_head // self.n_head_kv
            k, v = np.repeat(k, g, axis=1), np.repeat(v, g, axis=1)
            att = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd) + mask
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            o = np.einsum("hts,shd->thd", att, v).reshape(t, self.n_head * hd)
            h = h + mm(p + "attn_output.weight", o)
            x = rms_norm(h, w[p + "ffn_norm.weight"], self.eps)
            gate, up = mm(p + "ffn_gate.weight", x), mm(p + "ffn_up.weight", x)
            h = h + mm(p + "ffn_down.weight", gate / (1 + np.exp(-gate)) * up)
        h = rms_norm(h, w["output_norm.weight"], self.eps)
        return h @ self.out.T


# ----------------------------------------------------------------------------------------------

def tokenize(miaotui, model, text):
    out = subprocess.run([miaotui, "tokenize", "-m", model, "--json", text], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["ids"]


def windows(ids, ctx, chunks, bos):
    n = min(len(ids) // ctx, chunks)
    return [[bos] + ids[c * ctx + 1:(c + 1) * ctx] for c in range(n)]


def row_mask(score, k):
    """Per row, True for the k lowest scores (ties: lower column first, as prune_mask.cc)."""
    order = np.argsort(score, axis=1, kind="stable")[:, :k]
    m = np.zeros(score.shape, bool)
    np.put_along_axis(m, order, True, axis=1)
    return m


def tensor_mask(score, k):
    order = np.argsort(score.ravel(), kind="stable")[:k]
    m = np.zeros(score.size, bool)
    m[order] = True
    return m.reshape(score.shape)


GROUPS = {"attn_qkv": ["attn_q", "attn_k", "attn_v"], "attn_output": ["attn_output"],
          "ffn_gate_up": ["ffn_gate", "ffn_up"], "ffn_down": ["ffn_down"], "all": ROLES}


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def mean_kl(model, weights, wins, base_logp):
    """Mean KL(base || variant) per position over the windows (all positions)."""
    saved = model.w
    model.w = weights
    kl = [(np.exp(b) * (b - log_softmax(model.forward(win)))).sum(-1).mean()
          for win, b in zip(wins, base_logp)]
    model.w = saved
    return float(np.mean(kl))


def masked(w, masks, roles):
    out = dict(w)
    for name, m in masks.items():
        if name.split(".")[2] in roles:
            out[name] = np.where(m, 0.0, w[name])
    return out


def sequential_norms(model, wins, sparsity):
    """Wanda as its reference code calibrates: layer l's norms with layers < l already pruned."""
    w = dict(model.w)
    norms = {}
    for l in range(model.n_layer):
        acc = {}
        model.w, saved = w, model.w
        for win in wins:
            model.forward(win, lambda name, x: name.startswith(f"blk.{l}.") and
                          acc.setdefault(name, []).append(x))
        model.w = saved
        for name, xs in acc.items():
            x = np.concatenate(xs)
            norms[name] = np.sqrt((x * x).mean(0))
            k = int(np.floor(sparsity * w[name].shape[1] + 1e-9))
            w[name] = np.where(row_mask(np.abs(w[name]) * norms[name], k), 0.0, w[name])
    return norms


def diagnose(model, w, norms, calib_wins, diag_wins, sparsity, seq):
    base_logp = [log_softmax(model.forward(win)) for win in diag_wins]
    kinds = ["wanda-row", "wanda-tensor", "mag-row", "mag-tensor"] + (["wanda-seq"] if seq else [])
    masks = {m: {} for m in kinds}
    seq_norms = sequential_norms(model, calib_wins, sparsity) if seq else {}
    for name, nm in norms.items():
        W = w[name]
        k = int(np.floor(sparsity * W.shape[1] + 1e-9))
        masks["wanda-row"][name] = row_mask(np.abs(W) * nm, k)
        masks["wanda-tensor"][name] = tensor_mask(np.abs(W) * nm, k * W.shape[0])
        masks["mag-row"][name] = row_mask(np.abs(W), k)
        masks["mag-tensor"][name] = tensor_mask(np.abs(W), k * W.shape[0])
        if seq:
            masks["wanda-seq"][name] = row_mask(np.abs(W) * seq_norms[name], k)
    print(f"\nKL(base || pruned) per position on {len(diag_wins)} diagnostic windows, pruning only "
          f"the tensors of one group at {sparsity:.2f}:")
    print(f"  {'group':12s} " + " ".join(f"{m:>11s}" for m in masks))
    for g, roles in GROUPS.items():
        row = [mean_kl(model, masked(w, masks[m], roles), diag_wins, base_logp) for m in masks]
        print(f"  {g:12s} " + " ".join(f"{v:11.5f}" for v in row))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--miaotui", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--calib", required=True)
    ap.add_argument("--calib-chars", type=int, default=120000,
                    help="leading characters of the calibration text tokenized (enough for "
                         "the windows used)")
    ap.add_argument("--eval")
    ap.add_argument("--ppl-chunks", type=int, default=0)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--chunks", type=int, default=64)
    ap.add_argument("--sparsity", type=float, default=0.5)
    ap.add_argument("--diag", help="text for the per-group KL diagnosis (not the eval text)")
    ap.add_argument("--diag-chunks", type=int, default=16)
    ap.add_argument("--seq", action="store_true",
                    help="diagnosis: also Wanda calibrated layer by layer on the pruned prefix")
    ap.add_argument("pruned", nargs="*")
    a = ap.parse_args()

    meta, w = read_gguf(a.base)
    model = Model(meta, w)
    bos = meta.get("tokenizer.ggml.bos_token_id", 1)

    if a.eval and a.ppl_chunks:
        ids = tokenize(a.miaotui, a.base, open(a.eval).read()[:200000])
        nll, n = 0.0, 0
        for win in windows(ids, a.ctx, a.ppl_chunks, bos):
            logits = model.forward(win)
            for i in range(a.ctx // 2, a.ctx - 1):
                z = logits[i] - logits[i].max()
                nll -= z[win[i + 1]] - np.log(np.exp(z).sum())
                n += 1
        print(f"own perplexity of the base, {a.ppl_chunks} windows of {a.ctx}: "
              f"{np.exp(nll / n):.4f} ({n} tokens scored)")

    text = open(a.calib).read()[:a.calib_chars]
    ids = tokenize(a.miaotui, a.base, text)
    wins = windows(ids, a.ctx, a.chunks, bos)
    xs = {}
    for win in wins:
        model.forward(win, lambda name, x: xs.setdefault(name, []).append(x))
    xs = {k: np.concatenate(v) for k, v in xs.items()}
    print(f"calibration: {len(wins)} windows, {len(wins) * a.ctx} tokens")
    norms = {k: np.sqrt((x * x).mean(0)) for k, x in xs.items()}
    for k in sorted(norms, key=lambda s: (int(s.split(".")[1]), ROLES.index(s.split(".")[2]))):
        nm = norms[k]
        print(f"  {k:28s} ||X_j||: min {nm.min():.4f} median {np.median(nm):.4f} "
              f"max {nm.max():.4f} max/median {nm.max() / np.median(nm):.2f}")

    files = [(p, read_gguf(p)[1]) for p in a.pruned]
    print("\nper tensor: agreement of each file's mask with wanda-row / magnitude-row / "
          "magnitude-tensor masks computed here, and its relative output error on X")
    totals = {p: [0.0, 0.0] for p, _ in files}
    for name in sorted(norms, key=lambda s: (int(s.split(".")[1]), ROLES.index(s.split(".")[2]))):
        W = w[name]
        X = xs[name]
        k = int(np.floor(a.sparsity * W.shape[1] + 1e-9))
        mine = {"wanda-row": row_mask(np.abs(W) * norms[name], k),
                "mag-row": row_mask(np.abs(W), k),
                "mag-tensor": tensor_mask(np.abs(W), k * W.shape[0])}
        Y = X @ W.T
        for path, pw in files:
            P = pw[name]
            pruned = P == 0  # the base's own zeros score 0: in every mask
            agree = " ".join(f"{m} {100 * (pruned == mm).mean():6.2f}%" for m, mm in mine.items())
            err = np.linalg.norm(X @ (W - P).T)
            totals[path][0] += err ** 2
            totals[path][1] += np.linalg.norm(Y) ** 2
            print(f"  {name:28s} {path.split('/')[-1]:22s} zeros {100 * (P == 0).mean():5.1f}% "
                  f"{agree}  rel.err {err / np.linalg.norm(Y):.4f}")
    for path, (e, y) in totals.items():
        print(f"all projections: {path}: relative output error {np.sqrt(e / y):.4f}")
    if a.diag:
        ids = tokenize(a.miaotui, a.base, open(a.diag).read()[:a.calib_chars])
        diagnose(model, w, norms, wins, windows(ids, a.ctx, a.diag_chunks, bos), a.sparsity,
                 a.seq)


if __name__ == "__main__":
    sys.exit(main())
