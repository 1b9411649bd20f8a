#!/usr/bin/env python3
"""Run under ctest (label "mpi"): `miaotui run` under mpirun -np 2 with --tp 2 or --pp 2, or -np 4
with --tp 2 --pp 2 ("tppp"), must give the greedy tokens of one process exactly and prompt logits
within 1e-4.

usage: mpi_check.py MIAOTUI MODEL {tp,pp,tppp} MPIRUN [mpirun options...]"""
import json
import struct
import subprocess
import sys
import tempfile

cli, model, mode, mpirun, mpi_opts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
prompt = "Once upon a time, there was a little dog named"
with tempfile.TemporaryDirectory() as tmp:
    def run(prefix, extra, logits):
        cmd = prefix + [cli, "run", "-m", model, "-p", prompt, "-n", "16", "--temp", "0",
                        "--ignore-eos", "-t", "1", "--kv-type", "f32", "--json",
                        "--logits-out", logits, "--dist-timeout", "20"] + extra
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def floats(path):
        data = open(path, "rb").read()
        return struct.unpack(f"{len(data) // 4}f", data)

    one = run([], [], f"{tmp}/one.f32")
    ranks, flags = (4, ["--tp", "2", "--pp", "2"]) if mode == "tppp" else (2, [f"--{mode}", "2"])
    two = run([mpirun, "-np", str(ranks)] + mpi_opts, flags, f"{tmp}/two.f32")
    if one["tokens"] != two["tokens"]:
        sys.exit(f"tokens differ:\n one process {one['tokens']}\n {mode}=2      {two['tokens']}")
    a, b = floats(f"{tmp}/one.f32"), floats(f"{tmp}/two.f32")
    if len(a) != len(b) or not a:
        sys.exit(f"logits sizes differ: {len(a)} vs {len(b)}")
    diff = max(abs(x - y) for x, y in zip(a, b))
    print(f"{mode}=2: {len(one['tokens'])} tokens identical, max logit diff {diff:.2e}; "
          f"{two['timings'].get('comm', '')}")
    if diff > 1e-4:
        sys.exit(f"max logit difference {diff} > 1e-4")
