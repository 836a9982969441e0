"""A conformance driver for h11 (PyPI `h11`), with the tern driver's interface.

JSON Lines in: {"id", "input": base64}. JSON Lines out: {"id", "messages",
"error", "incomplete", "unconsumed"} as in DESIGN.md, "The conformance driver".
`error` is the h11 exception text (h11 has no error kinds); the comparison
only looks at whether there is one.

The bytes go to one server-side h11.Connection in its default configuration,
which plays a server that answers every request at once (404, empty body)
and keeps the connection open while both sides want it, like
tern_proto::transcript::run.
"""

import base64
import json
import sys

import h11


def latin1(b):
    return bytes(b).decode("latin-1")


def run(data):
    conn = h11.Connection(our_role=h11.SERVER)
    # No end of file is signalled: like the tern driver, a request cut short
    # is reported as incomplete, not as an error.
    conn.receive_data(data)
    messages = []
    current = None
    consumed_at_end = 0
    error = None
    incomplete = False
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as e:
            error = str(e) or type(e).__name__
            break
        if isinstance(event, h11.Request):
            current = {
                "method": latin1(event.method),
                "target": latin1(event.target),
                "version": "HTTP/" + latin1(event.http_version),
                "headers": [[latin1(n), latin1(v)] for n, v, in _raw(event.headers)],
                "body": b"",
                "trailers": [],
            }
        elif isinstance(event, h11.Data):
            current["body"] += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage):
            current["trailers"] = [[latin1(n), latin1(v)] for n, v in _raw(event.headers)]
            current["body"] = base64.b64encode(current["body"]).decode()
            messages.append(current)
            current = None
            consumed_at_end = len(data) - len(conn.trailing_data[0])
            # A final status that is not 2xx, so that neither CONNECT nor Upgrade
            # switches protocols: h11 then keeps reading requests, like tern.
            conn.send(h11.Response(status_code=404, headers=[("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
                conn.start_next_cycle()
            else:
                break
        elif event is h11.NEED_DATA:
            buffered = bytes(conn.trailing_data[0])
            # Empty lines (and a lone CR) between requests are not a request.
            started = conn.their_state is not h11.IDLE or buffered.strip(b"\r\n") != b""
            incomplete = started
            break
        elif isinstance(event, h11.ConnectionClosed):
            break
        elif event is h11.PAUSED:
            break
        else:
            break
    return {
        "messages": messages,
        "error": error,
        "incomplete": incomplete,
        "unconsumed": len(data) - consumed_at_end,
    }


def _raw(headers):
    # h11 keeps the received name case in raw_items(); values are already
    # stripped of leading and trailing whitespace.
    return list(headers.raw_items())


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        data = base64.b64decode(record["input"])
        try:
            result = run(data)
        except Exception as e:  # a crash of the peer is a result too
            result = {"messages": [], "error": f"peer crash: {type(e).__name__}: {e}",
                      "incomplete": False, "unconsumed": len(data)}
        result = {"id": record["id"], **result}
        out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
