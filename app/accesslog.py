"""The access log's last touches, applied to each line as it is written.

granian hands its access logger a dict per request (app/server.py names the
format); this filter puts in the time as Apache's logs write it, so log tools
read our lines as they read nginx's, and the path with its query string.
"""

from __future__ import annotations

import logging
import time


class AccessLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = record.args
        if isinstance(fields, dict) and "path" in fields:
            query = fields.get("query_string")
            fields["path"] = fields["path"] + (f"?{query}" if query else "")
            fields["time"] = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(record.created))
        return True
