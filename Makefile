# micropython-tflm: root Makefile. Everything generated goes under build/ and .deps/.
# `make help` lists the targets.

SHELL := /bin/bash
TOP := $(abspath .)
BUILD := $(TOP)/build
DEPS := $(TOP)/.deps
VENV := $(DEPS)/venv
PY := $(VENV)/bin/python
# The shared test data (models, samples, TFLM's tests), used in place:
# ../shared beside the clone, else /work/shared; override with TFLM_SHARED=DIR.
TFLM_SHARED ?= $(firstword $(wildcard $(abspath $(TOP)/../shared) /work/shared) $(abspath $(TOP)/../shared))
export TFLM_SHARED
ENGINE := usermod_tflm/engine
ENGINE_SRC := $(sort $(wildcard $(ENGINE)/*.c $(ENGINE)/kernels/*.c $(ENGINE)/kernels/ref/*.c $(ENGINE)/kernels/arm/*.c))
ENGINE_HDR := $(wildcard $(ENGINE)/*.h $(ENGINE)/kernels/*.def $(ENGINE)/kernels/*.h $(ENGINE)/kernels/ref/*.h $(ENGINE)/kernels/arm/*.h)
CC ?= gcc
CSTD := -std=c99 -ffp-contract=off -Wall -Wextra -Werror=implicit-function-declaration -Wno-unused-parameter
HOST_CFLAGS := $(CSTD) -O2 -g
SAN_CFLAGS := $(CSTD) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: help deps host host-san test test-engine test-conformance test-fuzz bench bench-speed code-size demo demo-person demo-host clean

help:
	@echo "make deps          install pinned host dependencies (venv under .deps/)"
	@echo "make host          build/host/tflm_run (the host runner)"
	@echo "make host-san      build/host-san/tflm_run with ASan+UBSan"
	@echo "make host-ref      host runners with the reference kernels only (plain and sanitized)"
	@echo "make demo          micro_speech (yes/no from raw audio) on the emulated Pico, vs the host engine and TFLM"
	@echo "make demo-person   person detection on the host engine vs the oracle"
	@echo "make demo-host     the micro_speech demo on the host engine only (no emulator)"
	@echo "make test          every test (engine, conformance, fuzz)"
	@echo "make bench         host instruction counts (callgrind): ours vs the oracle, then bench-speed"
	@echo "make bench-speed   issue 8 table (RP2040 ref/opt/lean cycles, arenas): docs/bench.md, build/bench/results.json"
	@echo "make unix unix32 qemu-m0 qemu-m3 qemu-m4   MicroPython with tflm (see mk/micropython.mk)"
	@echo "make test-mpy      tests/mpy on the unix port and the QEMU firmware"
	@echo "make rp2 / test-rp2 / bench-rp2 / emulate-rp2   Raspberry Pi Pico firmware in rp2040js"
	@echo "make test-cli      the tflm command's tests (host + emulated Pico)"
	@echo "make test-examples examples/ on the host engine and on the emulated Pico"
	@echo "make nrf52840 [BOARD=XIAO_NRF52840_SENSE|FEATHER_NRF52840_SENSE] / nrf52840-all / emulate-nrf52840 / test-nrf52840"

deps: $(DEPS)/.stamp-deps

$(DEPS)/.stamp-deps: tools/requirements.txt tools/requirements-lock.txt tools/pyproject.toml tools/deps.sh
	bash tools/deps.sh
	touch $@

host: $(BUILD)/host/tflm_run
host-san: $(BUILD)/host-san/tflm_run
# The reference kernels alone (-DTFLM_FORCE_REF): the default builds run the
# optimised kernels' C twins, so the suite checks the reference ones here.
host-ref: $(BUILD)/host-ref/tflm_run $(BUILD)/host-ref-san/tflm_run

$(BUILD)/host-ref/tflm_run: $(ENGINE_SRC) $(ENGINE_HDR) tools/tflm_run.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -DTFLM_FORCE_REF -I$(ENGINE) -o $@ tools/tflm_run.c $(ENGINE_SRC) -lm

$(BUILD)/host-ref-san/tflm_run: $(ENGINE_SRC) $(ENGINE_HDR) tools/tflm_run.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -DTFLM_FORCE_REF -I$(ENGINE) -o $@ tools/tflm_run.c $(ENGINE_SRC) -lm

$(BUILD)/host/tflm_run: $(ENGINE_SRC) $(ENGINE_HDR) tools/tflm_run.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(ENGINE) -o $@ tools/tflm_run.c $(ENGINE_SRC) -lm

$(BUILD)/host-san/tflm_run: $(ENGINE_SRC) $(ENGINE_HDR) tools/tflm_run.c
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -I$(ENGINE) -o $@ tools/tflm_run.c $(ENGINE_SRC) -lm

check-shared:
	@test -d "$(TFLM_SHARED)/models" || { echo "test data not found: $(TFLM_SHARED)/models (set TFLM_SHARED=DIR)"; exit 1; }
	@echo "shared test data: $(TFLM_SHARED)"

# The main demo runs on the emulated Pico. If its firmware or emulator cannot
# be built, the demo still runs, on the host engine, and says so loudly.
demo: deps host check-shared
	@$(MAKE) rp2 rp2-emu || echo "*** make rp2 rp2-emu failed: the demo will fall back to the host engine ***"
	$(PY) tools/demo_micro_speech.py

demo-host: deps host check-shared
	$(PY) tools/demo_micro_speech.py --host

demo-person: deps host check-shared
	$(PY) tools/demo_person_detect.py

# The fast tier runs in CI; TIER=full runs the large sweeps (by hand).
TIER ?= fast
test: deps host host-san host-ref check-shared
	$(MAKE) test-hostile
	$(PY) -m pytest -q tests/conformance
	$(PY) tests/conformance/harness.py --tier fast --no-gen --runner $(BUILD)/host-ref/tflm_run
	$(PY) tests/conformance/harness.py --tier fast --no-gen --runner $(BUILD)/host-ref-san/tflm_run
	$(MAKE) fuzz
	$(MAKE) test-mpy
	$(MAKE) test-rp2
	$(MAKE) test-cli
	$(MAKE) test-examples
	$(MAKE) test-nrf52840
	$(PY) tools/demo_person_detect.py
	TFLM_STRICT=1 $(PY) tools/demo_micro_speech.py

test-conformance: deps host host-san
ifeq ($(TIER),full)
	$(PY) tests/conformance/harness.py --tier full
	$(PY) tests/conformance/harness.py --tier full --runner build/host-san/tflm_run
else
	$(PY) -m pytest -q tests/conformance
endif

# The CLI's board tests run against the emulated Pico: required, not skipped.
test-cli: deps host rp2 rp2-emu
	TFLM_STRICT=1 $(PY) -m pytest -q tests/cli

# The examples: host checks + board scripts on the emulated Pico (required, not skipped).
test-examples: deps host rp2 rp2-emu
	TFLM_STRICT=1 $(PY) -m pytest -q tests/examples

bench: deps host
	$(PY) tools/bench_host.py
	$(MAKE) bench-mpy
	$(MAKE) bench-rp2
	$(MAKE) bench-speed

# Issue 8's table: build/bench/results.json and docs/bench.md.
bench-speed: deps host bench-speed-rp2 code-size
	$(PY) tools/bench_report.py

# Engine code bytes on the Cortex-M0+ (-Os): every op, op subsets (tools/size/*.h), terse.
code-size:
	@mkdir -p $(BUILD)/bench
	python3 tools/code_size.py --terse --json > $(BUILD)/bench/code_size.json
	python3 tools/code_size.py --terse

clean:
	rm -rf $(BUILD)

include tests/fuzz/Makefile.inc
test-fuzz: test-hostile fuzz

include mk/micropython.mk
include mk/rp2.mk
include mk/nrf52840.mk
