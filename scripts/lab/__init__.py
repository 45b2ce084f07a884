"""The handbook's lab: measurements on a real GPU of what the pages explain.

Each experiment is one module with ``PROFILES`` (configurations named
"full", "smoke" and "tiny") and ``run(cfg, device, ctx) -> dict``, which returns
a JSON-ready record with provenance, configuration, raw samples and summary
statistics. ``lab.run`` is the command line; ``lab.charts`` renders the SVG
charts of docs/lab/img from the JSON in data/measurements.

Experiments 1-5 and 7-11 need PyTorch (and a CUDA GPU for meaningful numbers; the
"tiny" profile runs on the CPU for tests). Experiment 6 (batching) and the charts
are pure Python. The second series (8 speculative verification, 9 FP8, 10
chunked-prefill interference, 11 CUDA graphs) measures the optimization pages'
claims; ``lab.formula_check`` sets the handbook's formulas beside all of them.
"""

EXPERIMENTS = ("ceilings", "decode", "prefill", "kv_memory", "prefix_reuse", "batching", "tensor_parallel",
               "spec_verify", "fp8", "chunk_interference", "cuda_graphs")
