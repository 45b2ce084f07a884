"""Helpers shared by the experiments: model shape, datasheet figures, timing,
statistics, provenance and JSON output.

Only the standard library is imported at module level, so that the charts and
the batching simulator run without PyTorch.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SCHEMA = "lab/1"
ROOT = Path(__file__).resolve().parents[2]
MEASUREMENTS = ROOT / "data" / "measurements"


# --- the model ------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """A Llama-style decoder: RMSNorm, GQA attention with RoPE, SwiGLU MLP,
    untied embedding and LM head."""
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    rope_theta: float = 500000.0
    norm_eps: float = 1e-5

    @property
    def group(self) -> int:
        return self.heads // self.kv_heads

    def layer_matmul_params(self) -> int:
        q = self.hidden * self.heads * self.head_dim
        kv = 2 * self.hidden * self.kv_heads * self.head_dim
        o = self.heads * self.head_dim * self.hidden
        mlp = 3 * self.hidden * self.intermediate
        return q + kv + o + mlp

    def params(self) -> int:
        """All parameters: embedding, layers (with their two norms), final norm, LM head."""
        per_layer = self.layer_matmul_params() + 2 * self.hidden
        return 2 * self.vocab * self.hidden + self.layers * per_layer + self.hidden

    def params_read_per_step(self) -> int:
        """Parameters a decode step reads: all but the embedding table, of which
        it gathers only one row per sequence."""
        return self.params() - self.vocab * self.hidden

    def kv_bytes_per_token(self, dtype_bytes: int = 2) -> int:
        """2 (K and V) x layers x KV heads x head_dim x bytes."""
        return 2 * self.layers * self.kv_heads * self.head_dim * dtype_bytes

    def attention_width(self) -> int:
        return self.heads * self.head_dim

    def as_dict(self) -> dict:
        d = asdict(self)
        d["params"] = self.params()
        d["params_read_per_decode_step"] = self.params_read_per_step()
        d["kv_bytes_per_token_bf16"] = self.kv_bytes_per_token()
        return d


LLAMA_8B = Shape("llama-3.1-8b-shaped", layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128,
                 intermediate=14336, vocab=128256)
TINY = Shape("tiny", layers=2, hidden=64, heads=4, kv_heads=2, head_dim=16, intermediate=128, vocab=256)
SHAPES = {"llama-3.1-8b-shaped": LLAMA_8B, "tiny": TINY}


def shape(name: str) -> Shape:
    return SHAPES[name]


# --- datasheet figures --------------------------------------------------------------
# The only place the lab keeps datasheet numbers. When the handbook's data files
# hold the GPU (data/gpus.yml, read through handbook.data) those win; these
# constants are the fallback, from the NVIDIA H100 SXM datasheet (dense figures,
# without structured sparsity).
SPEC_FALLBACK = {
    "id": "h100-sxm",
    "name": "NVIDIA H100 SXM 80GB",
    "memory_bytes": 80 * 2**30,        # printed "80GB"; binary in practice (data/gpus.yml memory_note)
    "memory_bandwidth": 3.35e12,      # bytes/s
    "bf16_dense": 989.5e12,           # FLOP/s
    "fp8_dense": 1979e12,             # FLOP/s
    "nvlink_bandwidth_total": 900e9,  # bytes/s, both directions together
    "source": "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet",
    "from": "lab.common.SPEC_FALLBACK",
}


def gpu_spec(gpu_id: str = "h100-sxm") -> dict:
    """Datasheet figures for the lab's predictions, from data/gpus.yml when the
    handbook's data layer is importable, else from SPEC_FALLBACK."""
    try:
        from handbook import data  # type: ignore
        g = data.gpu(gpu_id)
        spec = {
            "id": g.id, "name": g.name, "memory_bytes": g.memory,
            "memory_bandwidth": g.memory_bandwidth,
            "bf16_dense": g.dense.get("bf16", SPEC_FALLBACK["bf16_dense"]),
            "fp8_dense": g.dense.get("fp8", SPEC_FALLBACK["fp8_dense"]),
            "nvlink_bandwidth_total": SPEC_FALLBACK["nvlink_bandwidth_total"],
            "source": g.source, "from": "data/gpus.yml",
        }
        if g.interconnect:
            spec["nvlink_bandwidth_total"] = g.interconnect * (2 if g.interconnect_direction == "per-direction" else 1)
        return spec
    except Exception:  # data layer absent or entry missing: use the fallback
        return dict(SPEC_FALLBACK)


# --- statistics -------------------------------------------------------------------

def percentile(values, q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize(samples) -> dict:
    xs = [float(x) for x in samples]
    return {
        "n": len(xs),
        "median": percentile(xs, 50),
        "p10": percentile(xs, 10),
        "p90": percentile(xs, 90),
        "mean": sum(xs) / len(xs) if xs else float("nan"),
        "min": min(xs) if xs else float("nan"),
        "max": max(xs) if xs else float("nan"),
    }


def timed(samples_s, unit_scale: float = 1.0) -> dict:
    """Raw samples (seconds) plus their summary."""
    return {"unit": "s", "samples": [float(s) for s in samples_s], **summarize(samples_s)}


# --- timing -------------------------------------------------------------------------

def sync(device: str) -> None:
    if str(device).startswith("cuda"):
        import torch
        torch.cuda.synchronize()


def time_fn(fn, device: str, warmup: int = 3, reps: int = 10, inner: int = 1) -> list[float]:
    """Seconds per call of ``fn``: ``warmup`` untimed calls, then ``reps`` samples,
    each the mean of ``inner`` back-to-back calls. On CUDA each sample is taken
    with CUDA events recorded around the calls on the current stream; on the CPU
    with perf_counter."""
    for _ in range(warmup):
        fn()
    sync(device)
    out = []
    if str(device).startswith("cuda"):
        import torch
        events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(reps)]
        for start, end in events:
            start.record()
            for _ in range(inner):
                fn()
            end.record()
        torch.cuda.synchronize()
        out = [s.elapsed_time(e) / 1000.0 / inner for s, e in events]
    else:
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            out.append((time.perf_counter() - t0) / inner)
    return out


# --- provenance ----------------------------------------------------------------------

def _driver_version() -> str | None:
    try:
        import pynvml  # nvidia-ml-py
        pynvml.nvmlInit()
        v = pynvml.nvmlSystemGetDriverVersion()
        return v.decode() if isinstance(v, bytes) else str(v)
    except Exception:
        pass
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None
    except Exception:
        return None


def provenance(device: str, command: str, uses_transformers: bool = False) -> dict:
    import torch
    p = {
        "date_utc": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "device": str(device),
        "python": platform.python_version(),
        "pytorch": torch.__version__,
        "cuda": torch.version.cuda,
        "host_cpu": platform.processor() or platform.machine(),
    }
    if str(device).startswith("cuda") and torch.cuda.is_available():
        props = torch.cuda.get_device_properties(torch.cuda.current_device())
        p.update({
            "gpu": props.name,
            "gpu_count": torch.cuda.device_count(),
            "gpu_memory_bytes": int(props.total_memory),
            "multiprocessors": int(props.multi_processor_count),
            "compute_capability": f"{props.major}.{props.minor}",
            "driver": _driver_version(),
        })
        try:
            p["cudnn"] = torch.backends.cudnn.version()
        except Exception:
            pass
    else:
        p.update({"gpu": None, "driver": None})
    if uses_transformers:
        try:
            import transformers
            p["transformers"] = transformers.__version__
        except Exception:
            p["transformers"] = None
    env = {k: os.environ[k] for k in ("NCCL_NVLS_ENABLE", "TORCH_SYMM_MEM_DISABLE_MULTICAST", "NVSHMEM_DISABLE_NVLS")
           if k in os.environ}
    if env:
        p["environment"] = env
    return p


def record(experiment: str, cfg: dict, prov: dict, results: dict, summary: dict, spec: dict | None = None,
           notes: list[str] | None = None) -> dict:
    return {
        "schema": SCHEMA,
        "experiment": experiment,
        "provenance": prov,
        "config": cfg,
        "spec": spec if spec is not None else gpu_spec(),
        "results": results,
        "summary": summary,
        "notes": notes or [],
    }


def _clean(obj):
    if isinstance(obj, float):
        if math.isnan(obj) or math.isinf(obj):
            return None
        return obj
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def write_json(path: Path, obj: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(obj), indent=1) + "\n")
    return path


def read_json(path: Path) -> dict | None:
    path = Path(path)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def log(msg: str) -> None:
    print(f"[lab {time.strftime('%H:%M:%S')}] {msg}", flush=True)


REQUIRED_KEYS = ("schema", "experiment", "provenance", "config", "spec", "results", "summary", "notes")
PROVENANCE_KEYS = ("date_utc", "command", "device", "pytorch", "cuda", "gpu", "driver")


def check_record(rec: dict, experiment: str) -> None:
    """Raise AssertionError when a record lacks the common schema."""
    for key in REQUIRED_KEYS:
        assert key in rec, f"{experiment}: missing {key!r}"
    assert rec["schema"] == SCHEMA and rec["experiment"] == experiment
    if experiment != "batching":
        for key in PROVENANCE_KEYS:
            assert key in rec["provenance"], f"{experiment}: provenance lacks {key!r}"
