# Cortex-M4 (ARMv7E-M + FPU) engine runs on unicorn with an instruction trace
# and a cycle cost table (tools/emu/m4bench, docs/m4-cost-table.md).
# Included by the root Makefile (`include mk/m4.mk`).
#
#   make m4bench     build/m4bench/{opt,ref}/: fw.elf (the engine + a tiny
#                    bare-metal main), fw.cost (its cost table), tflm_run (the
#                    host side: same command line as build/host/tflm_run)
#   make test-m4     conformance on the emulated M4, optimised kernels (fast
#                    tier: conv / depthwise / FC / pool / add sweeps, MLPerf
#                    Tiny, the real models), bytes against the oracle
#   make bench-m4    instructions and estimated cycles per model, ref and opt
#                    kernels, -> build/bench/m4.json and build/bench/m4.md
#   make test-m0     the same conformance on an emulated Cortex-M0+ (ARMv6-M
#                    kernels, built -Os as on the Pico)
#   make bench-m0    estimated Cortex-M0+ cycles per model, priced as the
#                    rp2040js emulator does -> build/bench/m0_est.json / .md

TOP ?= $(abspath .)
BUILD ?= $(TOP)/build
DEPS ?= $(TOP)/.deps
PY ?= $(DEPS)/venv/bin/python
ENGINE ?= usermod_tflm/engine

M4_DIR := $(BUILD)/m4bench
M4_SRC := tools/emu/m4bench
M4_UC := $(DEPS)/venv/lib/python3.11/site-packages/unicorn
M4_CC := arm-none-eabi-gcc
M4_CFLAGS := -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb -O2 -std=c99 -ffp-contract=off \
	-ffunction-sections -fdata-sections -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration
M4_LDFLAGS := -nostartfiles -specs=nosys.specs -T $(M4_SRC)/fw/m4.ld -Wl,--gc-sections
M4_ENGINE_SRC := $(sort $(wildcard $(ENGINE)/*.c $(ENGINE)/kernels/*.c $(ENGINE)/kernels/ref/*.c $(ENGINE)/kernels/arm/*.c))
M4_ENGINE_HDR := $(wildcard $(ENGINE)/*.h $(ENGINE)/kernels/*.def $(ENGINE)/kernels/*.h $(ENGINE)/kernels/ref/*.h $(ENGINE)/kernels/arm/*.h)
M4_FW_DEPS := $(M4_ENGINE_SRC) $(M4_ENGINE_HDR) $(M4_SRC)/fw/m4main.c $(M4_SRC)/fw/m4mbox.h $(M4_SRC)/fw/m4.ld mk/m4.mk
M4_TIER ?= fast

.PHONY: m4bench test-m4 test-m0 bench-m4 bench-m0

m4bench: $(M4_DIR)/opt/tflm_run $(M4_DIR)/ref/tflm_run $(M4_DIR)/opt/fw.cost $(M4_DIR)/ref/fw.cost

$(M4_DIR)/opt/fw.elf: $(M4_FW_DEPS)
	@mkdir -p $(@D)
	$(M4_CC) $(M4_CFLAGS) -I$(ENGINE) -I$(M4_SRC)/fw $(M4_LDFLAGS) -o $@ $(M4_SRC)/fw/m4main.c $(M4_ENGINE_SRC) -lm

$(M4_DIR)/ref/fw.elf: $(M4_FW_DEPS)
	@mkdir -p $(@D)
	$(M4_CC) $(M4_CFLAGS) -DTFLM_FORCE_REF -I$(ENGINE) -I$(M4_SRC)/fw $(M4_LDFLAGS) -o $@ $(M4_SRC)/fw/m4main.c $(M4_ENGINE_SRC) -lm

$(M4_DIR)/%/fw.cost: $(M4_DIR)/%/fw.elf $(M4_SRC)/costgen.py
	python3 $(M4_SRC)/costgen.py $< $@

# unicorn (pinned in tools/emu/nrf52840/requirements.txt) ships its C library
# and headers in the wheel: the host side links it statically.
$(M4_DIR)/m4emu: $(M4_SRC)/m4emu.c $(M4_SRC)/fw/m4mbox.h tools/host_io.h | $(BUILD)/nrf52840-emu.stamp
	@mkdir -p $(@D)
	$(CC) -O2 -std=gnu99 -Wall -I$(M4_UC)/include -I$(M4_SRC) -Itools -o $@ $< $(M4_UC)/lib/libunicorn.a -lpthread -lm

$(M4_DIR)/%/tflm_run: $(M4_DIR)/m4emu
	@mkdir -p $(@D)
	rm -f $@ && cp $< $@

# The same runner on a Cortex-M0+ (the RP2040's core): the ARMv6-M kernels,
# built as on the Pico (-Os), checked against the oracle; cycle estimates from
# a cost table that reproduces rp2040js's accounting (costgen.py --m0).
M0_CFLAGS := -mcpu=cortex-m0plus -mthumb -Os -std=c99 -ffp-contract=off -ffunction-sections -fdata-sections \
	-Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration

# fw/m0rt.S: run-time helpers as short as the Pico's (see the file).
$(M4_DIR)/m0/fw.elf: $(M4_FW_DEPS) $(M4_SRC)/fw/m0rt.S
	@mkdir -p $(@D)
	$(M4_CC) $(M0_CFLAGS) -I$(ENGINE) -I$(M4_SRC)/fw $(M4_LDFLAGS) -o $@ $(M4_SRC)/fw/m4main.c $(M4_SRC)/fw/m0rt.S \
		$(M4_ENGINE_SRC) -lm

$(M4_DIR)/m0/fw.cost: $(M4_DIR)/m0/fw.elf $(M4_SRC)/costgen.py
	python3 $(M4_SRC)/costgen.py --m0 $< $@

$(M4_DIR)/m0/tflm_run: $(M4_SRC)/m4emu.c $(M4_SRC)/fw/m4mbox.h tools/host_io.h $(M4_DIR)/m0/fw.elf $(M4_DIR)/m0/fw.cost | $(BUILD)/nrf52840-emu.stamp
	@mkdir -p $(@D)
	$(CC) -O2 -std=gnu99 -Wall -DM4EMU_CPU=UC_CPU_ARM_CORTEX_M0 -I$(M4_UC)/include -I$(M4_SRC) -Itools \
		-o $@ $< $(M4_UC)/lib/libunicorn.a -lpthread -lm

test-m0: deps $(M4_DIR)/m0/tflm_run check-shared
	$(PY) tests/target_m4/run_conformance.py --tier $(M4_TIER) --runner $(M4_DIR)/m0/tflm_run

test-m4: deps m4bench check-shared
	$(PY) tests/target_m4/run_conformance.py --tier $(M4_TIER) --runner $(M4_DIR)/opt/tflm_run

bench-m4: deps m4bench check-shared
	$(PY) $(M4_SRC)/bench_m4.py

bench-m0: deps $(M4_DIR)/m0/tflm_run check-shared
	$(PY) $(M4_SRC)/bench_m4.py --m0
