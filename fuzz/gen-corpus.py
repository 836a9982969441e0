#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/.

Seeds for the parser targets come from the conformance vectors in
spec/vectors/*.md (the `http` block of each case, decoded as
spec/README.md describes); the structured targets get deterministic
pseudo-random inputs plus a few hand-made ones. Every file written is named
`seed-<case id>` or `seed-<sha1 prefix>`, so running the script twice gives
the same files; stale `seed-*` files (a vector that was renamed or removed)
are deleted. Files libFuzzer added (40 hex digits) are left alone.

    python3 fuzz/gen-corpus.py            # from the repository root or fuzz/
"""

import hashlib
import random
import re
import sys
import zlib
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
VECTORS = ROOT / "spec" / "vectors"
CORPUS = FUZZ / "corpus"

ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}


def decode_http_block(text):
    """The escapes of an ```http block; the file's own newlines are dropped."""
    out = bytearray()
    chars = iter(text.replace("\n", ""))
    for c in chars:
        if c != "\\":
            if not c.isascii():
                raise ValueError(f"non-ASCII character {c!r}")
            out += c.encode()
            continue
        e = next(chars)
        if e == "x":
            out.append(int(next(chars) + next(chars), 16))
        elif e in ESCAPES:
            out += ESCAPES[e]
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


def load_vectors():
    cases = []
    for path in sorted(VECTORS.glob("*.md")):
        text = path.read_text()
        for section in text.split("\n## ")[1:]:
            case_id = section.splitlines()[0].strip()
            m = re.search(r"```http\n(.*?)```", section, re.S)
            if m:
                cases.append((case_id, decode_http_block(m.group(1))))
    return cases


def crc(name):
    return zlib.crc32(name.encode())


def cut_header(name, config_choices):
    """A CutPlan header (see fuzz/src/checks/mod.rs): mode and config from the
    name's checksum, so each seed is cut differently but reproducibly."""
    h = crc(name)
    mode = h % 4
    config = config_choices[(h >> 2) % len(config_choices)]
    parameter = (h >> 8) % 256
    header = bytes([mode | (config << 2), parameter])
    if mode == 2:
        k = parameter % 33
        header += bytes(((h >> (i % 24)) % 13) for i in range(k))
    return header


CHUNKED_HEAD = re.compile(rb"(?i)transfer-encoding:[^\r\n]*chunked")


def chunked_bodies(cases):
    """The bytes after the first head of each vector that sends chunked."""
    for case_id, data in cases:
        end = data.find(b"\r\n\r\n")
        if end < 0 or not CHUNKED_HEAD.search(data[:end]):
            continue
        yield case_id, data[end + 4 :]


HAND_CHUNKED = [
    b"5\r\nhello\r\n0\r\n\r\n",
    b"1;a=b\r\nx\r\n0;last\r\nExpires: never\r\nX-Sum: 1\r\n\r\n",
    b"A\r\n0123456789\r\n00\r\n\r\n",
    b'3 ; name="quoted \\" value"\r\nabc\r\n0\r\n\r\n',
    b"ffffffffffffffff\r\n",
    b"0000000000000000000000000000000000000001\r\nz\r\n0\r\n\r\n",
    b"2\r\nab\r\n0\r\nTrailer: a\r\n folded\r\n\r\n",
    b"2\nab\n0\n\n",
    b"4\r\nabcd\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
]


def pseudo_random_seeds(target, count, lengths):
    rng = random.Random(f"tern-fuzz:{target}")
    for _ in range(count):
        n = rng.choice(lengths)
        yield bytes(rng.randrange(256) for _ in range(n))


def compose_seeds():
    """Inputs for compose_roundtrip (see fuzz/src/checks/compose_roundtrip.rs):
    mostly random, since every byte string decodes to a head."""
    yield from pseudo_random_seeds("compose_roundtrip", 48, [8, 16, 32, 64, 128, 256])
    # Status 200, HTTP/1.1, a length, no date, one plain field.
    yield bytes([0, 200, 0, 1, 1, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0]) + b"\x05hello"


def pool_seeds():
    yield from pseudo_random_seeds("pool_ops", 32, [4, 16, 64, 256])
    # Takes, drops, a sweep, more takes: the new/old hand-over.
    yield bytes([3, 2, 4, 2]) + bytes([0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 4, 4, 0, 0, 0, 0, 4, 0])


def date_seeds():
    yield from pseudo_random_seeds("date_format", 32, [8, 24, 64, 200])
    for seconds in [0, 784_111_777, 951_782_400, 253_402_300_799, 253_402_300_800, 2**64 - 1]:
        yield seconds.to_bytes(8, "little") + bytes([0, 1, 1, 2, 0, 255])


def write(target, files):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for name, data in files:
        wanted[f"seed-{name}"] = data
    for old in directory.glob("seed-*"):
        if old.name not in wanted:
            old.unlink()
    for name, data in wanted.items():
        path = directory / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return len(wanted)


def hashed(datas):
    for data in datas:
        yield hashlib.sha1(data).hexdigest()[:16], data


def main():
    cases = load_vectors()
    if not cases:
        sys.exit(f"no vectors found under {VECTORS}")
    counts = {}
    counts["parse_request"] = write("parse_request", cases)
    counts["differential_httparse"] = write("differential_httparse", cases)
    counts["split_equivalence"] = write(
        "split_equivalence",
        [(cid, cut_header(cid, [0, 0, 1, 2, 3]) + data) for cid, data in cases],
    )
    bodies = list(chunked_bodies(cases)) + [(f"hand-{i}", b) for i, b in enumerate(HAND_CHUNKED)]
    counts["parse_chunked"] = write(
        "parse_chunked",
        [(cid, cut_header(cid, [0, 0, 1, 2, 3]) + body) for cid, body in bodies],
    )
    counts["compose_roundtrip"] = write("compose_roundtrip", hashed(compose_seeds()))
    counts["pool_ops"] = write("pool_ops", hashed(pool_seeds()))
    counts["date_format"] = write("date_format", hashed(date_seeds()))
    for target, n in counts.items():
        print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
