"""Generates the differential corpus as JSON Lines ({"id", "input": base64}).

Deterministic: the same seed gives the same file. Three parts:

- `vec/<case>`: every conformance vector, as is;
- `mut/<case>/<n>`: each vector with one to three byte edits (replace, insert,
  delete) drawn from bytes that matter to HTTP/1.1 framing;
- `gen/<n>`: requests built from a grammar of methods, targets, versions,
  field lines (framing, Host, Connection, Expect, Upgrade variants, good and
  bad) and bodies (Content-Length, chunked with extensions and trailers),
  one to three of them pipelined.

    python3 gen_corpus.py [--seed N] [--mutations K] [--generated M] > corpus.jsonl
"""

import argparse
import base64
import json
import random
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
import vectors

INTERESTING = b" \t\r\n:;,=\"\\0aZ9%/?#[]@.-_~\x00\x01\x0b\x0c\x7f\x80\xff"

METHODS = [b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"CONNECT",
           b"TRACE", b"PATCH", b"get", b"PROPFIND", b"FOO", b"M-SEARCH", b"G\x7fT",
           b"GE T", b"QUERY"]
TARGETS = [b"/", b"/a/b?c=d", b"/%20x", b"/%zz", b"*", b"http://h/x", b"h:80",
           b"[::1]:80", b"/a#f", b"/a b", b"//x", b"/\x80", b"/a|b", b"/a\"b",
           b"index.html", b"/" + b"a" * 200, b"HTTP://H:8/p?q", b"/?", b"/a%2Fb"]
VERSIONS = [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.2", b"HTTP/2.0", b"http/1.1",
            b"HTTP/1.10", b"HTTP/01.1", b"HTTP/1.", b"HTTP/0.9"]
FIELDS = [
    b"Host: example.com", b"Host: a:80", b"Host:", b"Host: a b", b"Host: [::1]:8",
    b"Host: u@h", b"Host: h:x", b"Host : h", b"host: h",
    b"Connection: close", b"Connection: keep-alive", b"Connection: Upgrade",
    b"Connection: close, upgrade", b"Connection: closed", b"Upgrade: websocket",
    b"Expect: 100-continue", b"Expect: 100-Continue", b"Expect: foo", b"Expect:",
    b"X-A: b", b"X-A:   spaced   ", b"X-A: \x80\xff", b"X-A: a\x00b", b"X-A: a\x7fb",
    b"X-Empty:", b"X A: b", b"X-A : b", b"X-A\t: b", b": empty-name", b"X-A b",
    b" folded", b"\tfolded", b"X-A: a\rb", b"Keep-Alive: timeout=5",
    b"Proxy-Connection: close", b"Transfer_Encoding: chunked",
]
CL = [b"0", b"3", b"5", b"03", b"5, 5", b"5, 6", b"-1", b"+3", b"0x3", b"3 3",
      b"18446744073709551615", b"18446744073709551616", b"", b"3,"]
TE = [b"chunked", b"CHUNKED", b"gzip, chunked", b"chunked, gzip", b"identity",
      b"chunked, chunked", b"", b"chunked;a=b", b"\"chunked\"", b", chunked", b"chunk"]


def chunked_body(rng):
    out = bytearray()
    body = bytearray()
    for _ in range(rng.randrange(0, 4)):
        data = bytes(rng.choice(b"abc\r\n0;") for _ in range(rng.randrange(1, 12)))
        size = format(len(data), rng.choice(["x", "X", "03x"]))
        ext = rng.choice([b"", b"", b";a", b";a=b", b' ; a = "q d"', b";", b" ", b";a=\"open",
                          b"\t;x"])
        out += size.encode() + ext + b"\r\n" + data + rng.choice([b"\r\n"] * 6 + [b"\n", b"", b"x\r\n"])
        body += data
    out += rng.choice([b"0", b"000", b"0;e=1"]) + b"\r\n"
    for _ in range(rng.randrange(0, 3)):
        out += rng.choice([b"T: v", b"Host: t", b"Content-Length: 9", b"Bad Name: v",
                           b" fold", b"T:\x00"]) + b"\r\n"
    out += rng.choice([b"\r\n"] * 5 + [b"", b"\n"])
    return bytes(out)


def request(rng):
    method = rng.choice(METHODS[:9] * 4 + METHODS)
    target = rng.choice(TARGETS[:3] * 4 + TARGETS)
    version = rng.choice(VERSIONS[:2] * 6 + VERSIONS)
    sep = rng.choice([b" "] * 20 + [b"  ", b"\t"])
    head = bytearray(rng.choice([b""] * 8 + [b"\r\n", b"\n"]))
    head += method + sep + target + b" " + version + b"\r\n"
    fields = []
    if rng.random() < 0.9:
        fields.append(b"Host: h")
    for _ in range(rng.randrange(0, 4)):
        fields.append(rng.choice(FIELDS))
    body = b""
    framing = rng.random()
    if framing < 0.3:
        value = rng.choice(CL[:3] * 3 + CL)
        fields.append(b"Content-Length: " + value)
        n = int(value) if value.isdigit() and len(value) < 4 else 3
        body = bytes(rng.choice(b"xyz\r\n") for _ in range(n + rng.choice([0, 0, 0, -1, 1])))
    elif framing < 0.6:
        fields.append(b"Transfer-Encoding: " + rng.choice(TE[:1] * 6 + TE))
        if rng.random() < 0.1:
            fields.append(b"Content-Length: 3")
        body = chunked_body(rng)
    rng.shuffle(fields)
    eol = rng.choice([b"\r\n"] * 30 + [b"\n", b"\r"])
    for f in fields:
        head += f + eol
    head += rng.choice([b"\r\n"] * 20 + [b"\n", b""])
    return bytes(head) + body


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(0, len(data) + 1)
        op = rng.randrange(3)
        byte = rng.choice(INTERESTING)
        if op == 0 and at < len(data):
            data[at] = byte
        elif op == 1:
            data.insert(at, byte)
        elif at < len(data):
            del data[at]
    return bytes(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=9112)
    parser.add_argument("--mutations", type=int, default=10)
    parser.add_argument("--generated", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout

    def emit(case_id, data):
        out.write(json.dumps({"id": case_id, "input": base64.b64encode(data).decode()}) + "\n")

    cases = vectors.load_cases()
    for case in cases:
        emit(f"vec/{case['id']}", case["input"])
    for case in cases:
        for n in range(args.mutations):
            emit(f"mut/{case['id']}/{n}", mutate(rng, case["input"]))
    for n in range(args.generated):
        data = b"".join(request(rng) for _ in range(rng.choice([1, 1, 1, 2, 3])))
        emit(f"gen/{n}", data)


if __name__ == "__main__":
    main()
