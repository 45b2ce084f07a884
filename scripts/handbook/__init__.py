"""Build-time logic of the LLM Inference Handbook.

Small importable modules, each with one job; `scripts/mkdocs_hooks.py` and the
`scripts/check_*.py` command-line tools are thin adapters over them.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Tests point these at fixture projects; everyone else uses the repository's.
DOCS = Path(os.environ.get("HANDBOOK_DOCS", ROOT / "docs"))
DATA = Path(os.environ.get("HANDBOOK_DATA", ROOT / "data"))
