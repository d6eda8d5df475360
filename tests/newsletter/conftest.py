"""A real SMTP server (aiosmtpd) for the newsletter's tests, a subscriber key, a DKIM key."""

import base64
import threading
from email import message_from_bytes, policy

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command

from tests.net import free_port

KEY = "test-subscriber-key-0123456789-abcdefghij"


class Inbox:
    """What the server accepted: (envelope recipients, raw bytes, parsed message)."""

    def __init__(self):
        self.messages = []
        self.refuse = {}  # address -> SMTP reply to its RCPT
        self.arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        with self.arrived:
            self.messages.append((envelope.rcpt_tos, envelope.original_content or envelope.content,
                                  message_from_bytes(envelope.content, policy=policy.default)))
            self.arrived.notify_all()
        return "250 OK"

    def to(self, address):
        return [m for rcpt, _raw, m in self.messages if rcpt == [address]]


@pytest.fixture
def inbox(settings):
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://news.example.org"
    settings.NEWSLETTER_FROM = "Newsroom <letters@news.example.org>"
    yield box
    controller.stop()


@pytest.fixture
def subscriber_key(settings):
    settings.NEWSLETTER_SUBSCRIBER_KEY = KEY
    settings.NEWSLETTER_RATE = 0
    return KEY


@pytest.fixture
def dkim_key(settings, tmp_path):
    """A DKIM key pair: the private key configured, the DNS TXT record returned."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()))
    settings.NEWSLETTER_DKIM_KEY_FILE = str(pem)
    settings.NEWSLETTER_DKIM_SELECTOR = "mail2026"
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        return record if name == b"mail2026._domainkey.news.example.org." else None

    return dns


def work():
    """Run every task that is due, as `samizdat worker` does."""
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
