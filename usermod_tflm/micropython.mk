# tflm user C module for MicroPython's make-based ports (unix, qemu, ...).
#
#   make -C ports/unix USER_C_MODULES=<repo root>
#
# The binding (modtflm.c, tflm_tensor_obj.c) is scanned for qstrs; the engine
# is C99 with no MicroPython headers and goes in SRC_USERMOD_LIB_C, which the
# qstr scan skips. Port glue (the profile() clock) comes from
# <repo>/ports/<port>/tflm_port.c when it exists for the port being built.
TFLM_MOD_DIR := $(USERMOD_DIR)
TFLM_ENGINE_DIR := $(TFLM_MOD_DIR)/engine

SRC_USERMOD_C += $(TFLM_MOD_DIR)/modtflm.c
SRC_USERMOD_C += $(TFLM_MOD_DIR)/tflm_tensor_obj.c

TFLM_ENGINE_SRC := $(sort $(wildcard \
	$(TFLM_ENGINE_DIR)/*.c \
	$(TFLM_ENGINE_DIR)/kernels/*.c \
	$(TFLM_ENGINE_DIR)/kernels/ref/*.c \
	$(TFLM_ENGINE_DIR)/kernels/arm/*.c))
SRC_USERMOD_LIB_C += $(TFLM_ENGINE_SRC)

TFLM_PORT ?= $(notdir $(CURDIR))
TFLM_PORT_SRC := $(wildcard $(TFLM_MOD_DIR)/../ports/$(TFLM_PORT)/tflm_port.c)
ifneq ($(TFLM_PORT_SRC),)
SRC_USERMOD_LIB_C += $(TFLM_PORT_SRC)
CFLAGS_USERMOD += -DTFLM_HAVE_PORT_CLOCK=1
endif

CFLAGS_USERMOD += -I$(TFLM_MOD_DIR) -I$(TFLM_ENGINE_DIR)

# Bare-metal ports link no C library: their libm (lib/libm) is single
# precision only, while the engine's prepare-time maths uses double functions
# (frexp, round, sqrt, ...). Those come from MicroPython's own lib/libm_dbl
# (all of it: --gc-sections drops what is unused; paths relative to
# MicroPython's top, found through vpath). thumb_vfp_sqrt.c needs a
# double-precision FPU, which none of these cores has.
TFLM_LIBM_DBL_PORTS ?= qemu
ifneq ($(filter $(TFLM_PORT),$(TFLM_LIBM_DBL_PORTS)),)
TFLM_LIBM_DBL_SRC := $(filter-out %/thumb_vfp_sqrt.c,$(patsubst $(TOP)/%,%,$(wildcard $(TOP)/lib/libm_dbl/*.c)))
SRC_USERMOD_LIB_C += $(TFLM_LIBM_DBL_SRC)
endif

# Extra linker script for the port, if any (qemu: discard libgcc's unwind tables).
TFLM_PORT_LD := $(wildcard $(TFLM_MOD_DIR)/../ports/$(TFLM_PORT)/tflm_$(TFLM_PORT).ld)
TFLM_COMMA := ,
LDFLAGS_USERMOD += $(addprefix -Wl$(TFLM_COMMA)-T$(TFLM_COMMA),$(TFLM_PORT_LD))

# Engine objects: the engine is checked with its own warning set (tests/engine, sanitizers);
# the ports' -Werror with -Wdouble-promotion/-Wfloat-conversion must not turn a
# new kernel's float literal into a broken firmware build. TFLM_ENGINE_COPT
# optionally overrides the optimisation level of the engine only.
TFLM_ENGINE_OBJ := $(addprefix $(BUILD)/,$(patsubst $(USER_C_MODULES)/%.c,%.o,$(TFLM_ENGINE_SRC) $(TFLM_PORT_SRC) $(TFLM_LIBM_DBL_SRC)))
# -ffp-contract=off: no fused multiply-add (the ports build in gnu99 mode,
# where GCC would contract a*b+c into VFMA on an FPU core and float32 kernels
# would no longer match the oracle bit for bit).
$(TFLM_ENGINE_OBJ): $(TFLM_MOD_DIR)/micropython.mk
$(TFLM_ENGINE_OBJ): CFLAGS += -Wno-error -Wno-double-promotion -Wno-float-conversion -ffp-contract=off $(TFLM_ENGINE_COPT)

# Op subset (smaller firmware): TFLM_OPS_HEADER=<path to a header as in
# tools/size/*.h>; tflm.ops() on the board lists the ops that are in.
ifneq ($(TFLM_OPS_HEADER),)
$(TFLM_ENGINE_OBJ): CFLAGS += -DTFLM_OPS_HEADER='"$(abspath $(TFLM_OPS_HEADER))"'
endif
# TFLM_TERSE=1: no error detail strings in the engine (about a fifth of its bytes).
ifeq ($(TFLM_TERSE),1)
$(TFLM_ENGINE_OBJ): CFLAGS += -DTFLM_TERSE
endif
