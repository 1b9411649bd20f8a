#!/usr/bin/env python3
"""Run under ctest (label "mpi"): `miaotui serve --tp 2` under mpirun -np 2 must answer chat
requests with the same greedy text as one process: two requests in parallel (batched steps,
different lengths), then one more that reuses the first's prefix (prefix-cache hit: the followers
must mirror the reused KV blocks through the block table). Then SIGTERM ends the job.
Mode "die": rank 1 kills itself during the first request's step (MIAOTUI_DIST_DIE); the job must
end within 30 s with an error naming rank 1, not leave rank 0 serving or hanging.

usage: mpi_serve_check.py MIAOTUI MODEL {same,die} MPIRUN [mpirun options...]"""
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

cli, model, mode, mpirun, mpi_opts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
QUESTIONS = ["Once upon a time, there was a little dog named", "The cat sat on the"]


def start(prefix, extra, template):
    cmd = prefix + [cli, "serve", "-m", model, "--port", "0", "-t", "1", "--kv-type", "f32",
                    "-c", "256", "--chat-template", template, "--dist-timeout", "20"] + extra
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            sys.exit(f"{' '.join(cmd)} ended before listening ({proc.wait()})")
        m = re.search(r"listening on http://[0-9.]+:(\d+)", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    sys.exit(f"{' '.join(cmd)}: no 'listening' line within 60 s")


def chat(port, question, n):
    body = json.dumps({"messages": [{"role": "user", "content": question}], "max_tokens": n,
                       "temperature": 0}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        reply = json.loads(r.read())
    return reply["choices"][0]["message"]["content"], reply["usage"]


def answers(prefix, extra, template):
    proc, port = start(prefix, extra, template)
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = list(pool.map(lambda qn: chat(port, *qn), zip(QUESTIONS, [24, 12])))
        again = chat(port, QUESTIONS[0], 24)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            sys.exit(f"{' '.join(prefix)} serve did not end within 30 s of SIGTERM")
    return [text for text, _ in first + [again]], again[1]


def rank_dies(template):
    # Operation 1 is the model check, 2-3 the first step's broadcast: die in its all-reduces.
    prefix = [mpirun, "-np", "2", "-x", "MIAOTUI_DIST_DIE=1:5"] + mpi_opts
    proc, port = start(prefix, ["--tp", "2"], template)
    t0 = time.time()
    try:
        chat(port, QUESTIONS[0], 8)
        sys.exit("the request was answered although rank 1 died")
    except OSError:
        pass  # the connection drops when the job ends
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        sys.exit("the job did not end within 30 s of rank 1 dying")
    err = proc.stderr.read()
    if proc.returncode == 0 or not re.search(r"no answer from rank 1|process rank 1 .*signal 9",
                                             err):
        sys.exit(f"exit status {proc.returncode}, no error naming rank 1:\n{err}")
    print(f"rank 1 died: job ended in {time.time() - t0:.1f} s with an error naming it")


with tempfile.TemporaryDirectory() as tmp:
    template = f"{tmp}/chatml.jinja"
    with open(template, "w") as f:
        f.write(CHATML)
    if mode == "die":
        rank_dies(template)
        sys.exit(0)
    one, _ = answers([], [], template)
    two, usage = answers([mpirun, "-np", "2"] + mpi_opts, ["--tp", "2"], template)
    if one != two:
        sys.exit(f"answers differ:\n one process {one}\n tp=2        {two}")
    if not all(one):
        sys.exit(f"an empty answer: {one}")
    print(f"tp=2 serve: {len(one)} answers identical to one process; last usage {usage}")
