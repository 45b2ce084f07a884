#!/usr/bin/env python3
"""Set up and run the handbook with nothing but Python 3.11+.

    python3 scripts/dev.py serve   # create .venv, install pins, serve http://127.0.0.1:8000
    python3 scripts/dev.py test    # strict build, link and glossary checks, every test, Lighthouse audit
    python3 scripts/dev.py audit   # the Lighthouse audit alone (needs Node.js and npm)
    python3 scripts/dev.py build   # strict build into site/
    python3 scripts/dev.py bench   # build time, link-check time, page weight, search index size

The virtual environment is .venv/ in the repository; it is (re)installed when
requirements.txt changes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
REQS = ROOT / "requirements.txt"
TEST_REQS = ROOT / "requirements-test.txt"   # pytest, Playwright, PyTorch (CPU) ...: only `test` needs them
STAMP = VENV / ".requirements.sha256"


def ensure_env(with_tests: bool = False) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (a clear message for an older python3)
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    files = [REQS, TEST_REQS] if with_tests else [REQS]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = STAMP.with_suffix(".test.sha256") if with_tests else STAMP
    if PY.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    names = " and ".join(f.name for f in files)
    print(f"Installing pinned dependencies from {names} (a few minutes the first time) ...", flush=True)
    args = [arg for f in files for arg in ("-r", str(f))]
    run([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args])
    stamp.write_text(digest)


def run(cmd: list[str], **kw) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts")}
    env.update(kw.pop("env", {}))
    code = subprocess.call(cmd, cwd=ROOT, env=env, **kw)
    if code:
        sys.exit(code)


def mkdocs(*args: str) -> None:
    run([str(PY), "-m", "mkdocs", *args])


def build_for_tests() -> Path:
    """Build the site once for the whole test run, under /handbook/ on a port chosen now, the way the tests and the
    audit serve it; they find it through HANDBOOK_TEST_SITE and HANDBOOK_TEST_PORT instead of building again."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from devtools.staticserve import free_port

    port = free_port()
    root = ROOT / ".cache" / "test-site"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts"),
           "SITE_URL": f"http://127.0.0.1:{port}/handbook/"}
    result = subprocess.run([str(PY), "-m", "mkdocs", "build", "--strict", "-d", str(root / "handbook")],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(result.stderr)
    (root / "build.log").write_text(result.stderr, encoding="utf-8")
    if result.returncode:
        sys.exit(result.returncode)
    os.environ.update(HANDBOOK_TEST_SITE=str(root), HANDBOOK_TEST_PORT=str(port))
    return root


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "help"
    if command not in {"serve", "test", "build", "bench", "check", "audit"}:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)
    ensure_env(with_tests=command == "test")
    if command == "serve":
        # Serve at the root of 127.0.0.1:8000 (site_url's path would otherwise move it under /handbook/).
        os.environ["SITE_URL"] = "http://127.0.0.1:8000/"
        mkdocs("serve", "--dev-addr", "127.0.0.1:8000", "--livereload")
    elif command == "build":
        mkdocs("build", "--strict")
    elif command == "check":
        mkdocs("build", "--strict")
        run([str(PY), "scripts/check_links.py", "site"])
        run([str(PY), "scripts/check_glossary.py"])
        run([str(PY), "scripts/check_numbers.py"])
        run([str(PY), "scripts/check_engines.py", "drift"])
    elif command == "test":
        print("== strict build", flush=True)
        site_root = build_for_tests()
        print("== link check", flush=True)
        run([str(PY), "scripts/check_links.py", str(site_root / "handbook")])
        print("== glossary check", flush=True)
        run([str(PY), "scripts/check_glossary.py"])
        print("== numbers typed by hand", flush=True)
        run([str(PY), "scripts/check_numbers.py"])
        print("== engine data against the pinned releases (drift report)", flush=True)
        run([str(PY), "scripts/check_engines.py", "drift"])
        print("== tests", flush=True)
        run([str(PY), "-m", "pytest", *argv[1:]])
        if argv[1:]:
            return  # a filtered test run (dev.py test -k …) skips the audit
        print("== lighthouse audit", flush=True)
        if shutil.which("npm") is None and not os.environ.get("CI"):
            print("SKIPPED: the Lighthouse audit needs Node.js and npm (CI installs them); "
                  "run `python3 scripts/dev.py audit` once they are installed.", flush=True)
            return
        run([str(PY), "scripts/audit.py"])
    elif command == "audit":
        run([str(PY), "scripts/audit.py", *argv[1:]])
    elif command == "bench":
        run([str(PY), "scripts/bench.py", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv[1:])
