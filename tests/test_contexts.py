"""Every page template uses exactly the fields of its dataclass in app/contexts.py
(what it extends and includes counted in, the app's template globals left out),
and every field says what it is: the documentation of a page's inputs cannot
fall behind the template, as in Datasette."""

from __future__ import annotations

import dataclasses

import pytest
from jinja2 import Environment, meta, nodes

from app import contexts

PAGES = {
    "practice.html": contexts.ProblemPage,
    "start.html": contexts.StartPage,
    "custom.html": contexts.CustomPage,
    "error.html": contexts.ErrorPage,
    "worksheet.html": contexts.WorksheetPage,
    "code.html": contexts.CodePage,
    "fill.html": contexts.FillPage,
    "version.html": contexts.VersionPage,
    "classes_new.html": contexts.ClassNewPage,
    "classes_links.html": contexts.ClassLinksPage,
    "classes_project.html": contexts.ClassProjectPage,
    "classes_join.html": contexts.JoinPage,
    "classes_me.html": contexts.MePage,
    "classes_dashboard.html": contexts.DashboardPage,
    "classes_student.html": contexts.StudentWorkPage,
    "classes_confirm.html": contexts.ConfirmPage,
    "classes_print.html": contexts.ClassPrintPage,
}
# Templates drawn on their own with part of a page's fields (the htmx fragments).
PARTS = {"_work.html": contexts.ProblemPage, "_fill.html": contexts.FillPage,
         "_worksheet_paper.html": contexts.PaperNote, "_class_live.html": contexts.DashboardPage}
# The template globals a page may use: functions, not inputs of a page.
GLOBALS = {"url_for", "static_url", "cached_markbox", "class_note", "class_status"}


def variables(app, name: str) -> set[str]:
    """The names `name` reads from its context, with the templates it extends and
    includes (macros imported with `from` see only their arguments and globals)."""
    env = app.jinja_env
    source = env.loader.get_source(env, name)[0]
    # Parsed by a bare environment: Flask's own counts request, config, g and session
    # as globals, and meta would not report a template reading them.
    bare = Environment()
    bare.filters.update(env.filters)
    tree = bare.parse(source)
    # Less what the template names itself: meta reads a name set or imported at the
    # top of a template as undeclared where a block or a {% set %} block uses it.
    found = set(meta.find_undeclared_variables(tree)) - assigned(tree)
    for node in tree.find_all((nodes.Include, nodes.Extends)):
        found |= variables(app, node.template.value)
    return found


def assigned(tree) -> set[str]:
    targets = [node.target for node in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.For))]
    names = {name.name for target in targets  # a Name, or a tuple of them (for a, b in ...)
             for name in ([target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name))}
    names |= {name if isinstance(name, str) else name[1] for node in tree.find_all(nodes.FromImport)
              for name in node.names}
    return names | {node.target for node in tree.find_all(nodes.Import)}


def documented_fields(context) -> set[str]:
    return {field.name for field in dataclasses.fields(context)}


@pytest.mark.parametrize("template, context", PAGES.items())
def test_a_page_template_reads_exactly_its_dataclass(app, template, context):
    used = variables(app, template) - GLOBALS
    assert used == documented_fields(context), (
        f"{template}: not in {context.__name__}: {sorted(used - documented_fields(context))}; "
        f"never read: {sorted(documented_fields(context) - used)}")


@pytest.mark.parametrize("template, context", PARTS.items())
def test_a_fragment_reads_only_fields_of_its_page(app, template, context):
    used = variables(app, template) - GLOBALS
    assert used <= documented_fields(context), sorted(used - documented_fields(context))


@pytest.mark.parametrize("context", [*PAGES.values(), *PARTS.values(), contexts.Limits,
                                     contexts.DrawnProblem, contexts.ClassBanner, contexts.JoinSheet,
                                     contexts.MyProblem, contexts.DashboardLinks, contexts.StudentProblem])
def test_every_field_says_what_it_is(context):
    assert context.__doc__ and not context.__doc__.startswith(context.__name__ + "(")
    for field in dataclasses.fields(context):
        assert field.metadata.get("help"), f"{context.__name__}.{field.name} has no help"


def test_the_checker_sees_what_a_template_reads(app):
    assert {"code", "attempt", "parts", "fragment", "limits", "typed"} <= variables(app, "practice.html")
    assert "request" not in variables(app, "practice.html") | variables(app, "worksheet.html")
