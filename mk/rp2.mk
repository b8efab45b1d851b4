# Raspberry Pi Pico (RP2040) firmware and its emulator, included by the root Makefile.
#
#   make rp2          build/rp2/firmware.elf + firmware.uf2   (boards/RPI_PICO_TFLM: tflm built in)
#   make rp2-stock    build/rp2-stock/firmware.uf2            (stock RPI_PICO, no tflm: the baseline)
#   make rp2-emu      the rp2040js runner: npm packages + the stand-in boot ROM (build/rp2-emu/)
#   make test-rp2     tests/target on the emulated Pico (over its USB-CDC serial port)
#   make bench-rp2    cycles per inference on the emulated Pico (tools/bench_rp2040.py)
#
# Sources: MicroPython 1.25.0 (tools/fetch_micropython.sh), pico-sdk 2.1.1 +
# TinyUSB 0.18.0 + mbedtls 3.6 (tools/fetch_pico_sdk.sh), all from Debian.
# No picotool: the UF2 is written by tools/uf2.py. cmake is called directly
# (the port's Makefile wrapper only adds a submodule check).

TOP ?= $(abspath .)
BUILD ?= $(TOP)/build
DEPS ?= $(TOP)/.deps
PY ?= $(DEPS)/venv/bin/python

RP2_MPY_DIR := $(DEPS)/micropython-1.25.0
RP2_MPY_CROSS := $(RP2_MPY_DIR)/mpy-cross/build/mpy-cross
RP2_SDK_DIR := $(DEPS)/pico/usr/src/pico-sdk
RP2_TUSB_DIR := $(DEPS)/pico/usr/src/tinyusb
RP2_MBEDTLS_DIR := $(DEPS)/mbedtls
# Links from the MicroPython tree's empty lib/ submodule folders to the Debian sources.
RP2_LINKS_STAMP := $(RP2_MPY_DIR)/lib/tinyusb/src/tusb.h
RP2_BOARD_DIR := $(TOP)/boards/RPI_PICO_TFLM
RP2_MANIFEST := $(RP2_BOARD_DIR)/manifest.py
RP2_EMU_DIR := $(TOP)/tools/emu/rp2040
RP2_EMU_BUILD := $(BUILD)/rp2-emu

RP2_CMAKE_COMMON := -DPICO_BUILD_DOCS=0 -DPICO_NO_PICOTOOL=1 \
	-DPICO_SDK_PATH_OVERRIDE=$(RP2_SDK_DIR) \
	-DMICROPY_LIB_DIR=$(DEPS)/mpy-lib-stub \
	-DMICROPY_FROZEN_MANIFEST=$(RP2_MANIFEST)

# Sources of our board and module: a change re-runs the firmware's own make
# (cmake's dependency tracking does the rest).
RP2_DEPS_SRC := $(wildcard $(RP2_BOARD_DIR)/* usermod_tflm/*.[ch] usermod_tflm/micropython.cmake \
	usermod_tflm/engine/*.[ch] usermod_tflm/engine/kernels/*.def usermod_tflm/engine/kernels/*.[ch] usermod_tflm/engine/kernels/*/*.[ch] \
	ports/rp2/* py/*.py py/*/*.py)

.PHONY: rp2 rp2-ref rp2-stock rp2-fetch rp2-emu test-rp2 bench-rp2 bench-speed-rp2 emulate-rp2

# Sources (both fetch scripts do nothing when their tree is there), links from
# the MicroPython tree's empty lib/ submodule folders to the Debian sources,
# and mpy-cross. One stamp, so that no rule here targets a file another
# makefile (mk/micropython.mk) has a rule for.
RP2_PREP := $(BUILD)/rp2-prep.stamp
rp2-fetch: $(RP2_PREP)

$(RP2_PREP): tools/fetch_micropython.sh tools/fetch_pico_sdk.sh
	bash tools/fetch_micropython.sh
	bash tools/fetch_pico_sdk.sh
	@for d in tinyusb:$(RP2_TUSB_DIR) mbedtls:$(RP2_MBEDTLS_DIR); do \
		name=$${d%%:*}; target=$${d#*:}; link=$(RP2_MPY_DIR)/lib/$$name; \
		if [ -d "$$link" ] && [ ! -L "$$link" ]; then rmdir "$$link"; fi; \
		ln -sfn "$$target" "$$link"; \
	done
	@test -f $(RP2_LINKS_STAMP)
	[ -x $(RP2_MPY_CROSS) ] || $(MAKE) -C $(RP2_MPY_DIR)/mpy-cross BUILD=build USER_C_MODULES=
	@mkdir -p $(@D)
	touch $@

# The firmware must end where ROMFS starts (boards/RPI_PICO_TFLM/mpconfigboard.h).
RP2_FIRMWARE_MAX := $(shell echo $$((576 * 1024)))
# The MicroPython tree sits inside this repository: GIT_DIR=/dev/null keeps its
# version string "v1.25.0" instead of our repository's commit hash.
RP2_ENV := MICROPY_MPYCROSS=$(RP2_MPY_CROSS) GIT_DIR=/dev/null

# $(1): build dir, $(2): extra cmake arguments
define rp2_build
	@mkdir -p $(1)
	[ -f $(1)/Makefile ] || $(RP2_ENV) cmake -S $(RP2_MPY_DIR)/ports/rp2 -B $(1) \
		$(RP2_CMAKE_COMMON) $(2) $(CMAKE_ARGS)
	$(RP2_ENV) $(MAKE) -C $(1)
	@size=$$(stat -c %s $(1)/firmware.bin); echo "firmware.bin: $$size bytes (limit $(RP2_FIRMWARE_MAX))"; \
		[ $$size -le $(RP2_FIRMWARE_MAX) ] || { echo "firmware overlaps the ROMFS region" >&2; exit 1; }
	python3 tools/uf2.py $(1)/firmware.elf $(1)/firmware.uf2
	python3 tools/uf2.py --info $(1)/firmware.uf2
endef

rp2: $(BUILD)/rp2/firmware.uf2

$(BUILD)/rp2/firmware.uf2: $(RP2_PREP) $(RP2_DEPS_SRC) tools/uf2.py mk/rp2.mk
	$(call rp2_build,$(BUILD)/rp2,-DMICROPY_BOARD=RPI_PICO_TFLM -DMICROPY_BOARD_DIR=$(RP2_BOARD_DIR) \
		-DUSER_C_MODULES=$(TOP)/usermod_tflm/micropython.cmake)

# The same firmware with the reference kernels only (-DTFLM_FORCE_REF), for bench-speed.
rp2-ref: $(BUILD)/rp2-ref/firmware.uf2

$(BUILD)/rp2-ref/firmware.uf2: $(RP2_PREP) $(RP2_DEPS_SRC) tools/uf2.py mk/rp2.mk
	$(call rp2_build,$(BUILD)/rp2-ref,-DMICROPY_BOARD=RPI_PICO_TFLM -DMICROPY_BOARD_DIR=$(RP2_BOARD_DIR) \
		-DUSER_C_MODULES=$(TOP)/usermod_tflm/micropython.cmake -DTFLM_FORCE_REF=1)

rp2-stock: $(BUILD)/rp2-stock/firmware.uf2

$(BUILD)/rp2-stock/firmware.uf2: $(RP2_PREP) $(RP2_MANIFEST) tools/uf2.py
	$(call rp2_build,$(BUILD)/rp2-stock,-DMICROPY_BOARD=RPI_PICO)

# The emulator: rp2040js from npm (pinned by package-lock.json) and our stand-in boot ROM.
RP2_ROM := $(RP2_EMU_BUILD)/bootrom.bin
RP2_NODE_STAMP := $(RP2_EMU_BUILD)/node_modules/.package-lock.json

rp2-emu: $(RP2_ROM) $(RP2_NODE_STAMP)

$(RP2_NODE_STAMP): $(RP2_EMU_DIR)/package.json $(RP2_EMU_DIR)/package-lock.json
	@mkdir -p $(RP2_EMU_BUILD)
	cp $(RP2_EMU_DIR)/package.json $(RP2_EMU_DIR)/package-lock.json $(RP2_EMU_BUILD)/
	cd $(RP2_EMU_BUILD) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(RP2_ROM): $(wildcard $(RP2_EMU_DIR)/rom/*)
	$(MAKE) -C $(RP2_EMU_DIR)/rom OUT=$(RP2_EMU_BUILD)

emulate-rp2: rp2 rp2-emu
	$(PY) tools/emu/rp2040_emulate.py --firmware $(BUILD)/rp2/firmware.uf2

test-rp2: deps rp2 rp2-emu
	$(PY) -m pytest -q tests/target

bench-rp2: deps rp2 rp2-stock rp2-emu
	$(PY) tools/bench_rp2040.py

# Issue 8's models on the emulated Pico: reference kernels, optimised kernels,
# optimised with lean=True (tools/bench_report.py makes the table).
SPEED_MODELS := $(addprefix $(BUILD)/conformance/models/,mlperf_kws_dscnn.tflite mlperf_vww_mobilenet.tflite \
	mlperf_ic_resnet8.tflite mlperf_ad_autoencoder.tflite) $(TFLM_SHARED)/models/person_detect.tflite

bench-speed-rp2: deps rp2 rp2-ref rp2-emu
	$(PY) tests/conformance/mlperf_tiny.py
	$(PY) tools/bench_rp2040.py --firmware $(BUILD)/rp2-ref/firmware.uf2 --baseline '' --name rp2040_ref \
		--models $(SPEED_MODELS)
	$(PY) tools/bench_rp2040.py --baseline '' --name rp2040_opt --models $(SPEED_MODELS)
	$(PY) tools/bench_rp2040.py --baseline '' --name rp2040_lean --lean --models $(SPEED_MODELS)
	$(PY) tools/bench_rp2040.py --baseline '' --name rp2040_dual --cores 2 --models $(SPEED_MODELS)
