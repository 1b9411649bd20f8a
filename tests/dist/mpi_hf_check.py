#!/usr/bin/env python3
"""Run under ctest (label "mpi"): a Hugging Face folder, split into two safetensors shards with an
index, under mpirun -np 2 --tp 2 / --pp 2 gives the greedy tokens of one process on the original
folder, and prompt logits within 1e-4.

Each rank gets its own copy of the folder in which every weight byte that rank must NOT read (the
other tensor-parallel rank's rows and columns, or the other pipeline stage's layers) is NaN. The
headers are unchanged, so the ranks' fingerprints agree; a rank that read a byte outside its shard
would compute NaN and the tokens or logits would differ. Mode "mismatch": rank 1's folder splits
the tensors differently, which must end the run naming rank 1.

usage: mpi_hf_check.py MIAOTUI HF_FOLDER {tp,pp,mismatch} MPIRUN [mpirun options...]"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

cli, src, mode, mpirun, mpi_opts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
src = os.path.abspath(src)
NAN = struct.pack("<f", float("nan"))
PROMPT = "Once upon a time, there was a little dog named"


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", f"{name}: this test handles F32 only"
        b, e = t["data_offsets"]
        tensors[name] = (t["shape"], bytearray(data[b:e]))
    return tensors


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, (shape, data) in tensors.items():
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(data)]}
        blobs.append(bytes(data))
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def layer_of(name):
    m = re.match(r"model\.layers\.(\d+)\.", name)
    return int(m.group(1)) if m else None


def poison(shape, data, keep_rows=None, keep_cols=None):
    """NaN everywhere outside rows [r0, r1) (or columns [c0, c1)) of a row-major [rows, cols]."""
    rows, cols = shape if len(shape) == 2 else (1, shape[0])
    for r in range(rows):
        for c in range(cols):
            if keep_rows and keep_rows[0] <= r < keep_rows[1]:
                continue
            if keep_cols and keep_cols[0] <= c < keep_cols[1]:
                continue
            data[4 * (r * cols + c):4 * (r * cols + c + 1)] = NAN


def rank_folder(dst, tensors, config, rank, split_at):
    """A copy of the folder for `rank`: two shards (layers < split_at in the first) and an index."""
    os.makedirs(dst)
    for f in os.listdir(src):
        if f != "model.safetensors":
            os.symlink(os.path.join(src, f), os.path.join(dst, f))
    t = {name: (shape, bytearray(data)) for name, (shape, data) in tensors.items()}
    n_layer = config["num_hidden_layers"]
    if mode == "tp":
        hd = config["hidden_size"] // config["num_attention_heads"]
        q = config["num_attention_heads"] // 2 * hd
        kv = config["num_key_value_heads"] // 2 * hd
        ff = config["intermediate_size"] // 2
        own = {"q_proj": ("rows", q), "k_proj": ("rows", kv), "v_proj": ("rows", kv),
               "o_proj": ("cols", q), "gate_proj": ("rows", ff), "up_proj": ("rows", ff),
               "down_proj": ("cols", ff)}
        for name, (shape, data) in t.items():
            kind = next((own[k] for k in own if f".{k}." in name), None)
            if kind:
                span = (rank * kind[1], (rank + 1) * kind[1])
                poison(shape, data, **{"keep_" + kind[0]: span})
    elif mode == "pp":
        first = (n_layer + 1) // 2  # stage 0 runs layers [0, first) (StageLayers: near-equal)
        for name, (shape, data) in t.items():
            layer = layer_of(name)
            if layer is not None and (layer < first) != (rank == 0):
                poison(shape, data)
    files = {1: {}, 2: {}}
    for name, v in t.items():
        layer = layer_of(name)
        files[1 if layer is None and "embed" in name or layer is not None and layer < split_at
              else 2][name] = v
    weight_map = {}
    for i, part in files.items():
        fname = f"model-0000{i}-of-00002.safetensors"
        write_safetensors(os.path.join(dst, fname), part)
        weight_map.update({name: fname for name in part})
    with open(os.path.join(dst, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)


def run_args(model, logits):
    return [cli, "run", "-m", model, "-p", PROMPT, "-n", "16", "--temp", "0", "--ignore-eos",
            "-t", "1", "--kv-type", "f32", "--json", "--logits-out", logits,
            "--dist-timeout", "20"]


def floats(path):
    data = open(path, "rb").read()
    return struct.unpack(f"{len(data) // 4}f", data)


with tempfile.TemporaryDirectory() as tmp:
    tensors = read_safetensors(os.path.join(src, "model.safetensors"))
    config = json.load(open(os.path.join(src, "config.json")))
    dirs = [f"{tmp}/rank{r}" for r in range(2)]
    for r in range(2):
        rank_folder(dirs[r], tensors, config, r, 2 if mode == "mismatch" and r == 1 else 3)
    mode_flag = "--pp" if mode == "pp" else "--tp"
    two = [mpirun] + mpi_opts
    for r in range(2):
        two += (["-np", "1"] + run_args(dirs[r], f"{tmp}/two.f32") + [mode_flag, "2"] +
                ([":"] if r == 0 else []))
    out2 = subprocess.run(two, capture_output=True, text=True, timeout=120)
    if mode == "mismatch":
        if out2.returncode == 0 or "rank 1's model file differs from rank 0's" not in out2.stderr:
            sys.exit(f"expected an error naming rank 1 ({out2.returncode}):\n{out2.stderr}")
        print("mismatched sharded folder on rank 1: refused, naming it")
        sys.exit(0)
    out1 = subprocess.run(run_args(src, f"{tmp}/one.f32"), capture_output=True, text=True,
                          timeout=120)
    for name, out in (("one process", out1), (f"{mode}=2", out2)):
        if out.returncode != 0:
            sys.exit(f"{name} failed ({out.returncode}):\n{out.stderr}")
    one = json.loads(out1.stdout.strip().splitlines()[-1])
    two = json.loads(out2.stdout.strip().splitlines()[-1])
    if one["tokens"] != two["tokens"]:
        sys.exit(f"tokens differ:\n one process {one['tokens']}\n {mode}=2 {two['tokens']}")
    a, b = floats(f"{tmp}/one.f32"), floats(f"{tmp}/two.f32")
    diff = max(abs(x - y) for x, y in zip(a, b)) if len(a) == len(b) and a else float("inf")
    print(f"{mode}=2 from a sharded HF folder, each rank's foreign bytes NaN: "
          f"{len(one['tokens'])} tokens identical, max logit diff {diff:.2e}")
    if not diff <= 1e-4:
        sys.exit(f"max logit difference {diff} > 1e-4 (or sizes differ: {len(a)} vs {len(b)})")
