"""The code stays lint-clean and type-clean: ruff and mypy run as part of the test suite, at the
versions pinned in pyproject.toml, and a deprecated API called from our code fails the run."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
import warnings

import pytest

from tests.conftest import ROOT

INSTALL_HINT = "install the test tools as README says: pip install -e '.[test]'"


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _exact_pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for req in requirements:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([A-Za-z0-9_.+-]+)", req.strip())
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def _test_pins() -> dict[str, str]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    return _exact_pins(project["optional-dependencies"]["test"])


def test_lint_and_type_tools_are_pinned() -> None:
    assert {"ruff", "mypy", "types-python-dateutil"} <= set(_test_pins())


def test_installed_tools_match_their_pins() -> None:
    """The tools the tests run are the pinned ones, not whatever the machine happens to have."""
    wrong = {}
    for name, pinned in _test_pins().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != pinned:
            wrong[name] = f"{installed} (pinned {pinned})"
    assert not wrong, f"{wrong}; {INSTALL_HINT}"


def test_mypy_pin_is_the_build_requirement() -> None:
    """setup.py compiles the reader with the mypyc of the build requirement: one mypy for both."""
    build = _pyproject()["build-system"]
    assert isinstance(build, dict)
    assert _exact_pins(build["requires"]).get("mypy") == _test_pins()["mypy"]


def test_ruff_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_deprecation_from_our_code_is_an_error() -> None:
    """pyproject's filterwarnings turns a DeprecationWarning attributed to xuncha_kb into an error
    (what a library's ``warnings.warn(..., stacklevel=2)`` does when we call a deprecated API)."""
    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit("old API", DeprecationWarning, "xuncha_kb/cli/report.py", 1,
                               module="xuncha_kb.cli.report")
    with pytest.raises(FutureWarning):
        warnings.warn_explicit("old API", FutureWarning, "xuncha_kb/fs/scan.py", 1,
                               module="xuncha_kb.fs.scan")


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from xuncha_kb.cli import cli\n"
        "r = CliRunner().invoke(cli, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('networkx', 'edn_format', 'markdown_it', 'watchdog', 'openpyxl', 'jinja2')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"heavy modules imported by --help: {proc.stdout.strip()}"


def test_every_package_is_listed_in_pyproject() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "xuncha_kb").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    missing = found - listed
    assert not missing, f"list these in [tool.setuptools] packages (pyproject.toml): {sorted(missing)}"


def test_ci_runs_readme_s_own_two_commands() -> None:
    """.ci/run reads README's opening commands instead of keeping a copy that could drift."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_commands", ROOT / ".ci" / "readme_commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    install_run, install_test = module.opening_commands((ROOT / "README.md").read_text("utf-8"))
    assert install_run.startswith("pip install -e .") and "xuncha-kb report examples/graph" in install_run
    assert install_test == "pip install -e '.[test]' && python -m pytest"
    assert "readme_commands.py" in (ROOT / ".ci" / "run").read_text("utf-8")
