"""A stand-in for the signing service on the leader's computer (VGCA/VNPT-CA/Viettel-CA
plug-ins behind an adapter): the contract of docs/signing.md, over real HTTP on 127.0.0.1.

POST /sign {"data": base64, "digest": "sha256", "certificate_sha256": hex} →
{"signature": base64}, the signature of the data with the key it holds (RSA PKCS#1 v1.5,
or ECDSA), SHA-256.
It answers the browser's CORS preflight (and Chrome's Private Network Access) for any
origin, as a real plug-in does for the office's site."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


class SigningService:
    """The key of a PEM file, and the certificate it says it signs for."""

    def __init__(self, key_path: Path, cert_path: Path):
        self.key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        self.fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sign"

    def __enter__(self) -> SigningService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def sign(self, request: dict) -> tuple[int, dict]:
        self.requests.append(request)
        if request.get("digest") != "sha256":
            return 400, {"error": "unsupported digest"}
        if request.get("certificate_sha256") != self.fingerprint:
            return 409, {"error": "no such certificate on the token"}
        try:
            data = base64.b64decode(request["data"], validate=True)
        except (KeyError, ValueError):
            return 400, {"error": "bad data"}
        if isinstance(self.key, rsa.RSAPrivateKey):
            value = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        else:
            assert isinstance(self.key, ec.EllipticCurvePrivateKey)
            value = self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        return 200, {"signature": base64.b64encode(value).decode()}

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _cors(self) -> None:
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                self.send_header("Access-Control-Allow-Private-Network", "true")
                self.send_header("Vary", "Origin")

            def do_OPTIONS(self) -> None:  # noqa: N802 -- http.server's naming
                self.send_response(204)
                self._cors()
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    request = json.loads(self.rfile.read(length))
                    status, answer = service.sign(request if isinstance(request, dict) else {})
                except ValueError:
                    status, answer = 400, {"error": "not JSON"}
                body = json.dumps(answer).encode()
                self.send_response(status)
                self._cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        return Handler


def ask(url: str, request: dict) -> tuple[int, dict]:
    """What the page's fetch does: POST the request to the service, read its JSON."""
    import urllib.error
    import urllib.request

    assert url.startswith("http://127.0.0.1:")
    call = urllib.request.Request(  # noqa: S310 -- 127.0.0.1 only, checked above
        url,
        data=json.dumps(request).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(call, timeout=10) as response:  # noqa: S310 -- 127.0.0.1
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
