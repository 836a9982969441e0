"""The classification rules of spec/DIFFERENCES-peers.md, as code.

`classify(peer, data, tern, other)` names the rule that explains one
disagreement between tern's driver output and a peer's, or UNEXPLAINED. The
rule is decided at the first request where the two differ:

1. tern stopped reading (the previous request does not persist) and the peer
   read on, or the other way round: a persistence rule (`persist/...`);
2. tern refused the request (or found it incomplete) and the peer took it
   (or is still waiting): a rule named after tern's error kind
   (`tern-rejects/<kind>`);
3. the peer refused a request tern took: a rule named after the peer's error
   (`<peer>-rejects/<cause>`);
4. both took the request but report it differently: `content/...`.

Every rule has a verdict (VERDICTS) and the RFC section it rests on (RFC),
which the document repeats.
"""

import re

UNEXPLAINED = "unexplained"

TERN_RIGHT = "tern right"
PEER_LENIENT = "peer lenient"
BOTH = "spec allows both"

VERDICTS = {UNEXPLAINED: "?"}
RFC = {}


def rule(name, verdict, rfc):
    VERDICTS[name] = verdict
    RFC[name] = rfc
    return name


# 2. tern refuses, the peer accepts or waits. Keyed by tern's error kind;
# a few kinds are split by what the input holds.
TERN_REJECTS = {
    "invalid_method": (PEER_LENIENT, "RFC 9110 §9.1, §5.6.2"),
    "invalid_request_line": (BOTH, "RFC 9112 §3"),
    "invalid_target": (PEER_LENIENT, "RFC 9112 §3, §3.2; RFC 3986 §2, §3"),
    "target_too_long": (BOTH, "RFC 9112 §3"),
    "invalid_version": (PEER_LENIENT, "RFC 9112 §2.3"),
    "unsupported_version": (PEER_LENIENT, "RFC 9110 §2.5, §15.6.6"),
    "bare_cr": (TERN_RIGHT, "RFC 9112 §2.2"),
    "bare_lf": (BOTH, "RFC 9112 §2.2"),
    "invalid_header_name": (PEER_LENIENT, "RFC 9110 §5.1, §5.6.2"),
    "invalid_header_name/whitespace-before-colon": (TERN_RIGHT, "RFC 9112 §5.1"),
    "invalid_header_value": (PEER_LENIENT, "RFC 9110 §5.5"),
    "invalid_header_value/nul": (TERN_RIGHT, "RFC 9110 §5.5"),
    "obs_fold": (BOTH, "RFC 9112 §5.2, §2.2"),
    "head_too_large": (BOTH, "RFC 9110 §5.4; RFC 6585 §5"),
    "too_many_headers": (BOTH, "RFC 9110 §5.4; RFC 6585 §5"),
    "missing_host": (TERN_RIGHT, "RFC 9112 §3.2"),
    "duplicate_host": (TERN_RIGHT, "RFC 9112 §3.2"),
    "invalid_host": (TERN_RIGHT, "RFC 9112 §3.2; RFC 9110 §7.2"),
    "invalid_content_length": (TERN_RIGHT, "RFC 9112 §6.3 item 5; RFC 9110 §8.6"),
    "conflicting_content_length": (TERN_RIGHT, "RFC 9112 §6.3 item 5; RFC 9110 §8.6"),
    "transfer_encoding_with_content_length": (BOTH, "RFC 9112 §6.3 item 3"),
    "transfer_encoding_http10": (TERN_RIGHT, "RFC 9112 §6.1"),
    "invalid_transfer_encoding": (PEER_LENIENT, "RFC 9112 §6.1, §7; RFC 9110 §10.1.4"),
    "invalid_transfer_encoding/chunked-not-final": (TERN_RIGHT, "RFC 9112 §6.3 item 4"),
    "unsupported_transfer_coding": (BOTH, "RFC 9112 §6.1; RFC 9110 §15.6.2"),
    "unsupported_transfer_coding/chunked-not-final": (TERN_RIGHT, "RFC 9112 §6.3 item 4"),
    "unsupported_expectation": (BOTH, "RFC 9110 §10.1.1"),
    "body_too_large": (BOTH, "RFC 9110 §15.5.14"),
    "invalid_chunk_size": (PEER_LENIENT, "RFC 9112 §7.1"),
    "invalid_chunk_extension": (PEER_LENIENT, "RFC 9112 §7.1.1"),
    "chunk_extension_too_long": (BOTH, "RFC 9112 §7.1.1"),
    "invalid_chunk_data_end": (PEER_LENIENT, "RFC 9112 §7.1"),
    "trailers_too_large": (BOTH, "RFC 9110 §5.4; RFC 6585 §5"),
}
for _kind, (_verdict, _rfc) in TERN_REJECTS.items():
    rule(f"tern-rejects/{_kind}", _verdict, _rfc)

# 3. the peer refuses what tern accepts.
PEER_REJECTS = [
    # (peer, regex on the peer's error, rule, verdict, RFC)
    ("llhttp", r"^HPE_INVALID_METHOD$", "llhttp-rejects/unregistered-method", BOTH, "RFC 9110 §9.1, §16.1"),
    ("llhttp", r"^HPE_INVALID_VERSION$", "llhttp-rejects/minor-version-above-1", TERN_RIGHT, "RFC 9110 §2.5"),
    ("llhttp", r"^HPE_INVALID_URL$", "llhttp-rejects/absolute-form-target", TERN_RIGHT, "RFC 9112 §3.2.2; RFC 3986 §3.1"),
    ("llhttp", r"^HPE_INVALID_CHUNK_SIZE$", "llhttp-rejects/bws-before-chunk-ext", TERN_RIGHT, "RFC 9112 §7.1.1"),
    ("llhttp", r"^HPE_CLOSED_CONNECTION$", "llhttp-rejects/connection-close-in-trailers", TERN_RIGHT, "RFC 9110 §6.5.1"),
    ("h11", r"^no request line received$", "h11-rejects/empty-lines-before-request", TERN_RIGHT, "RFC 9112 §2.2"),
    ("h11", r"^illegal chunk header", "h11-rejects/bws-in-chunk-ext", TERN_RIGHT, "RFC 9112 §7.1.1"),
]
for _p, _re, _name, _verdict, _rfc in PEER_REJECTS:
    rule(_name, _verdict, _rfc)
rule("h11-rejects/empty-lines-after-last-request", TERN_RIGHT, "RFC 9112 §2.2")
rule("h11-rejects/content-length-leading-zeros", BOTH, "RFC 9110 §8.6")
rule("llhttp-rejects/transfer-encoding-in-trailers", TERN_RIGHT, "RFC 9110 §6.5.1; RFC 9112 §6.1")
rule("llhttp-rejects/content-length-list", BOTH, "RFC 9110 §8.6; RFC 9112 §6.3 item 5")
rule("llhttp-rejects/content-length-ows", TERN_RIGHT, "RFC 9110 §5.5, §8.6")
rule("llhttp-rejects/transfer-encoding-empty-member-or-ows", TERN_RIGHT, "RFC 9110 §5.6.1.2, §5.5")
rule("h11-rejects/content-length-list", BOTH, "RFC 9110 §8.6; RFC 9112 §6.3 item 5")
rule("h11-rejects/transfer-encoding-empty-member", TERN_RIGHT, "RFC 9110 §5.6.1.2")

# 4. both take the request.
rule("content/h11-normalises-content-length-and-transfer-encoding", BOTH,
     "RFC 9110 §5.3, §8.6; RFC 9112 §7")

# 1. persistence.
rule("persist/peer-reads-after-close-with-ows", TERN_RIGHT, "RFC 9110 §5.5, §5.6.1; RFC 9112 §9.6")
rule("persist/peer-reads-after-http10-keep-alive-and-close", TERN_RIGHT, "RFC 9112 §9.3")
rule("persist/peer-honours-proxy-connection", TERN_RIGHT, "RFC 9112 §9.3; RFC 9110 §7.6.1")
rule("persist/peer-ignores-http10-keep-alive", BOTH, "RFC 9112 §9.3, Appendix C.2.2")
rule("persist/peer-closes-on-connection-in-trailers", TERN_RIGHT, "RFC 9110 §6.5.1")
rule("persist/peer-stops-after-upgrade", BOTH, "RFC 9110 §7.8; RFC 9112 §9.3")


def _messages(result):
    return [
        (m["method"], m["target"], m["version"],
         tuple(map(tuple, m["headers"])), m["body"], tuple(map(tuple, m["trailers"])))
        for m in result["messages"]
    ]


def _state_after(result, k):
    """What an implementation did at request index k."""
    if k < len(result["messages"]):
        return "accept"
    if result["error"] is not None:
        return "error"
    if result["incomplete"]:
        return "incomplete"
    return "stop"


def _has_bare(data, byte):
    if byte == b"\n":
        return re.search(rb"(?<!\r)\n", data) is not None
    return re.search(rb"\r(?!\n)", data[:-1]) is not None


def _header(message, name):
    return [v for n, v in message[3] if n.lower() == name]


def _tern_rejects(kind, data):
    name = kind
    if kind == "invalid_header_name" and re.search(rb"\r\n[!-9;-~]+[ \t]+:", data):
        name = "invalid_header_name/whitespace-before-colon"
    elif kind == "invalid_header_value" and b"\x00" in data:
        name = "invalid_header_value/nul"
    elif kind in ("invalid_transfer_encoding", "unsupported_transfer_coding"):
        values = re.findall(rb"(?im)^transfer-encoding:([^\r\n]*)", data)
        members = [m.strip().lower() for v in values for m in v.split(b",") if m.strip()]
        if members and members[-1] != b"chunked":
            name = f"{kind}/chunked-not-final"
    name = f"tern-rejects/{name}"
    return name if name in VERDICTS else UNEXPLAINED


def _peer_rejects(peer, error, data):
    for p, pattern, name, _verdict, _rfc in PEER_REJECTS:
        if p == peer and re.search(pattern, error):
            return name
    cl = re.findall(rb"(?im)^content-length:([^\r\n]*)", data)
    te = re.findall(rb"(?im)^transfer-encoding:([^\r\n]*)", data)
    if peer == "llhttp" and error in ("HPE_INVALID_CONTENT_LENGTH", "HPE_UNEXPECTED_CONTENT_LENGTH"):
        if len(cl) > 1 or any(b"," in v for v in cl):
            return "llhttp-rejects/content-length-list"
        if any(v != v.strip(b" \t") or v.startswith(b"\t") for v in cl):
            return "llhttp-rejects/content-length-ows"
    if peer == "llhttp" and error == "HPE_INVALID_TRANSFER_ENCODING" and re.search(
            rb"(?is)\r\n0[^\r\n]*\r\n(?:[^\r\n]+\r\n)*transfer-encoding:", data):
        return "llhttp-rejects/transfer-encoding-in-trailers"
    if peer == "llhttp" and error == "HPE_INVALID_TRANSFER_ENCODING":
        if any(b"," in v or v.strip(b" ") != v.strip(b" \t") or v.startswith((b"  ", b"\t"))
               or v.endswith((b" ", b"\t")) for v in te):
            return "llhttp-rejects/transfer-encoding-empty-member-or-ows"
    if peer == "h11" and error in ("conflicting Content-Length headers", "bad Content-Length"):
        if len(cl) > 1 or any(b"," in v for v in cl):
            return "h11-rejects/content-length-list"
    if peer == "h11" and error == "bad Content-Length":
        if any(re.fullmatch(rb"[ \t]*0+[0-9]*[ \t]*", v) and len(v.strip()) > 20 for v in cl):
            return "h11-rejects/content-length-leading-zeros"
    if peer == "h11" and error.startswith("Only Transfer-Encoding: chunked"):
        if any(b"," in v for v in te):
            return "h11-rejects/transfer-encoding-empty-member"
    return UNEXPLAINED


def _persistence(peer, data, tern, other, k, tern_state):
    """Rules for one side stopping after request k-1 while the other reads on."""
    messages = _messages(tern)
    if k == 0 or k - 1 >= len(messages):
        return UNEXPLAINED
    last = messages[k - 1]
    connection = [m.strip().lower() for v in _header(last, "connection") for m in v.split(",")]
    raw_connection = _header(last, "connection")
    if tern_state == "stop":
        # tern closed after request k-1; the peer read on.
        if last[2] == "HTTP/1.0" and "keep-alive" in connection and "close" in connection:
            return "persist/peer-reads-after-http10-keep-alive-and-close"
        if "close" in connection:
            return "persist/peer-reads-after-close-with-ows"
        if last[2] == "HTTP/1.0" and _header(last, "proxy-connection"):
            return "persist/peer-honours-proxy-connection"
        return UNEXPLAINED
    # The peer closed after request k-1; tern read on.
    if last[2] == "HTTP/1.0" and "keep-alive" in connection and peer == "h11":
        return "persist/peer-ignores-http10-keep-alive"
    if any(n.lower() == "connection" for n, _ in last[5]):
        return "persist/peer-closes-on-connection-in-trailers"
    if _header(last, "upgrade") and "upgrade" in connection:
        return "persist/peer-stops-after-upgrade"
    del raw_connection
    return UNEXPLAINED


def _h11_normalised(message):
    """A message as h11 reports it: Content-Length lists and repeated lines
    collapsed into one line with the decimal value, Transfer-Encoding
    lowercased."""
    headers = []
    seen_cl = False
    for name, value in message[3]:
        if name.lower() == "content-length":
            members = {m.strip() for m in value.split(",")}
            if len(members) == 1 and all(m.isdigit() for m in members):
                if seen_cl:
                    continue
                seen_cl = True
                value = str(int(members.pop()))
        elif name.lower() == "transfer-encoding":
            value = value.lower()
        headers.append((name, value))
    return message[:3] + (tuple(headers),) + message[4:]


def _content(peer, ours, theirs):
    if peer == "h11" and _h11_normalised(ours) == theirs:
        return "content/h11-normalises-content-length-and-transfer-encoding"
    return UNEXPLAINED


def classify(peer, data, tern, other):
    ours, theirs = _messages(tern), _messages(other)
    k = 0
    while k < len(ours) and k < len(theirs) and ours[k] == theirs[k]:
        k += 1
    t, p = _state_after(tern, k), _state_after(other, k)
    if t == "accept" and p == "accept":
        return _content(peer, ours[k], theirs[k])
    if t == "stop" and p == "error" and peer == "h11" and tern["unconsumed"] > 0 \
            and data[len(data) - tern["unconsumed"]:].strip(b"\r\n") == b"":
        return "h11-rejects/empty-lines-after-last-request"
    if t == "stop" and p != "stop":
        return _persistence(peer, data, tern, other, k, "stop")
    if p == "stop" and t in ("accept", "incomplete"):
        # tern read on: a next request, whole or still arriving.
        return _persistence(peer, data, tern, other, k, "continue")
    if t == "error" and p in ("accept", "incomplete", "stop"):
        return _tern_rejects(tern["error"], data)
    if p == "error" and t in ("accept", "incomplete", "stop"):
        return _peer_rejects(peer, other["error"], data)
    return UNEXPLAINED
