"""The access log's last touches, applied to each line as it is written.

granian hands its access logger a dict per request (app/server.py names the
format); this filter puts in the time as Apache's logs write it, so log tools
read our lines as they read nginx's, and the path with its query string.

It also keeps secrets out of the log: a class's teacher link
(/classes/<id>/t/<token>) and a student's personal link (/me/r/<token>) hold a
token in their path, so whatever follows /t/ or /r/ is written as `[redacted]`,
in the path and in the Referer alike (`redact`). The Authorization header, where
API clients send their tokens, is never part of the format.
"""

from __future__ import annotations

import logging
import re
import time

# A path segment after /t/ or /r/, up to the next /, ?, # or quote: a token.
_SECRET = re.compile(r"(/[tr]/)[^/?#\"\s]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` (a path, a URL) with every token of a class link replaced."""
    return _SECRET.sub(lambda match: match.group(1) + REDACTED, text)


class AccessLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = record.args
        if isinstance(fields, dict) and "path" in fields:
            query = fields.get("query_string")
            fields["path"] = redact(fields["path"] + (f"?{query}" if query else ""))
            fields["time"] = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(record.created))
            for name, value in fields.items():  # the headers too (granian names them _h0, _h1, ...)
                if isinstance(value, str):
                    fields[name] = redact(value)
        return True
