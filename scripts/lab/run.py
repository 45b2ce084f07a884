"""Command line: run the lab's experiments and write one JSON each.

    PYTHONPATH=scripts python -m lab.run --all --out data/measurements
    PYTHONPATH=scripts python -m lab.run --only ceilings,decode --profile smoke --out /tmp/x
    PYTHONPATH=scripts python -m lab.run --smoke          # every experiment, small sizes
    PYTHONPATH=scripts python -m lab.run --only batching  # from existing JSON, on any machine

An experiment that fails is logged with its traceback and the others go on;
the exit code is 1 if any failed.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
import traceback
from pathlib import Path

from . import EXPERIMENTS
from .common import MEASUREMENTS, log, read_json, write_json

GPU_EXPERIMENTS = ("ceilings", "decode", "prefill", "kv_memory", "prefix_reuse", "tensor_parallel",
                   "spec_verify", "fp8", "chunk_interference", "cuda_graphs")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lab.run", description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="run every experiment")
    ap.add_argument("--only", default="", help="comma-separated experiments: " + ", ".join(EXPERIMENTS))
    ap.add_argument("--skip", default="", help="comma-separated experiments to leave out")
    ap.add_argument("--smoke", action="store_true", help="small sizes, to catch errors fast (same as --profile smoke)")
    ap.add_argument("--profile", default=None, choices=["full", "smoke", "tiny"])
    ap.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    ap.add_argument("--out", default=None, help="folder for the JSON files (default data/measurements; "
                                                "smoke runs default to /tmp/lab-smoke)")
    args = ap.parse_args(argv)
    profile = args.profile or ("smoke" if args.smoke else "full")
    names = (list(EXPERIMENTS) if (args.all or args.smoke or not args.only)
             else [n.strip() for n in args.only.split(",") if n.strip()])
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    names = [n for n in names if n not in skip]
    for n in names:
        if n not in EXPERIMENTS:
            ap.error(f"unknown experiment {n!r}")
    out = Path(args.out) if args.out else (Path("/tmp/lab-smoke") if profile == "smoke" else MEASUREMENTS)
    command = "PYTHONPATH=scripts python -m lab.run " + " ".join(argv if argv is not None else sys.argv[1:])

    device = args.device
    if any(n in GPU_EXPERIMENTS for n in names):
        import torch
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu" and profile != "tiny":
            log("no CUDA device: using the tiny profile on the CPU")
            profile = "tiny"
        if device.startswith("cuda"):
            torch.backends.cuda.matmul.allow_tf32 = False
        else:
            torch.set_num_threads(1)  # tiny CPU runs: no thread spin on a busy machine
    import importlib
    records, failed = {}, []
    for name in names:
        mod = importlib.import_module(f"lab.{name}")
        cfg = dict(mod.PROFILES[profile])
        cfg["profile"] = profile
        t0 = time.time()
        log(f"== {name} ({profile}) ==")
        try:
            if name == "ceilings":
                rec = mod.run(cfg, device, command)
            elif name in ("decode", "prefill"):
                ceil = records.get("ceilings") or read_json(out / "ceilings.json")
                rec = mod.run(cfg, device, command, measured=ceil)
            elif name == "batching":
                rec = mod.run(cfg, command, records.get("decode"), records.get("prefill"), records.get("kv_memory"),
                              measurements=out)
            elif name == "tensor_parallel":
                from .model import release_shared
                release_shared()
                gc.collect()
                if device.startswith("cuda"):
                    import torch
                    torch.cuda.empty_cache()
                rec = mod.run(cfg, device, command)
            else:
                rec = mod.run(cfg, device, command)
            rec["config"]["elapsed_s"] = round(time.time() - t0, 1)
            records[name] = rec
            path = write_json(out / f"{name}.json", rec)
            log(f"{name}: wrote {path} in {time.time() - t0:.1f} s; summary {rec['summary']}")
        except Exception:
            failed.append(name)
            log(f"{name} FAILED after {time.time() - t0:.1f} s")
            traceback.print_exc()
            sys.stdout.flush()
    log(f"done; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
