#!/bin/bash
# Runs on the lent GPU machine (docs/device-runs.md), from a tree carrying .dev, .gl and dist (scripts/device/pack.mjs):
# unpacks Node and Dawn, installs the carried libraries, then runs each job named on the command line, in order,
# into $OUT with its own time limit, printing a short summary of each:
#   gpu     nvidia-smi: name, clocks, power limit (gpu.txt)
#   tests   the whole test bundle with FEATURELAB_REQUIRE_WEBGPU=1 (tests.txt)
#   matmul  bench matmul, featurelab vs TensorFlow.js-webgpu, n = 128 … 4096 and the training shapes (matmul.txt, JSON)
#   tiles   bench webgpu-tiles, every matmul variant forced at 1024, 2048, 4096 (tiles.txt, JSON)
#   train   bench train on WebGPU (train.txt, JSON)
#   ceiling bench webgpu-ceiling: fma, the matmul kernel's inner loop alone and staged, prototype products and matmul
#           at 2048 and 4096 (ceiling.txt, JSON)
#   cores2  the WASM team on two whole cores of the host (one per physical core, taskset): bench threads and
#           bench matmul wasm1 / wasmN (lscpu.txt, threads.txt, matmul-wasm.txt, JSON)
#   interactions  bench interactions: masked samples/s on wasm1, wasmN, webgpu (interactions.txt, JSON)
#   ensemble      bench ensemble: models/min, one at a time and all at once, wasm1, wasmN, webgpu (ensemble.txt, JSON)
#   tensor  interaction-tensor ensembles on webgpu, one per seed of TENSOR_SEEDS (e.g. 100-139), TENSOR_PARALLEL at a
#           time, with TENSOR_ARGS (default --preset observations), for TENSOR_SECONDS (default JOB_SECONDS); each run's result.json
#           and log go into tensor.tgz, one summary line per seed into tensor.txt
# Environment: OUT (default /tmp/device-out); DEVICE_ICD, the Vulkan driver file (default NVIDIA's); DEVICE_NO_SYSTEM=1
# skips installing the .gl packages into / (to try this script on a machine of one's own); MATMUL_SIZES, JOB_SECONDS.
# A carried .data/ (pack.mjs --data=N) is installed where the loader looks (/usr/share/datasets/fashion-mnist).
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
if [ -z "${DEVICE_NO_SYSTEM:-}" ]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  if [ -d .data ]; then mkdir -p /usr/share/datasets/fashion-mnist && cp .data/*.gz /usr/share/datasets/fashion-mnist/; fi
fi
export VK_DRIVER_FILES=${DEVICE_ICD:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json}
export XDG_RUNTIME_DIR=/tmp
[ -x .dev/node ] || { xz -dkc .dev/node.xz > .dev/node && chmod +x .dev/node; }
dawn=.dev/node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || xz -dk "$dawn.xz"
# A trial on one's own machine leaves no unpacked Node or Dawn behind: they would push the next carry over its limit.
[ -n "${DEVICE_NO_SYSTEM:-}" ] && trap 'rm -f .dev/node "$dawn"' EXIT
# The bundles import Dawn as the package `webgpu`: a tree without node_modules gets .dev's.
[ -e node_modules ] || ln -s .dev/node_modules node_modules
# Node 22 has relaxed SIMD on by default (and no longer takes the flag Node 20 needs).
NODE=.dev/node
LIMIT=${JOB_SECONDS:-240}
T0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - T0 )) s"; }

# Seeds "A-B" or "A,B,C" → one per line.
seed_list() { local s; for s in ${1//,/ }; do if [[ $s == *-* ]]; then seq "${s%-*}" "${s#*-}"; else echo "$s"; fi; done; }

# The tensor job: TENSOR_PARALLEL workers take the seeds in turn; a worker starts no run once the job's time is up.
tensor_job() {
  local dir=/tmp/tensor deadline=$(( $(date +%s) + ${TENSOR_SECONDS:-$LIMIT} )) w
  mkdir -p "$dir"
  mapfile -t seeds < <(seed_list "${TENSOR_SEEDS:-100-109}")
  local par=${TENSOR_PARALLEL:-4}
  for (( w = 0; w < par; w++ )); do
    (
      for (( i = w; i < ${#seeds[@]}; i += par )); do
        s=${seeds[$i]}
        (( $(date +%s) + ${TENSOR_RUN_SECONDS:-90} > deadline )) && break
        timeout $(( deadline - $(date +%s) )) $NODE dist/cli.js run interaction-tensor ${TENSOR_ARGS:---preset observations} \
          --backend webgpu --seed "$s" --out "$dir/s$s" > "$dir/s$s.log" 2>&1
        echo "seed $s rc=$? at $(elapsed)"
      done
    ) &
  done
  wait
  (cd "$dir" && tar czf "$OUT/tensor.tgz" s*.log s*/result.json 2>/dev/null)
  for f in "$dir"/s*/result.json; do
    [ -f "$f" ] && $NODE -e 'const r=require(process.argv[1]).summary; console.log(process.argv[1].split("/").at(-2), "T", r.features, "conf", r.spearmanConfidenceFeatures, "freq", r.spearmanFrequencyAdoption, "shared", r.sharedFeaturesAgreementCorrelation, "p", r.sharedFeaturesAgreementPValue, "se", r.sharedFeaturesAgreementJackknifeSE)' "$f"
  done | sort -V | tee "$OUT/tensor.txt"
  echo "tensor: $(wc -l < "$OUT/tensor.txt") ensembles at $(elapsed)"
}

for job in "$@"; do
  case "$job" in
    gpu)
      nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.limit,driver_version --format=csv > "$OUT/gpu.txt" 2>&1
      echo "gpu: $(tail -1 "$OUT/gpu.txt")" ;;
    tests)
      FEATURELAB_REQUIRE_WEBGPU=1 timeout "$LIMIT" $NODE .dev/tests.mjs > "$OUT/tests.txt" 2>&1
      echo "tests rc=$? at $(elapsed)"
      grep -E "backend webgpu:|Total:|Passed:|Skipped:" "$OUT/tests.txt" | head -5
      grep -A4 "FAIL" "$OUT/tests.txt" | head -20 ;;
    matmul)
      timeout "$LIMIT" $NODE .dev/bench-matmul.mjs --engines=fl-webgpu,tfjs-webgpu --sizes="${MATMUL_SIZES:-128,256,512,1024,2048,4096}" --out="$OUT" > "$OUT/matmul.txt" 2>&1
      echo "matmul rc=$? at $(elapsed)"
      sed -n '/^shape (op/,$p' "$OUT/matmul.txt" | head -24 ;;
    tiles)
      timeout "$LIMIT" $NODE .dev/bench-webgpu-tiles.mjs --sizes=1024,2048,4096 --no-training --out="$OUT" > "$OUT/tiles.txt" 2>&1
      echo "tiles rc=$? at $(elapsed)"
      tail -15 "$OUT/tiles.txt" ;;
    train)
      timeout "$LIMIT" $NODE .dev/bench-train.mjs --engines=fl-webgpu --out="$OUT" > "$OUT/train.txt" 2>&1
      echo "train rc=$? at $(elapsed)"
      tail -15 "$OUT/train.txt" ;;
    ceiling)
      timeout "$LIMIT" $NODE .dev/bench-webgpu-ceiling.mjs --sizes=2048,4096 --out="$OUT" > "$OUT/ceiling.txt" 2>&1
      echo "ceiling rc=$? at $(elapsed)"
      tail -16 "$OUT/ceiling.txt" ;;
    cores2)
      lscpu > "$OUT/lscpu.txt"
      cpus=$(lscpu -p=CPU,CORE | grep -v '^#' | sort -t, -k2,2n -u | head -2 | cut -d, -f1 | paste -sd,)
      timeout "$LIMIT" taskset -c "$cpus" $NODE .dev/bench-threads.mjs --out="$OUT" > "$OUT/threads.txt" 2>&1
      echo "threads on cpus $cpus rc=$? at $(elapsed)"
      sed -n '/^shape/,/^target/p' "$OUT/threads.txt"
      timeout "$LIMIT" taskset -c "$cpus" $NODE .dev/bench-matmul.mjs --engines=fl-wasm1,fl-wasmN --sizes=1024,2048 --no-training --rounds=3 --out="$OUT" > "$OUT/matmul-wasm.txt" 2>&1
      echo "matmul wasm rc=$? at $(elapsed)"
      sed -n '/^shape (op/,$p' "$OUT/matmul-wasm.txt" | head -4 ;;
    interactions|ensemble)
      timeout "$LIMIT" $NODE ".dev/bench-$job.mjs" --out="$OUT" > "$OUT/$job.txt" 2>&1
      echo "$job rc=$? at $(elapsed)"
      tail -12 "$OUT/$job.txt" ;;
    tensor)
      tensor_job ;;
    *)
      echo "unknown job '$job' (gpu, tests, matmul, tiles, train, ceiling, cores2, interactions, ensemble, tensor)"; exit 2 ;;
  esac
done
