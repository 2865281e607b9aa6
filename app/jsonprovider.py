"""JSON out through orjson.

The API answers a check with a mark for every cell, and the standard library's
encoder took longer to write those 36 small objects than grading took to make
them; orjson takes a tenth of that (`make bench` measures the API check;
docs/performance.md). What orjson refuses (integers beyond
64 bits, types it does not know) goes to Flask's own encoder, so nothing that
could be sent before fails now. Reading JSON stays Flask's: orjson is no faster
at a check's few hundred bytes, and it refuses huge integers the API answers
with a plain message.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False  # the order the API's documentation shows

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(obj).decode()
        except TypeError:
            return super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        try:
            # The bytes as orjson wrote them: no decoding to str and encoding back.
            body = orjson.dumps(self._prepare_response_obj(args, kwargs))
        except TypeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)
