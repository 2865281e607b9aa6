"""Cross-site request forgery: a signed double-submit token on every form of the class pages.

A page with a form sets a random cookie (`COOKIE`: 128 bits from `secrets`,
HttpOnly, SameSite=Lax) if the browser has none, and puts in the form a token
that is that cookie's HMAC-SHA256 with the form's own address. A POST is taken
only when its token matches its cookie: another site can make a browser send
the cookie, but cannot read it, so cannot write the token. The token is bound
to the form's address, so one page's token opens no other form, and it is a
MAC of the cookie rather than the cookie itself, so a page that leaked (a
screenshot, a saved file) gives nobody the cookie. A request a browser marks
as cross-site (Sec-Fetch-Site) is refused before anything else.

Why not Flask-WTF's CSRFProtect: it keeps its secret in Flask's signed session,
which needs a SECRET_KEY shared by every worker and kept across restarts (a new
secret to manage in the image), and its tokens expire after an hour, while a
teacher's dashboard stays open for a whole lesson. A double-submit token needs
no server secret at all: any worker checks it, a restart changes nothing, and
it lasts as long as the browser keeps its cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, abort, g, request

COOKIE = "handgrid_csrf"
FIELD = "csrf_token"
MAX_AGE = 400 * 24 * 3600  # as long as browsers keep a cookie at all
REFUSED = ("This form could not be sent safely: it came from another site, or from a page this "
           "browser no longer has the cookie of. Reload the page and send it again.")


def _mac(secret: str, path: str) -> str:
    return hmac.new(secret.encode(), b"handgrid-form:" + path.encode(), hashlib.sha256).hexdigest()


def token(path: str) -> str:
    """The token for a form posting to `path`, from this browser's cookie (a new
    one, set on the response by `keep_cookie`, if it has none)."""
    secret = request.cookies.get(COOKIE) or g.get("csrf_new")
    if not secret:
        secret = g.csrf_new = secrets.token_urlsafe(16)
    return _mac(secret, path)


def keep_cookie(response: Response) -> Response:
    """Set the cookie a form's token was made from, when this request made it."""
    secret = g.get("csrf_new")
    if secret:
        response.set_cookie(COOKIE, secret, max_age=MAX_AGE, path="/", httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


def valid() -> bool:
    """Whether this POST carries a token that matches its cookie and its address."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    secret = request.cookies.get(COOKIE, "")
    sent = request.form.get(FIELD, "")
    return bool(secret) and bool(sent) and hmac.compare_digest(sent, _mac(secret, request.path))


def protect() -> None:
    """A 403 with a plain message for a POST whose token does not match."""
    if request.method == "POST" and not valid():
        abort(403, description=REFUSED)
