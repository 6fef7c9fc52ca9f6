# Runs inside a test sandbox: answers every request with the headers it received (a JSON list of
# [name, value] pairs) and appends them to /tmp/seen-headers.log, so a test can check what the
# traffic route forwards into a sandbox.
import http.server
import json


class Echo(http.server.BaseHTTPRequestHandler):
    def answer(self):
        if self.path == "/fail":
            # The user's own server failing, with a header that would pass for Wrenn's marker.
            body = b"the user's server failed"
            self.send_response(502)
            self.send_header("Wrenn-Traffic-Error", "port_not_open")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps([[k, v] for k, v in self.headers.items()]).encode()
        with open("/tmp/seen-headers.log", "a") as log:
            log.write(body.decode() + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", 8000), Echo).serve_forever()
