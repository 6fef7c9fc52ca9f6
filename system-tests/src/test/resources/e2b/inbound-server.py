# Runs inside a test sandbox on port 8000: a WebSocket echo at /ws (handshake and frames by
# hand, so nothing needs installing), a streamed answer at /stream whose second line waits for a
# request to /release, and /host, which answers with the Host header the server saw.
import base64
import hashlib
import http.server
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
released = threading.Event()


def read_exact(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class Server(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/ws":
            return self.websocket()
        if self.path == "/stream":
            return self.stream()
        if self.path == "/release":
            released.set()
        body = (self.headers.get("Host") or "").encode() if self.path == "/host" else b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in (b"first\n", None, b"second\n"):
            if line is None:
                released.wait(120)
                released.clear()
                continue
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        host = (self.headers.get("Host") or "").encode()
        try:
            while True:
                first, second = read_exact(self.rfile, 2)
                opcode = first & 0x0F
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack(">H", read_exact(self.rfile, 2))[0]
                elif length == 127:
                    length = struct.unpack(">Q", read_exact(self.rfile, 8))[0]
                mask = read_exact(self.rfile, 4) if second & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(self.rfile, length)))
                if opcode == 8:
                    self.wfile.write(b"\x88\x00")
                    self.wfile.flush()
                    return
                if opcode == 1:
                    reply = b"echo " + payload + b" via " + host
                    header = bytes([0x81, len(reply)]) if len(reply) < 126 else bytes([0x81, 126]) + struct.pack(">H", len(reply))
                    self.wfile.write(header + reply)
                    self.wfile.flush()
        except EOFError:
            return
        finally:
            self.close_connection = True

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("0.0.0.0", 8000), Server).serve_forever()
