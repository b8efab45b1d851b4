#!/bin/bash
# nn kernels development sweep: generate the models (cached), the edited edge-case
# models, then compare the host engine with the tflite_micro oracle.
#   BIN=build/host-san/tflm_run tests/conformance/sweeps/nn/run_all.sh
set -e
cd "$(dirname "$0")/../../../.."
PY=.deps/venv/bin/python
BIN=${BIN:-build/host/tflm_run}
N=${N:-5}
$PY tests/conformance/sweeps/nn/gen_nn.py 2>/dev/null | tail -1
$PY tests/conformance/sweeps/nn/surgery.py 2>/dev/null | tail -1
$PY tests/conformance/sweeps/nn/run_nn.py --bin "$BIN" --n "$N"
# A DEPTHWISE_CONV_2D whose bias index is -1 crashes the oracle (it reads a tensor
# at index -1), so those edited models are run on the engine only.
$PY tests/conformance/sweeps/nn/run_nn.py --bin "$BIN" --n "$N" $(ls build/nn/surgery/*.tflite | grep -v nobias_neg_dwconv)
$PY tests/conformance/sweeps/nn/run_nn.py --bin "$BIN" --n "$N" "${TFLM_SHARED:-../shared}/models/person_detect.tflite"
