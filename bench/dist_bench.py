#!/usr/bin/env python3
"""Distributed decode benchmark: one process with T (and T/2) threads against mpirun -np 2 --tp 2 and
--pp 2 (T/2 threads per rank), runs alternated round by round so machine load hits every
configuration alike; prints medians of decode tokens/s, prompt tokens/s, and per rank the
bytes, messages and milliseconds spent inside communication per generated token (from the
communicator's counters, which `miaotui run --json` reports under MPI).

usage: dist_bench.py MIAOTUI MODEL [--rounds 5] [--tokens 32] [--threads 2]
       (loopback mpirun options are built in; see docs/DISTRIBUTED.md)"""
import argparse
import json
import re
import statistics
import subprocess

MPI = ["mpirun", "--oversubscribe", "--allow-run-as-root", "--mca", "btl", "self,tcp",
       "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo", "-np", "2"]
PROMPT = "Once upon a time, there was a little dog named Max who lived in a small house"

ap = argparse.ArgumentParser()
ap.add_argument("cli")
ap.add_argument("model")
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--tokens", type=int, default=32)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()

half = max(1, a.threads // 2)
configs = {
    f"1 process, -t {a.threads}": ([], a.threads, []),
    f"1 process, -t {half}": ([], half, []),
    f"TP=2, -t {half} per rank": (MPI, half, ["--tp", "2"]),
    f"PP=2, -t {half} per rank": (MPI, half, ["--pp", "2"]),
}
results = {name: [] for name in configs}
for _ in range(a.rounds):
    for name, (prefix, threads, extra) in configs.items():
        cmd = prefix + [a.cli, "run", "-m", a.model, "-p", PROMPT, "-n", str(a.tokens),
                        "--temp", "0", "--ignore-eos", "-t", str(threads), "--json"] + extra
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}:\n{out.stderr}")
        t = json.loads(out.stdout.strip().splitlines()[-1])["timings"]
        ranks = [tuple(map(float, m)) for m in re.findall(
            r"rank \d+ sent \d+ bytes in \d+ messages \(([0-9.]+) bytes, ([0-9.]+) messages and "
            r"([0-9.]+) ms waiting per token\)", t.get("comm", ""))]
        results[name].append((t["generated_tokens_per_second"], t["prompt_tokens_per_second"],
                              ranks))

print(f"{a.model}: {a.tokens} generated tokens, medians of {a.rounds} alternated rounds")
print("| configuration | decode tok/s | prompt tok/s | per generated token, each rank: bytes sent,"
      " messages, ms inside communication |")
print("| --- | --- | --- | --- |")
for name, rows in results.items():
    decode = statistics.median(r[0] for r in rows)
    prompt = statistics.median(r[1] for r in rows)
    comm = []
    for k in range(len(rows[0][2])):
        b, m, ms = (statistics.median(r[2][k][i] for r in rows) for i in range(3))
        comm.append(f"rank {k}: {b:.0f} B, {m:.0f} msg, {ms:.2f} ms")
    print(f"| {name} | {decode:.2f} | {prompt:.1f} | {'; '.join(comm) or '-'} |")
