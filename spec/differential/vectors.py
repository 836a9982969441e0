"""Reads the conformance vectors (spec/vectors/*.md) as spec/README.md describes them.

Used by the harness to turn every case into a JSON Lines record for the
conformance driver and the peers.
"""

import json
import pathlib
import re

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors"


def decode_http_block(text):
    """The bytes of an ```http block: escapes decoded, the file's newlines dropped."""
    out = bytearray()
    chars = iter(text.replace("\n", ""))
    for c in chars:
        if c != "\\":
            out.append(ord(c))
            continue
        e = next(chars)
        if e == "r":
            out.append(0x0D)
        elif e == "n":
            out.append(0x0A)
        elif e == "t":
            out.append(0x09)
        elif e == "0":
            out.append(0x00)
        elif e == "\\":
            out.append(0x5C)
        elif e == "x":
            out.append(int(next(chars) + next(chars), 16))
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


def load_cases():
    """Every case as a dict: id, file, requirements, input (bytes), expected (dict)."""
    cases = []
    for path in sorted(VECTORS.glob("*.md")):
        text = path.read_text()
        for section in text.split("\n## ")[1:]:
            case_id = section.splitlines()[0].strip()
            reqs = re.search(r"^Requirements:(.*)$", section, re.M).group(1)
            http = re.search(r"```http\n(.*?)```", section, re.S).group(1)
            expected = re.search(r"```json\n(.*?)```", section, re.S).group(1)
            cases.append(
                {
                    "id": case_id,
                    "file": path.name,
                    "requirements": [r.strip() for r in reqs.split(",") if r.strip()],
                    "input": decode_http_block(http),
                    "expected": json.loads(expected),
                }
            )
    return cases
