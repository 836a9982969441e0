"""Runs tern's conformance driver and the peers on one corpus and classifies
every disagreement by the rules of spec/DIFFERENCES-peers.md.

    python3 compare.py CORPUS.jsonl [--out DIR] [--tern CMD]

CORPUS.jsonl holds {"id", "input": base64} lines (gen_corpus.py makes one).
Each implementation's answers go to DIR/<name>.jsonl, the classified
disagreements to DIR/disagreements.jsonl, and a summary (counts per peer and
rule, then every disagreement no rule explains) to standard output. The exit
status is 1 when some disagreement is unexplained.

--tern is the command that runs the driver; by default
`cargo run --release -q -p tern-proto --example conformance` from the
repository root.
"""

import argparse
import base64
import collections
import json
import os
import pathlib
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
import rules

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent

PEERS = {
    "h11": [sys.executable, str(HERE / "peer_h11.py")],
    "llhttp": ["node", str(HERE / "peer_llhttp.js")],
}


def run(command, corpus, out_path, cwd=None):
    with open(corpus, "rb") as stdin, open(out_path, "wb") as stdout:
        subprocess.run(command, stdin=stdin, stdout=stdout, check=True, cwd=cwd)
    results = {}
    with open(out_path) as f:
        for line in f:
            record = json.loads(line)
            results[record["id"]] = record
    return results


def shape(result):
    """What two implementations must agree on."""
    if result["error"] is not None:
        status = "error"
    elif result["incomplete"]:
        status = "incomplete"
    else:
        status = "ok"
    messages = [
        (m["method"], m["target"], m["version"],
         tuple(map(tuple, m["headers"])), m["body"], tuple(map(tuple, m["trailers"])))
        for m in result["messages"]
    ]
    unconsumed = result["unconsumed"] if status == "ok" else None
    return status, messages, unconsumed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--out", default=str(ROOT / "target" / "differential"))
    parser.add_argument("--tern", default=None)
    parser.add_argument("--show", type=int, default=3, help="examples to print per rule")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    inputs = {}
    with open(args.corpus) as f:
        for line in f:
            record = json.loads(line)
            inputs[record["id"]] = base64.b64decode(record["input"])

    tern_cmd = args.tern.split() if args.tern else [
        "cargo", "run", "--release", "-q", "-p", "tern-proto", "--example", "conformance"]
    if os.path.exists(tern_cmd[0]):
        # The driver runs from the repository root; keep a relative path working.
        tern_cmd[0] = os.path.abspath(tern_cmd[0])
    results = {"tern": run(tern_cmd, args.corpus, out / "tern.jsonl", cwd=ROOT)}
    for name, command in PEERS.items():
        results[name] = run(command, args.corpus, out / f"{name}.jsonl")

    counts = collections.Counter()
    agree = collections.Counter()
    examples = collections.defaultdict(list)
    unexplained = []
    with open(out / "disagreements.jsonl", "w") as log:
        for case_id, data in inputs.items():
            tern = results["tern"][case_id]
            for peer in PEERS:
                other = results[peer][case_id]
                if shape(tern) == shape(other):
                    agree[peer] += 1
                    continue
                rule = rules.classify(peer, data, tern, other)
                key = (peer, rule)
                counts[key] += 1
                record = {"id": case_id, "peer": peer, "rule": rule,
                          "input": data.decode("latin-1"),
                          "tern": {k: tern[k] for k in ("error", "incomplete", "unconsumed")}
                          | {"messages": len(tern["messages"])},
                          "peer_result": {k: other[k] for k in ("error", "incomplete", "unconsumed")}
                          | {"messages": len(other["messages"])}}
                log.write(json.dumps(record) + "\n")
                if len(examples[key]) < args.show:
                    examples[key].append(record)
                if rule == rules.UNEXPLAINED:
                    unexplained.append(record)

    total = len(inputs)
    print(f"corpus: {args.corpus}: {total} cases")
    for peer in PEERS:
        print(f"\n== {peer}: agrees on {agree[peer]} of {total}")
        verdicts = collections.Counter()
        for (p, rule), n in counts.items():
            if p == peer:
                verdicts[rules.VERDICTS.get(rule, "?")] += n
        print("   by verdict: " + ", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items())))
        for (p, rule), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
            if p != peer:
                continue
            verdict = rules.VERDICTS.get(rule, "?")
            print(f"  {n:6d}  {rule}  [{verdict}]")
            for ex in examples[(p, rule)]:
                print(f"            {ex['id']}: {json.dumps(ex['input'])[:110]}")
                print(f"              tern {ex['tern']}  {peer} {ex['peer_result']}")
    if unexplained:
        print(f"\n{len(unexplained)} disagreements no rule explains (see {out / 'disagreements.jsonl'})")
        return 1
    print("\nevery disagreement is explained by a rule of spec/DIFFERENCES-peers.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
