"""Build-time logic of the LLM Inference Handbook.

Small importable modules, each with one job; `scripts/mkdocs_hooks.py` and the
`scripts/check_*.py` command-line tools are thin adapters over them.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DATA = ROOT / "data"
