#!/usr/bin/env python3
"""Every ratio of the parse bench, three runs of the same binary, median of the
per-run ratios (tern time / peer time; below 1 means tern is faster).

Usage, from the repository root:
    CARGO_TARGET_DIR=... python3 benches/ratios.py [runs] [measurement seconds]
"""
import json, os, statistics, subprocess, sys

target = os.environ.get("CARGO_TARGET_DIR", "target")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
measure = sys.argv[2] if len(sys.argv) > 2 else "3"

PAIRS = [
    ("head browser-720B / pico", "head/tern/browser-720B", "head/picohttpparser/browser-720B"),
    ("head short-68B / pico", "head/tern/short-68B", "head/picohttpparser/short-68B"),
    ("head fields-48 / pico", "head/tern/fields-48", "head/picohttpparser/fields-48"),
    ("head browser-720B / httparse", "head/tern/browser-720B", "head/httparse/browser-720B"),
    ("head short-68B / httparse", "head/tern/short-68B", "head/httparse/short-68B"),
    ("head fields-48 / httparse", "head/tern/fields-48", "head/httparse/fields-48"),
    ("chunked POST / httparse", "message/tern/chunked-post-520B", "message/httparse/chunked-post-520B"),
    ("pipelined 16 / httparse", "pipelined/tern_16", "pipelined/httparse_16"),
    ("trickle 720B 1-byte / httparse", "trickle/tern/browser-720B_1", "trickle/httparse/browser-720B_1"),
    ("trickle 720B 64-byte / httparse", "trickle/tern/browser-720B_64", "trickle/httparse/browser-720B_64"),
    ("trickle 2044B 1-byte / httparse", "trickle/tern/fields-48-2044B_1", "trickle/httparse/fields-48-2044B_1"),
    ("trickle 2044B 64-byte / httparse", "trickle/tern/fields-48-2044B_64", "trickle/httparse/fields-48-2044B_64"),
]


def median_ns(bench_id):
    path = os.path.join(target, "criterion", bench_id, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


per_run = {name: [] for name, _, _ in PAIRS}
for run in range(runs):
    subprocess.run(
        ["cargo", "bench", "-q", "-p", "tern-benches", "--bench", "parse", "--",
         "--warm-up-time", "1", "--measurement-time", measure, "--noplot"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name, ours, peer in PAIRS:
        per_run[name].append(median_ns(ours) / median_ns(peer))
    print(f"run {run + 1}: " + ", ".join(f"{n}={v[-1]:.3f}" for n, v in per_run.items()), flush=True)
for name, values in per_run.items():
    print(f"{name}: median {statistics.median(values):.3f} (runs {' '.join(f'{v:.3f}' for v in values)})")
