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


def range_seeds():
    """resolve_range: scale byte, eight bytes of length, a Range value."""
    def seed(scale, length, value):
        return bytes([scale]) + length.to_bytes(8, "little") + value

    yield seed(0, 100, b"bytes=0-9")
    yield seed(0, 100, b"bytes=-10")
    yield seed(0, 100, b"bytes=90-")
    yield seed(0, 100, b"Bytes = 0-0")
    yield seed(0, 100, b"bytes=-0")
    yield seed(0, 100, b"bytes=5-1")
    yield seed(0, 100, b"items=0-1")
    yield seed(0, 100, b"bytes=,,0-1, ,")
    yield seed(0, 0, b"bytes=0-1")
    yield seed(1, 4096, b"bytes=0-9, 3000-3009")
    yield seed(1, 4096, b"bytes=3000-3009,0-9,5-500")
    yield seed(1, 4096, b"bytes=0-9,20-29")
    yield seed(1, 100_000, b"bytes=" + b",".join(b"%d-%d" % (i * 1000, i * 1000) for i in range(20)))
    yield seed(0, 10, b"bytes=" + b",".join([b"1-1"] * 101))
    yield seed(2, 2**64 - 1, b"bytes=0-99999999999999999999999")
    yield seed(3, 0, b"bytes=18446744073709551614-, -1")


def condition_seeds():
    """evaluate_conditions: four bytes of Last-Modified, then lines of a name
    index (0 If-Match, 1 If-None-Match, 2 If-Modified-Since,
    3 If-Unmodified-Since, 4 Range, 5 If-Range) and a value."""
    modified = (784_111_777).to_bytes(4, "little")
    lm = b"Sun, 06 Nov 1994 08:49:37 GMT"
    tag = b'"tern-1"'

    def seed(*lines):
        return modified + b"\n".join(bytes([n]) + v for n, v in lines)

    yield seed((1, tag))
    yield seed((1, b"W/" + tag))
    yield seed((1, b'"a", ' + tag))
    yield seed((1, b"*"), (0, b'"nope"'))
    yield seed((0, b"*"), (3, b"Sat, 05 Nov 1994 08:49:37 GMT"))
    yield seed((0, b"W/" + tag))
    yield seed((3, b"Sat, 05 Nov 1994 08:49:37 GMT"))
    yield seed((2, lm))
    yield seed((2, b"Sunday, 06-Nov-94 08:49:37 GMT"), (1, b'"x"'))
    yield seed((2, b"Sun Nov  6 08:49:37 1994"))
    yield seed((2, b"Sun Nov 06 08:49:37 1994"))
    yield seed((2, b"not a date"))
    yield seed((4, b"bytes=0-1"), (5, tag))
    yield seed((4, b"bytes=0-1"), (5, b"W/" + tag))
    yield seed((4, b"bytes=0-1"), (5, lm))
    yield seed((4, b"bytes=0-1"), (4, b"bytes=2-3"))
    yield seed(*[(0, b'"a"')] * 4 + [(0, tag)])


TARGETS = [
    b"/", b"/index.html", b"/a/b/", b"//a///b", b"/a/./b?x=1", b"/a%20b",
    b"/dir/../index.html", b"/dir/..", b"http://h:1/x/y?q", b"http://h",
    b"//evil.example", b"//attacker.test/../sub", b"/a/%2e/%2E%2e/x/%2e",
    b"/a%20b%3Fc%23d%25", b"/\\evil.example", b"/../etc/passwd",
    b"/%2e%2e/etc/passwd", b"/a/../../etc", b"/..%2f..%2fetc%2fpasswd",
    b"/a%2fb", b"/a%00b", b"/a%zz", b"/a%2", b"*", b"etc/passwd",
    b"/%252e%252e/x", b"/a\\..\\b", b"/.git/config", b"/%2ehtaccess",
    b"/.x/../ok", b"/caf\xc3\xa9/#frag",
]


def target_seeds():
    """normalize_target: a flag byte (bit 0: hidden allowed), a target."""
    for i, target in enumerate(TARGETS):
        yield bytes([i % 2]) + target


def negotiation_seeds():
    """negotiate_content: a flag byte (bits 0-2 br, zstd, gzip available;
    bit 3 no field; bit 4 Accept instead), then field values per line."""
    every = 0b111
    encodings = [
        (every, b"gzip, deflate, br, zstd"),
        (every, b"compress, gzip"),
        (every, b""),
        (every, b"*"),
        (0b110, b"*"),
        (every, b"compress;q=0.5, gzip;q=1.0"),
        (every, b"gzip;q=1.0, identity; q=0.5, *;q=0"),
        (0b001, b"gzip;q=1.0, identity; q=0.5, *;q=0"),
        (every | 8, b""),
        (every, b"br;q=0.9, gzip"),
        (every, b"br;q=0.1, identity;q=0.2"),
        (every, b"identity;q=0"),
        (0, b"*;q=0"),
        (every, b"*;q=0, identity"),
        (every, b"x-gzip\nGZIP;Q=0.5, Identity;q=0.4"),
        (every, b"br\nbr;q=0"),
        (every, b"br;q=2, zstd;q=0.1234, gzip; q =0.5, br;level=1"),
    ]
    for flags, fields in encodings:
        yield bytes([flags]) + fields
    accepts = [
        b"audio/*; q=0.2, audio/basic",
        b"text/plain; q=0.5, text/html, text/x-dvi; q=0.8, text/x-c",
        b"text/*, text/plain, text/plain;format=flowed, */*",
        b"text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed,\ntext/plain;level=1;q=0.4, */*;q=0.5",
        b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        b"application/json",
        b"application/json, text/html;q=0.9",
        b"text/html;q=0\napplication/*;q=0.001",
        b'image/png;x=",text/html,"',
        b"text/html;q=0.2;q=0.3, */*;q=0.9",
    ]
    for fields in accepts:
        yield bytes([16]) + fields


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
    counts["resolve_range"] = write("resolve_range", hashed(range_seeds()))
    counts["evaluate_conditions"] = write("evaluate_conditions", hashed(condition_seeds()))
    counts["normalize_target"] = write("normalize_target", hashed(target_seeds()))
    counts["negotiate_content"] = write("negotiate_content", hashed(negotiation_seeds()))
    for target, n in counts.items():
        print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
