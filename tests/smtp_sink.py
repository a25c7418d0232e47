#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd): listens on 127.0.0.1:PORT, refuses the
recipients named by --refuse with 550, and writes each message it accepts to DIR as
NNNNNN.json: the envelope, the headers the tests read, the text and HTML parts, and every
attachment (file name, type, base64 of its bytes), parsed with Python's email package.
Prints READY once it listens; runs until killed. With --ids-only (for benchmarks) each
accepted message only appends its Message-ID and size to DIR/received.txt.

    python3 tests/smtp_sink.py --port 2525 --dir /tmp/inbox --refuse nobody@example.org
"""
import argparse
import asyncio
import base64
import email
import email.parser
import email.policy
import itertools
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, refused, ids_only=False):
        self.directory = directory
        self.ids_only = ids_only
        self.refused = {r.lower() for r in refused}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if self.ids_only:
            headers = email.parser.BytesHeaderParser().parsebytes(raw)
            with self.lock, open(os.path.join(self.directory, "received.txt"), "a") as f:
                f.write("%s %d\n" % (headers.get("message-id", ""), len(raw)))
            return "250 2.0.0 Message accepted for delivery"
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k.lower(): str(v) for k, v in message.items()},
            "text": None,
            "html": None,
            "attachments": [],
        }
        for part in message.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment":
                record["attachments"].append({
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "base64": base64.b64encode(part.get_payload(decode=True)).decode(),
                })
            elif part.get_content_type() == "text/plain" and record["text"] is None:
                record["text"] = part.get_content()
            elif part.get_content_type() == "text/html" and record["html"] is None:
                record["html"] = part.get_content()
        with self.lock:
            n = next(self.counter)
            while os.path.exists(os.path.join(self.directory, "%06d.json" % n)):
                n = next(self.counter)
            path = os.path.join(self.directory, "%06d.json" % n)
            with open(path + ".part", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.replace(path + ".part", path)
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--ids-only", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir, args.refuse, args.ids_only), hostname="127.0.0.1", port=args.port,
                            data_size_limit=64 * 1024 * 1024)
    controller.start()
    print("READY", flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
