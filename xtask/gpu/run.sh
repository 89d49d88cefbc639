#!/usr/bin/env bash
# The GPU run of mlxrs on a CUDA machine with no Rust toolchain and no internet, from the
# bundle that `cargo xtask gpu-bundle` builds (docs/GPU.md says how it travels).
#
#   xtask/gpu/run.sh stage DIR...   copy bundle chunks (target/gpu-bundle/pN) to $MLXRS_GPU_HOME
#   xtask/gpu/run.sh run [STEP...]  join and check the chunks (once), then run the steps:
#                                   suites, bench, examples (default: all three), or `env`
#                                   (only print the environment it sets up)
#
# Run from the repository root. MLXRS_GPU_HOME defaults to /tmp/mlxrs-gpu. Logs and
# reports go to $OUT when it is set (the device tool's folder), else to $MLXRS_GPU_HOME/out.
# BENCH_ROUNDS (default 3) and BENCH_FILTER pass on to the bench.
set -uo pipefail

root=$(pwd)
home=${MLXRS_GPU_HOME:-/tmp/mlxrs-gpu}
out=${OUT:-$home/out}
mkdir -p "$home/chunks" "$out"

die() { echo "run.sh: $*" >&2; exit 1; }

stage() {
  [ $# -gt 0 ] || die "stage: which chunk folders?"
  for d in "$@"; do
    [ -d "$d" ] || die "stage: no folder $d"
    cp "$d"/* "$home/chunks/" || die "stage: cannot copy $d"
    [ -f "$d/../SHA256SUMS" ] && cp "$d/../SHA256SUMS" "$home/chunks/"
  done
  echo "run.sh: staged $(ls "$home/chunks" | grep -c 'bundle.tar.xz\.') chunk(s) in $home/chunks"
}

unpack() {
  local b=$home/bundle
  if [ -f "$b/.unpacked" ]; then return 0; fi
  [ -f "$home/chunks/SHA256SUMS" ] || die "no SHA256SUMS staged (stage the bundle's chunks first)"
  echo "run.sh: joining $(ls "$home"/chunks/bundle.tar.xz.* | wc -l) chunks"
  cat "$home"/chunks/bundle.tar.xz.* > "$home/bundle.tar.xz"
  (cd "$home" && sha256sum -c --status chunks/SHA256SUMS) \
    || die "the joined bundle does not match its sha256 (a chunk is missing or damaged)"
  rm -rf "$b" && mkdir -p "$b"
  tar -xJf "$home/bundle.tar.xz" -C "$b" || die "cannot unpack the bundle"
  rm -f "$home/bundle.tar.xz" "$home"/chunks/bundle.tar.xz.*
  touch "$b/.unpacked"
}

# Python MLX (the bench's rival) and the CUDA libmlx, from the bundle's wheels.
site_setup() {
  local site=$home/site
  if [ ! -f "$site/.installed" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --target "$site" \
      "$home"/bundle/wheels/*.whl || die "cannot install the bundle's wheels"
    touch "$site/.installed"
  fi
}

# The loader path: the CUDA libmlx, the NVIDIA runtime libraries (NVIDIA's wheels, as
# pip shows them, else the system's CUDA), the bundle's OpenBLAS.
loader_path() {
  local site=$home/site dirs=() loc pkg
  dirs+=("$site/mlx/lib" "$site/mlx_cuda_13.libs" "$home/bundle/lib")
  for pkg in nvidia-cublas nvidia-cuda-nvrtc nvidia-cudnn-cu13 nvidia-cufft nvidia-nccl-cu13 nvidia-cuda-runtime; do
    loc=$(python3 -m pip show "$pkg" 2>/dev/null | sed -n 's/^Location: //p')
    [ -n "$loc" ] || continue
    for d in "$loc"/nvidia/*/lib "$loc"/nvidia/cu13/lib; do
      [ -d "$d" ] && dirs+=("$d")
    done
  done
  for d in /usr/local/cuda/lib64 /usr/local/nvidia/lib64; do [ -d "$d" ] && dirs+=("$d"); done
  # unique, in order
  local seen="" joined=""
  for d in "${dirs[@]}"; do
    case ":$seen:" in *":$d:"*) continue ;; esac
    seen="$seen:$d"
    joined="${joined:+$joined:}$d"
  done
  echo "$joined${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

environment() {
  unpack
  site_setup
  export LD_LIBRARY_PATH
  LD_LIBRARY_PATH=$(loader_path)
  export PYTHONPATH=$home/site${PYTHONPATH:+:$PYTHONPATH}
  export PYTHON=python3
  # The binaries name the checkout they were built in (compiled-in paths of the suites'
  # data and of xtask's project root): make that path this checkout.
  local built
  built=$(cat "$home/bundle/BUILD_ROOT")
  if [ "$built" != "$root" ]; then
    if [ -e "$built" ] && [ "$(readlink -f "$built")" != "$root" ]; then
      die "the bundle was built in $built, which exists here and is not this checkout"
    fi
    mkdir -p "$(dirname "$built")" && ln -sfn "$root" "$built"
  fi
  mkdir -p "$root/third_party"
  for d in digits minilm; do
    [ -d "$home/bundle/third_party/$d" ] && ln -sfn "$home/bundle/third_party/$d" "$root/third_party/$d"
  done
  export MLXRS_SKIP_LOG=$out/skipped.txt
  bin=$home/bundle/bin
}

step_env() {
  environment
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "PYTHONPATH=$PYTHONPATH"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  "$bin/info" || true
}

# The suites: the GPU suite as it is (GPU streams of its own), then the acceptance, core
# and transform suites with the GPU as the default device. Those two run module by
# module (`it ops::`, `it random::`, ...), each under a time limit, so that a crash or a
# hang names its module and the other modules still report.
step_suites() {
  environment
  : > "$MLXRS_SKIP_LOG"
  # The suites check numbers: f32 products in full f32, not TF32 (MLX's CUDA default).
  export MLX_ENABLE_TF32=0
  export MLXRS_REQUIRE_MODELS=1
  local status=0 log=$out/suites.log summary=$out/suites-summary.txt
  : > "$log"; : > "$summary"
  suite() { # name, then the command
    local name=$1 rc; shift
    echo "== $name" >> "$log"
    timeout "${SUITE_TIMEOUT:-240}" "$@" >> "$log" 2>&1
    rc=$?
    local line
    line=$(tac "$log" | grep -m1 '^test result' || true)
    case $rc in
      0) echo "$name: ${line:-ok}" ;;
      124) echo "$name: TIMED OUT after ${SUITE_TIMEOUT:-240} s"; status=1 ;;
      *) echo "$name: FAILED (exit $rc${line:+; $line})"; status=1 ;;
    esac | tee -a "$summary"
  }
  suite "gpu suite" "$bin/gpu"
  suite "acceptance (gpu default)" env MLXRS_DEFAULT_DEVICE=gpu "$bin/acceptance"
  local s m
  for s in it transforms; do
    for m in $("$bin/$s" --list 2>/dev/null | sed -n 's/^\([a-z_0-9]*\)::.*: test$/\1/p' | sort -u); do
      local extra=()
      if [ "$s/$m" = it/nn ] && ! command -v cargo >/dev/null; then
        # trybuild compiles its cases with cargo, which the GPU machine lacks
        extra=(--skip nn::derive_error_messages)
        echo "nn::derive_error_messages: runs cargo (trybuild), which this machine lacks" >> "$MLXRS_SKIP_LOG"
      fi
      suite "$s $m:: (gpu default)" env MLXRS_DEFAULT_DEVICE=gpu "$bin/$s" "$m::" "${extra[@]}"
    done
  done
  echo "skipped on the GPU: $(wc -l < "$MLXRS_SKIP_LOG") tests (float64 and CPU-only ops; list in skipped.txt)" | tee -a "$summary"
  return $status
}

step_bench() {
  environment
  local rounds=${BENCH_ROUNDS:-3} args=()
  [ -n "${BENCH_FILTER:-}" ] && args+=(--filter "$BENCH_FILTER")
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1 || true
  MLXRS_MINILM=$root/third_party/minilm "$bin/xtask" bench --device gpu --runners "$bin" \
    --rounds "$rounds" --out "$out" "${args[@]}" > "$out/bench.log" 2>&1
  local rc=$?
  tail -n 60 "$out/bench.log"
  return "$rc"
}

# The examples on the GPU: the digit classifier trained there (same accuracy bar as CI)
# and the sentence embeddings, compared with the CPU's.
step_examples() {
  environment
  local status=0 log=$out/examples.log
  : > "$log"
  echo "== quickstart" | tee -a "$log"
  MLXRS_DEFAULT_DEVICE=gpu "$bin/quickstart" >> "$log" 2>&1 || status=1
  echo "== train_digits --device gpu" | tee -a "$log"
  (time "$bin/train_digits" --device gpu --min-accuracy 0.95 --out "$home/digits.safetensors" --plot "$out/train-gpu.svg") 2>&1 | tail -n 8 | tee -a "$log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  echo "== train_digits --device cpu (same run, for the timings)" | tee -a "$log"
  (time "$bin/train_digits" --device cpu --min-accuracy 0.95 --out "$home/digits-cpu.safetensors" --plot "$home/train-cpu.svg") 2>&1 | tail -n 8 | tee -a "$log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  if [ -d "$root/third_party/minilm" ]; then
    local s1="A man is eating food." s2="A man is eating a piece of bread." s3="The new movie is awesome."
    echo "== embed on the GPU and on the CPU" | tee -a "$log"
    MLXRS_DEFAULT_DEVICE=gpu "$bin/embed" --json "$s1" "$s2" "$s3" > "$home/embed-gpu.txt" 2>>"$log" || status=1
    MLXRS_DEFAULT_DEVICE=cpu "$bin/embed" --json "$s1" "$s2" "$s3" > "$home/embed-cpu.txt" 2>>"$log" || status=1
    head -n -1 "$home/embed-gpu.txt" | tee -a "$log"
    python3 - "$home/embed-gpu.txt" "$home/embed-cpu.txt" <<'PY' 2>&1 | tee -a "$log" || status=1
import json, sys
g, c = (json.loads(open(p).read().strip().splitlines()[-1])["embeddings"] for p in sys.argv[1:3])
diff = max(abs(a - b) for eg, ec in zip(g, c) for a, b in zip(eg, ec))
cos = [sum(a * b for a, b in zip(eg, ec)) for eg, ec in zip(g, c)]
print(f"embeddings gpu vs cpu: max |diff| {diff:.2e}, cosine {min(cos):.6f}")
sys.exit(0 if diff < 1e-3 and len(g) == 3 else 1)
PY
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
  fi
  return $status
}

case "${1:-}" in
  stage) shift; stage "$@" ;;
  run)
    shift
    steps=("$@")
    [ ${#steps[@]} -gt 0 ] || steps=(suites bench examples)
    rc=0
    for s in "${steps[@]}"; do
      case "$s" in
        env) step_env || rc=1 ;;
        suites) step_suites || rc=1 ;;
        bench) step_bench || rc=1 ;;
        examples) step_examples || rc=1 ;;
        *) die "unknown step $s (env, suites, bench, examples)" ;;
      esac
    done
    echo "run.sh: done, status $rc; logs in $out"
    exit $rc
    ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
