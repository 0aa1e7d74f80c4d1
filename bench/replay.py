#!/usr/bin/env python3
"""A server that costs nothing: replays recorded answers of another server, from memory.

usage: replay.py <upstream base URL> <port file>

It listens on 127.0.0.1 on a free port (written to <port file> once it listens). A request it has not
seen is forwarded to the upstream and its answer recorded; a request it has seen (same method, path,
Git-Protocol header and body) is answered from memory, with no work but the copy. bench/git-fetch.sh
records during its warm-ups and then times clients against it: their time is the floor, what a client
needs with a server whose answers are free.
"""
import hashlib, http.client, http.server, os, sys, threading, urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
port_file = sys.argv[2]
answers = {}
lock = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


class Replay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else a small write waits for the client's delayed ACK (40 ms)

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        key = (self.command, self.path, self.headers.get("Git-Protocol"), hashlib.sha256(body).digest())
        with lock:
            known = answers.get(key)
        if known is None:
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "host"}
            conn.request(self.command, upstream.path.rstrip("/") + self.path, body=body or None, headers=headers)
            r = conn.getresponse()
            known = (r.status, [(k, v) for k, v in r.getheaders() if k.lower() not in HOP], r.read())
            conn.close()
            with lock:
                answers[key] = known
        status, headers, payload = known
        head = [f"HTTP/1.1 {status} {http.client.responses.get(status, '')}"]
        head += [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(payload)}", "", ""]
        # One write per answer: headers and body leave together.
        self.wfile.write("\r\n".join(head).encode("latin-1") + (b"" if self.command == "HEAD" else payload))

    do_GET = do_POST = do_HEAD = answer


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Replay)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
