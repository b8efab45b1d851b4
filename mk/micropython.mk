# MicroPython builds with the tflm module, included by the root Makefile:
#
#   make unix       build/unix/micropython          (64-bit, standard variant)
#   make unix32     build/unix32/micropython        (32-bit nanbox variant)
#   make qemu-m0    build/qemu-m0/firmware.elf      (MICROBIT, Cortex-M0)
#   make qemu-m3    build/qemu-m3/firmware.elf      (MPS2_AN385, Cortex-M3)
#   make qemu-m4    build/qemu-m4/firmware.elf      (our boards/MPS2_AN386, Cortex-M4F)
#   make test-mpy   tests/mpy on every target above (MPY_TARGETS=... for fewer)
#   make mpy-size   bytes the module adds to each target (builds each without it too)
#   make bench-mpy  instructions per inference per model on QEMU Cortex-M4 (-icount)
#
# MicroPython 1.25.0 comes from Debian's source package (tools/fetch_micropython.sh)
# into .deps/. The module is found through USER_C_MODULES=<repo root>, which
# makes MicroPython include every <repo>/*/micropython.mk: this file therefore
# does nothing when MicroPython includes it (USERMOD_DIR is set then).
ifeq ($(USERMOD_DIR),)

TOP ?= $(abspath .)
BUILD ?= $(TOP)/build
DEPS ?= $(TOP)/.deps
PY ?= $(DEPS)/venv/bin/python

MPY_VERSION := 1.25.0
MPY_DIR := $(DEPS)/micropython-$(MPY_VERSION)
MPY_STAMP := $(DEPS)/.stamp-micropython-$(MPY_VERSION)
MPY_CROSS := $(MPY_DIR)/mpy-cross/build/mpy-cross

# Options shared by every build: our module, our manifests, no micropython-lib.
# (mpy-size builds the same firmware without the module: MPY_MODS= MPY_SUFFIX=-nomod.)
MPY_MODS ?= $(TOP)
MPY_SUFFIX ?=
MPY_COMMON_ARGS = USER_C_MODULES=$(MPY_MODS) MPY_LIB_DIR=$(DEPS)/mpy-lib-stub
# The unix ports: no berkeley-db, no TLS (their lib/ sources are not in the
# Debian tarball); the nanbox build has no 32-bit libffi either, and uses SSE
# for float maths (x87's extended precision would round float32 kernels
# differently from every other target and from the oracle).
MPY_UNIX_ARGS = $(MPY_COMMON_ARGS) FROZEN_MANIFEST=$(TOP)/boards/manifest_unix.py \
	MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0
MPY_QEMU_ARGS = $(MPY_COMMON_ARGS) FROZEN_MANIFEST=$(TOP)/boards/manifest_qemu.py
# QEMU heap sizes: the Cortex-M3/M4 boards mimic a 256 KB-RAM part; the
# MICROBIT board's RAM is raised to 256 KB on the QEMU command line.
MPY_QEMU_M0_HEAP ?= 184320
MPY_QEMU_M34_HEAP ?= 196608

MPY_TARGETS ?= unix unix32 qemu-m0 qemu-m3 qemu-m4

.PHONY: unix unix32 qemu-m0 qemu-m3 qemu-m4 qemu test-mpy mpy-fetch mpy-size bench-mpy

mpy-fetch: $(MPY_STAMP)

$(MPY_STAMP): tools/fetch_micropython.sh
	bash tools/fetch_micropython.sh
	touch $@

# mpy-cross first, on its own: the ports would otherwise build it with their
# BUILD= (command-line variables reach sub-makes) and clash with their objects.
$(MPY_CROSS): $(MPY_STAMP)
	$(MAKE) -C $(MPY_DIR)/mpy-cross BUILD=build USER_C_MODULES=

unix: $(MPY_CROSS)
	$(MAKE) -C $(MPY_DIR)/ports/unix VARIANT=standard BUILD=$(BUILD)/unix$(MPY_SUFFIX) $(MPY_UNIX_ARGS)

unix32: $(MPY_CROSS)
	$(MAKE) -C $(MPY_DIR)/ports/unix VARIANT=nanbox BUILD=$(BUILD)/unix32$(MPY_SUFFIX) $(MPY_UNIX_ARGS) MICROPY_PY_FFI=0 \
		CFLAGS_EXTRA="-msse2 -mfpmath=sse"

qemu-m0: $(MPY_CROSS)
	$(MAKE) -C $(MPY_DIR)/ports/qemu BOARD=MICROBIT BUILD=$(BUILD)/qemu-m0$(MPY_SUFFIX) $(MPY_QEMU_ARGS) \
		MICROPY_HEAP_SIZE=$(MPY_QEMU_M0_HEAP)

qemu-m3: $(MPY_CROSS)
	$(MAKE) -C $(MPY_DIR)/ports/qemu BOARD=MPS2_AN385 BUILD=$(BUILD)/qemu-m3$(MPY_SUFFIX) $(MPY_QEMU_ARGS) \
		MICROPY_HEAP_SIZE=$(MPY_QEMU_M34_HEAP)

qemu-m4: $(MPY_CROSS)
	$(MAKE) -C $(MPY_DIR)/ports/qemu BOARD=MPS2_AN386 BOARD_DIR=$(TOP)/boards/MPS2_AN386 \
		BUILD=$(BUILD)/qemu-m4$(MPY_SUFFIX) $(MPY_QEMU_ARGS) MICROPY_HEAP_SIZE=$(MPY_QEMU_M34_HEAP)

qemu: qemu-m0 qemu-m3 qemu-m4

# tests/mpy/run.sh builds the oracle vectors (needs the venv) and runs
# MicroPython's tests/run-tests.py against each target.
test-mpy: $(DEPS)/.stamp-deps $(MPY_TARGETS)
	bash tests/mpy/run.sh $(MPY_TARGETS)

# Code size of the module: each target built with and without it (text+data bytes).
mpy-size: $(MPY_TARGETS)
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) $(MPY_TARGETS) MPY_MODS= MPY_SUFFIX=-nomod
	@for t in $(MPY_TARGETS); do \
		case $$t in unix*) f=micropython;; *) f=firmware.elf;; esac; \
		with=$$(size $(BUILD)/$$t/$$f | awk 'NR==2 {print $$1 + $$2}'); \
		without=$$(size $(BUILD)/$$t-nomod/$$f | awk 'NR==2 {print $$1 + $$2}'); \
		echo "$$t: $$with bytes with tflm, $$without without: module adds $$((with - without))"; \
	done

bench-mpy: $(DEPS)/.stamp-deps qemu-m4
	$(PY) tests/mpy/host/gen_data.py $(BUILD)/mpy/data
	python3 tools/mkromfs.py $(BUILD)/mpy/romfs.img $(BUILD)/mpy/data
	$(PY) tests/mpy/host/bench_qemu.py qemu-m4 --ops

endif
