"""A real SMTP server on loopback (aiosmtpd) for tests of e-mail: the `smtp` fixture of
tests/conftest.py points the portal's SMTP backend at it and hands over its inbox."""

import socket
from email import message_from_bytes
from email.message import Message


class Inbox:
    """An SMTP handler that refuses the first ``refuse`` messages (451), then keeps the rest."""

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.attempts = 0
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refuse:
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def body_of(message: Message) -> str:
    """The decoded text of a plain (single-part) message."""
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
