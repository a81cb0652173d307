"""A real SMTP server on 127.0.0.1 for the duty-alert tests (aiosmtpd, in its own thread).

    with smtp_server() as server:
        ...  # point DUTY_ALERT_SMTP_HOST/PORT at server.host/server.port
        server.wait_for(1)  # messages received

``fail_first=n`` answers the first n deliveries with a temporary failure (451), so retries
can be proven; ``tls=True`` offers STARTTLS with a self-signed certificate made for the
test and requires a login (``user`` / ``password``) over it.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Iterator, List, Optional

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from processes.lifecycle import free_port

USER, PASSWORD = "duty-bot", "correct horse battery staple"


@dataclass
class Recorder:
    fail_first: int = 0
    messages: List[Message] = field(default_factory=list)
    arrived: List[float] = field(default_factory=list)  # time.monotonic() of each delivery
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.arrived.append(time.monotonic())
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder
    ca_file: Optional[str] = None

    @property
    def messages(self) -> List[Message]:
        return self.recorder.messages

    def wait_for(self, count: int, timeout: float = 10.0) -> List[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.recorder.messages) < count:
            time.sleep(0.05)
        return list(self.recorder.messages)


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok)


def self_signed_certificate(folder: Path) -> "tuple[Path, Path]":
    """A certificate for 127.0.0.1 and its key, made now (nothing is downloaded or kept)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@contextlib.contextmanager
def smtp_server(
    fail_first: int = 0, tls: bool = False, folder: Optional[Path] = None
) -> Iterator[SmtpServer]:
    recorder = Recorder(fail_first=fail_first)
    port = free_port()
    options = {}
    ca_file = None
    if tls:
        assert folder is not None, "a folder for the test certificate"
        cert_file, key_file = self_signed_certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        options = dict(
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=_authenticator,
        )
        ca_file = str(cert_file)
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder, ca_file)
    finally:
        controller.stop()
