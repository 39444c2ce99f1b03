"""Optional compiled reader: everything else about the build is in pyproject.toml.

When mypyc (a build requirement) and a C compiler are available, the modules listed in
``xuncha_kb/logseq/native.py`` are compiled to C extensions next to their sources, and the
SHA-256 of each compiled source is recorded in ``native-build.json``.  Whatever goes wrong
— no compiler, mypyc missing, a compile error — the install goes on without the
extensions and the package runs as pure Python.  ``XUNCHA_KB_PURE_BUILD=1`` skips the
compilation.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join("xuncha_kb", "logseq")
NATIVE: dict[str, Any] = runpy.run_path(os.path.join(HERE, PACKAGE_DIR, "native.py"))
#: Only these commands build code; metadata steps (egg_info, dist_info, sdist) never compile.
BUILD_COMMANDS = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}


def _say(message: str) -> None:
    print(f"xuncha-kb build: {message}", file=sys.stderr)


def native_extensions() -> list[Any]:
    if os.environ.get("XUNCHA_KB_PURE_BUILD", "").strip() not in ("", "0"):
        _say("XUNCHA_KB_PURE_BUILD is set: pure-Python install")
        return []
    if not BUILD_COMMANDS & set(sys.argv[1:]):
        return []
    try:
        from mypyc.build import mypycify

        sources = [os.path.join(PACKAGE_DIR, f"{m}.py") for m in NATIVE["NATIVE_MODULES"]]
        group = "xuncha_kb.logseq." + NATIVE["GROUP_MODULE"].removesuffix("__mypyc")
        return list(mypycify(sources, group_name=group, opt_level="3", debug_level="0"))
    except (Exception, SystemExit) as exc:  # mypyc raises SystemExit on type errors
        _say(f"the reader stays pure Python ({type(exc).__name__}: {exc})")
        return []


class OptionalBuildExt(build_ext):
    """build_ext that never fails the install, and records what it compiled."""

    def run(self) -> None:
        if not self.extensions:
            return
        try:
            super().run()
        except (Exception, SystemExit) as exc:  # CompileError, LinkError, SystemExit …
            self._discard()
            _say(f"compiling failed, the reader stays pure Python ({type(exc).__name__}: {exc})")
            return
        self._write_manifest()

    def _folders(self) -> list[str]:
        """Where the compiled modules end up: the build tree and, for in-place or editable
        builds, the source tree."""
        folders = [os.path.join(self.build_lib, PACKAGE_DIR)]
        if self.inplace or getattr(self, "editable_mode", False):
            folders.append(os.path.join(HERE, PACKAGE_DIR))
        return folders

    def _discard(self) -> None:
        """All or nothing: remove every extension this build may have left behind."""
        for folder in self._folders():
            for ext in self.extensions:
                path = os.path.join(folder, os.path.basename(self.get_ext_filename(ext.name)))
                if os.path.exists(path):
                    os.remove(path)

    def _write_manifest(self) -> None:
        digest = NATIVE["source_digest"]
        sources = {m: digest(os.path.join(HERE, PACKAGE_DIR, f"{m}.py")) for m in NATIVE["NATIVE_MODULES"]}
        record = {"sources": sources, "python": sys.version.split()[0]}
        for folder in self._folders():
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, NATIVE["MANIFEST"]), "w", encoding="utf-8") as fh:
                json.dump(record, fh, indent=1, sort_keys=True)
                fh.write("\n")


setup(ext_modules=native_extensions(), cmdclass={"build_ext": OptionalBuildExt})
