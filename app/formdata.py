"""Reading form fields the way Werkzeug does, in a fraction of the time.

Every Check posts one field per answer cell, and reading them was a third of a
whole check (docs/performance.md), for three reasons fixed here:

* Werkzeug decodes a urlencoded body with the standard library's `parse_qsl`,
  whose general loop was a sixth of a check. Nearly every field Handgrid gets is
  plain ASCII with nothing to unquote, so `decode` skips unquoting where there is
  nothing to unquote, and otherwise does exactly what Werkzeug asks of
  `parse_qsl` (a test compares the two on arbitrary bodies).
* Werkzeug's general form parser costs as much to set up as the decoding
  itself; a urlencoded body is read here directly, from the same limited stream.
* `MultiDict.get` finds a missing key by raising and catching a
  BadRequestKeyError, a whole HTTP exception; a check asks for half a dozen
  fields that are usually absent (hint, reveal, hide...). `Fields.get` looks.

Everything else (content types, multipart, the body's size limit) is
Werkzeug's own, and the body's field count is held to MAX_FORM_PARTS here too
(Werkzeug applies it to multipart bodies only).
"""

from __future__ import annotations

from urllib.parse import unquote

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

# Werkzeug registers this codec error handler: bytes that are not UTF-8 come out
# percent-encoded again instead of failing the whole form.
ERRORS = "werkzeug.url_quote"


def decode(body: str) -> list[tuple[str, str]]:
    """(name, value) pairs of an application/x-www-form-urlencoded body, as
    ``parse_qsl(body, keep_blank_values=True, errors=ERRORS)`` gives them."""
    pairs = []
    for field in body.split("&"):
        if field:
            name, _, value = field.partition("=")
            if "%" in field or "+" in field:
                name, value = _unquote(name), _unquote(value)
            pairs.append((name, value))
    return pairs


def _unquote(text: str) -> str:
    return unquote(text.replace("+", " "), errors=ERRORS)


class Fields(ImmutableMultiDict):
    """Werkzeug's ImmutableMultiDict, whose `get` looks before it leaps."""

    def get(self, key, default=None, type=None):
        if type is not None:
            return super().get(key, default, type)
        values = dict.get(self, key)
        return values[0] if values else default


class HandgridRequest(Request):
    parameter_storage_class = Fields

    def _load_form_data(self) -> None:
        # Werkzeug's hook for reading the form (Flask overrides it too). A
        # urlencoded body is read here whole, through the same stream Werkzeug
        # reads it from (held to MAX_CONTENT_LENGTH: a 413 over it), without the
        # general parser's setup, which cost as much as decoding; anything
        # else (multipart, no body) goes the usual way.
        if "form" in self.__dict__ or self.mimetype != "application/x-www-form-urlencoded":
            return super()._load_form_data()
        try:
            pairs = decode(self.get_data(cache=False).decode())
        except UnicodeDecodeError:
            pairs = []  # as Werkzeug: a body that is not UTF-8 is an empty form
        if self.max_form_parts is not None and len(pairs) > self.max_form_parts:
            raise RequestEntityTooLarge()
        self.__dict__["form"], self.__dict__["files"] = Fields(pairs), Fields()
