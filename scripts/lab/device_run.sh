#!/usr/bin/env bash
# The command the lab's measurements were taken with on the lent GPU machine:
# each experiment in its own process, with a time limit, its JSON copied to $OUT
# as soon as it exists. Usage: bash scripts/lab/device_run.sh [experiments...]
set -u
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PYTHONUNBUFFERED=1 PYTHONPATH=scripts
OUT=${OUT:-/tmp/lab-out}
mkdir -p "$OUT" data/measurements
nvidia-smi --query-gpu=index,name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv
python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__, "gpus", torch.cuda.device_count())'
exps=${*:-ceilings decode prefill kv_memory prefix_reuse tensor_parallel spec_verify fp8 chunk_interference cuda_graphs}
for e in $exps; do
  case $e in decode|tensor_parallel) limit=220;; spec_verify) limit=170;; cuda_graphs) limit=90;; *) limit=120;; esac
  timeout $limit python3 -m lab.run --only "$e" --out data/measurements
  echo "== $e exit $?"
  cp data/measurements/"$e".json "$OUT"/ 2>/dev/null
done
