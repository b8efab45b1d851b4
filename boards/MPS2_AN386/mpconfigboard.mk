# QEMU board for MicroPython's qemu port: ARM MPS2 AN386 (Cortex-M4F).
# Same memory map and UART as MPS2_AN385 (the port's Cortex-M3 board); the
# core adds the DSP extension and a single-precision FPU.
#
#   make -C ports/qemu BOARD=MPS2_AN386 BOARD_DIR=<repo>/boards/MPS2_AN386
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an386

# Hard-float ABI. The port's startup never enables the FPU, so the linker
# wraps uart_init() (the first call _start makes, before any float code) with
# board_init.c's wrapper that enables CP10/CP11 first.
CFLAGS += -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M4F"'
LDFLAGS += -Wl,--wrap=uart_init
SRC_C += $(BOARD_DIR)/board_init.c

LDSCRIPT = mcu/arm/mps2.ld

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o

MPY_CROSS_FLAGS += -march=armv7emsp

# ports/qemu never sets CXXFLAGS: derive them so any C++ is built for this core.
CXXFLAGS = $(filter-out -std=gnu99,$(CFLAGS))
