#!/usr/bin/env python3
"""A Maven repository on loopback for the release rehearsal: GET serves files, PUT stores them.

Usage: maven-repo.py PORT DIR

Like Maven Central and Nexus release repositories it is immutable: a PUT to an artifact file that already exists is
refused with 409 Conflict, which is how publib-maven recognizes an already published version. maven-metadata.xml and
its checksums may be rewritten (Maven updates them on every deploy). Binds 127.0.0.1 only.
"""
import http.server
import pathlib
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        target = (ROOT / self.path.lstrip("/").split("?", 1)[0]).resolve()
        if ROOT not in target.parents:
            self.send_error(403)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if target.exists() and not target.name.startswith("maven-metadata.xml"):
            self.send_error(409, "Conflict")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        sys.stderr.write("maven-repo: " + format % args + "\n")


if __name__ == "__main__":
    port, ROOT = int(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
    ROOT.mkdir(parents=True, exist_ok=True)
    handler = lambda *a, **kw: Handler(*a, directory=str(ROOT), **kw)  # noqa: E731
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
