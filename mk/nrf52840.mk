# nRF52840 firmware (our own MicroPython port, ports/nrf52840/) and its board
# model. Included by the root Makefile (`include mk/nrf52840.mk`), or on its own:
#   make -f mk/nrf52840.mk nrf52840
#
#   make nrf52840 [BOARD=XIAO_NRF52840_SENSE|FEATHER_NRF52840_SENSE] [NRF_FS=FAT|LFS] [NRF_USB=1|0]
#         -> build/nrf52840/firmware.elf + firmware.uf2 (XIAO, the default)
#            build/nrf52840-feather/... (FEATHER)
#         NRF_FS: the internal flash's filesystem, FAT (default: also the USB
#         mass-storage drive) or LFS (littlefs; no USB drive, CDC REPL only)
#         -> build dir suffix -lfs; NRF_USB=0: no USB at all -> suffix -nousb
#   make nrf52840-all        both boards (default options) and the XIAO littlefs build
#   make emulate-nrf52840    boot the XIAO firmware in the board model, REPL on a PTY
#   make test-nrf52840       tests/target_nrf over the model's serial REPL
#
# Sources: MicroPython 1.25.0 and TinyUSB 0.18.0 from Debian
# (tools/fetch_micropython.sh, tools/fetch_tinyusb.sh); the device header is
# generated from nrf52840.svd in PyPI pyocd's wheel (tools/svd2h.py); the
# board model runs on PyPI unicorn. The board's manifest.py freezes py/ (the
# tflmkit helpers) into the firmware.

TOP ?= $(abspath .)
BUILD ?= $(TOP)/build
DEPS ?= $(TOP)/.deps
PY ?= $(DEPS)/venv/bin/python

NRF_PYOCD_VERSION := 0.46.0
NRF_MPY_DIR := $(DEPS)/micropython-1.25.0
NRF_MPY_STAMP := $(DEPS)/.stamp-micropython-1.25.0
NRF_GEN := $(BUILD)/nrf52840-gen
NRF_WHEEL := $(NRF_GEN)/pyocd-$(NRF_PYOCD_VERSION)-py3-none-any.whl
NRF_HEADER := $(NRF_GEN)/nrf52840.h

NRF_TUSB_VERSION := 0.18.0
NRF_TUSB_DIR := $(DEPS)/tinyusb-$(NRF_TUSB_VERSION)/usr/src/tinyusb
NRF_TUSB_STAMP := $(NRF_TUSB_DIR)/src/tusb.h

BOARD ?= XIAO_NRF52840_SENSE
NRF_BOARD := $(BOARD)
NRF_FS ?= FAT
NRF_USB ?= 1
NRF_VARIANT := $(if $(filter LFS,$(NRF_FS)),-lfs)$(if $(filter 0,$(NRF_USB)),-nousb)
ifeq ($(NRF_BOARD),XIAO_NRF52840_SENSE)
NRF_BUILD := $(BUILD)/nrf52840$(NRF_VARIANT)
else ifeq ($(NRF_BOARD),FEATHER_NRF52840_SENSE)
NRF_BUILD := $(BUILD)/nrf52840-feather$(NRF_VARIANT)
else
$(error unknown nRF52840 board $(NRF_BOARD))
endif
NRF_BOARD_DIR := $(TOP)/boards/$(NRF_BOARD)
NRF_SRC := $(wildcard ports/nrf52840/*.[ch] ports/nrf52840/Makefile ports/nrf52840/*.ld ports/nrf52840/nrfx_shim/*.h $(NRF_BOARD_DIR)/* usermod_tflm/*.[ch] usermod_tflm/micropython.mk \
	usermod_tflm/engine/*.[ch] usermod_tflm/engine/kernels/*.def usermod_tflm/engine/kernels/*/*.[ch] \
	py/*.py py/*/*.py)

.PHONY: nrf52840 nrf52840-all nrf52840-header nrf52840-emu emulate-nrf52840 test-nrf52840

nrf52840: $(NRF_BUILD)/firmware.uf2

nrf52840-all:
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) nrf52840 BOARD=XIAO_NRF52840_SENSE
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) nrf52840 BOARD=FEATHER_NRF52840_SENSE
	$(MAKE) -f $(firstword $(MAKEFILE_LIST)) nrf52840 BOARD=XIAO_NRF52840_SENSE NRF_FS=LFS

nrf52840-header: $(NRF_HEADER)

# The SVD ships inside pyocd's wheel (pinned); the wheel is only downloaded, never installed.
$(NRF_WHEEL):
	@mkdir -p $(@D)
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: pyocd==$(NRF_PYOCD_VERSION) -d $(@D)

$(NRF_HEADER): $(NRF_WHEEL) tools/svd2h.py
	python3 tools/svd2h.py $(NRF_WHEEL) $(NRF_GEN)

# (mk/micropython.mk has this rule when the root Makefile includes both)
ifneq ($(MPY_STAMP),$(NRF_MPY_STAMP))
$(NRF_MPY_STAMP):
	bash tools/fetch_micropython.sh
	touch $@
endif

# TinyUSB 0.18.0 (Debian's tinyusb-source) for USB.
$(NRF_TUSB_STAMP): tools/fetch_tinyusb.sh
	bash tools/fetch_tinyusb.sh
	@test -f $@ && touch $@

# GIT_DIR=/dev/null: MicroPython's version string stays v1.25.0. BOARD is
# always passed (sys.implementation._build): MicroPython's qstr cache does not
# notice a switch between builds with and without it.
$(NRF_BUILD)/firmware.uf2: $(NRF_MPY_STAMP) $(NRF_HEADER) $(if $(filter 1,$(NRF_USB)),$(NRF_TUSB_STAMP)) $(NRF_SRC) mk/nrf52840.mk tools/uf2.py
	[ -x $(NRF_MPY_DIR)/mpy-cross/build/mpy-cross ] || $(MAKE) -C $(NRF_MPY_DIR)/mpy-cross BUILD=build USER_C_MODULES=
	GIT_DIR=/dev/null $(MAKE) -C ports/nrf52840 TOP=$(NRF_MPY_DIR) BUILD=$(NRF_BUILD) BOARD=$(NRF_BOARD) \
		BOARD_DIR=$(NRF_BOARD_DIR) GEN=$(NRF_GEN) USER_C_MODULES=$(TOP) \
		NRF_FS=$(NRF_FS) NRF_USB=$(NRF_USB) TINYUSB_DIR=$(NRF_TUSB_DIR) \
		MICROPY_MPYCROSS=$(NRF_MPY_DIR)/mpy-cross/build/mpy-cross \
		FROZEN_MANIFEST=$(NRF_BOARD_DIR)/manifest.py MPY_LIB_DIR=$(DEPS)/mpy-lib-stub MPY_CROSS_FLAGS=-march=armv7emsp
	python3 -c "import sys; sys.path.insert(0, 'tools'); import uf2; \
		segs = uf2.elf_load_segments(open('$(NRF_BUILD)/firmware.elf', 'rb').read()); \
		pages = uf2.pages_from_segments(segs, 0x0, 0x100000); \
		open('$@', 'wb').write(uf2.write_uf2(pages, $(shell sed -n 's/^UF2_FAMILY *= *//p' $(NRF_BOARD_DIR)/mpconfigboard.mk)))"
	python3 tools/uf2.py --info $@

# The board model's Python dependency (pinned): unicorn, into the venv.
NRF_EMU_STAMP := $(BUILD)/nrf52840-emu.stamp
nrf52840-emu: $(NRF_EMU_STAMP)
$(NRF_EMU_STAMP): tools/emu/nrf52840/requirements.txt
	$(PY) -m pip install --quiet -r tools/emu/nrf52840/requirements.txt
	@mkdir -p $(@D)
	touch $@

emulate-nrf52840: nrf52840 nrf52840-emu
	$(PY) tools/emu/nrf52840_emulate.py --firmware $(BUILD)/nrf52840/firmware.elf

test-nrf52840: nrf52840-all nrf52840-emu
	$(PY) -m pytest -q tests/target_nrf
