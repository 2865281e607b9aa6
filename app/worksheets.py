"""The worksheet pages: settings in the URL -> `core.worksheet` -> `present.printing` -> pages.

`/worksheet`'s query holds every setting and the seed, so the URL is the
worksheet: reloading or sharing it gives the same sheets and the same key. A
query that is not in canonical form (a missing seed above all) is redirected to
the canonical one; settings over a limit get a 400 page that says the limit and
keeps the form as it was filled. The page is its own print preview;
`/worksheet.pdf` with the same query is the same worksheet as a PDF file,
made on the server (`present.pdf`), and `/worksheet/paper` is the line that
says what it costs in paper, which the form asks for (htmx) as the teacher
changes a setting. `/w/<code>` opens a set code (the worksheet) or a version
code (that version's problems, in order, with links).

Every address printed on paper (the QR codes and the "open …" line) starts with
`public_base()`: the HANDGRID_PUBLIC_URL setting, else the address the page was
asked for at, which the page warns about when it is this computer's own or a
private network's.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, abort, current_app, make_response, redirect, request, url_for
from markupsafe import Markup

from .contexts import DrawnProblem, PaperNote, StartPage, VersionPage, WorksheetPage, render
from .core import examples, presets, problem_request, worksheet
from .core.answers import blank_answers
from .core.codes import MAX_TYPED, CodeError
from .core.problem import DIMENSIONS
from .core.worksheet import Item
from .present import layout, pdf, printing, qr

bp = Blueprint("worksheets", __name__)

FIELDS = ("preset", *DIMENSIONS, "problems", "versions", "notation", "title", "instructions",
          "paper", "key", "duplex", "codes", "mix", "gen", "seed")
MAX_ECHO = 300  # characters of each field shown back in a form that broke a limit (codes: more)
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def public_base() -> str:
    """The address printed on sheets and in QR codes, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_URL")
    return str(configured).rstrip("/") if configured else request.host_url.rstrip("/")


def local_only() -> str | None:
    """"this computer" or "this network" when links printed from this request
    would only work there (no public address set, and the page was asked for at
    a loopback or private address); else None."""
    if current_app.config.get("PUBLIC_URL"):
        return None
    host = _hostname(request.host).lower()
    if host in LOCAL_NAMES or host.lower().endswith(".localhost"):
        return "this computer"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "this network" if host.endswith((".local", ".lan", ".home.arpa", ".internal")) else None
    if address.is_loopback:
        return "this computer"
    return "this network" if address.is_private or address.is_link_local else None


def _hostname(host: str) -> str:
    """The name or address in a Host header, without its port ("[::1]:8000" -> "::1")."""
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _planned() -> tuple[printing.Worksheet | None, object | None]:
    """The worksheet of the query, or the response that answers it instead: a
    redirect to the canonical URL, or the form with what is over a limit."""
    args = request.args
    try:
        settings = worksheet.parse(args, new_seed=problem_request.random_seed)
        query = settings.query()
        if args.to_dict() != query or len(args.getlist("seed")) > 1:
            return None, redirect(url_for(request.endpoint, **query))
        return printing.build(settings), None
    except worksheet.WorksheetError as error:
        return None, (_form_page(error.messages), 400)


@bp.get("/worksheet", endpoint="worksheet")
def page():
    printed, answer = _planned()
    if printed is None:
        return answer
    settings = printed.settings
    query = settings.query()
    base = public_base()
    items = {item.code: item for version in printed.versions for item in version.items}
    return render("worksheet.html", WorksheetPage(
        values={**_form_defaults(settings.sizes), **query}, errors=[], worksheet=printed,
        drawn={code: _drawn(item, settings.notation, printed.sheet_layout.scale, base)
               for code, item in items.items()},
        link=request.url, home=base + "/",
        pdf=url_for("worksheets.pdf_file", **query),
        without_key=url_for("worksheets.worksheet", **{**query, "key": "none"}),
        key_only=url_for("worksheets.worksheet", **{**query, "key": "only"}),
        local_only=local_only(), paper_note=printed.paper_use, **_choices()))


@bp.get("/worksheet.pdf", endpoint="pdf_file")
def pdf_file():
    """The worksheet as a PDF file: the pages the preview shows, drawn on the server."""
    printed, answer = _planned()
    if printed is None:
        return answer
    settings = printed.settings
    base = public_base()
    try:
        document = pdf.render(printed, base + "/", base)
    except pdf.PdfError as error:
        current_app.logger.error("worksheet PDF: %s", error)
        abort(503, description=str(error))
    response = make_response(document)
    response.headers["Content-Type"] = "application/pdf"
    name = f"handgrid-{printed.set_code if len(printed.set_code) <= 24 else 'worksheet'}"
    part = {"end": "", "only": "-key", "none": "-sheets"}[settings.answer_key]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{part}.pdf"'
    # The same URL always gives the same file, for this address (the printed links
    # follow the Host without a public URL): the browser may keep it, not shared caches.
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/worksheet/paper", endpoint="paper")
def paper():
    """What the settings in the query cost in paper: the line under the form, for htmx."""
    try:
        use = printing.paper_use(worksheet.parse(request.args, new_seed=lambda: 0))
    except worksheet.WorksheetError:
        return render("_worksheet_paper.html", PaperNote(paper_note=None))
    return render("_worksheet_paper.html", PaperNote(paper_note=use))


@bp.get("/w/<code>", endpoint="code")
def open_code(code: str):
    """A set code opens its worksheet; a version code lists that version's problems."""
    try:
        settings, version = worksheet.from_set_code(code)
        printed = printing.build(settings) if version is not None else None
    except (CodeError, worksheet.WorksheetError) as error:
        message = str(error)
        return render("start.html", StartPage(message=message, typed=code[:MAX_TYPED],
                                              presets=presets.PROFILES)), 404
    if printed is None or version is None:
        return redirect(url_for("worksheets.worksheet", **settings.query()))
    chosen = printed.versions[version - 1]
    return render("version.html", VersionPage(
        version=chosen, settings=settings, set_code=printed.set_code,
        links=[url_for("practice.problem", code=item.code) for item in chosen.items],
        worksheet=url_for("worksheets.worksheet", **settings.query())))


def _drawn(item: Item, notation: str, scale: int, base: str) -> DrawnProblem:
    link = base + url_for("practice.problem", code=item.code)
    blank = layout.Attempt(item.problem, blank_answers(item.problem.sizes))
    parts = layout.equations(blank) if notation == "numpy" else layout.staircase(blank)
    stacked = printing.problem_box(notation, item.problem.sizes, scale)[2]
    return DrawnProblem(link, Markup(qr.qr_svg(link)), parts, layout.key_blocks(item.solution), stacked)


def _form_defaults(sizes=None) -> dict[str, str]:
    sizes = sizes or presets.DEFAULT.sizes
    return {**worksheet.DEFAULTS, **{name: str(value) for name, value in sizes.as_dict().items()}}


def _form_page(errors: list[str]) -> str:
    """The settings form as it was filled, with what is over a limit, and no sheets."""
    typed = {name: request.args.get(name, "")[:worksheet.MAX_LISTED_CHARS if name == "codes" else MAX_ECHO]
             for name in FIELDS if name in request.args}
    return render("worksheet.html", WorksheetPage(
        values={**_form_defaults(), **typed}, errors=errors, worksheet=None, drawn={}, link=request.url,
        home="", pdf="", without_key="", key_only="", local_only=local_only(), paper_note=None, **_choices()))


def _choices() -> dict:
    code = examples.tom_yeh_code()
    return dict(profiles=presets.PROFILES, custom=worksheet.CUSTOM, dimensions=DIMENSIONS,
                notations=worksheet.NOTATIONS, papers=worksheet.PAPERS,
                answer_key_places=worksheet.ANSWER_KEY_PLACES, mixes=worksheet.MIXES,
                example=url_for("worksheets.worksheet", codes=code, mix="same"), example_code=code,
                paper_url=url_for("worksheets.paper"))
