# micropython-tflm firmware for the Raspberry Pi Pico (RP2040, 2 MB flash).
# BOARD_DIR for MicroPython 1.25's rp2 port: make rp2 (mk/rp2.mk) builds it.
set(PICO_BOARD "pico")
set(PICO_PLATFORM "rp2040")

# Frozen Python: the port's own modules and our py/ helpers; no micropython-lib.
set(MICROPY_FROZEN_MANIFEST ${MICROPY_BOARD_DIR}/manifest.py)

# The tflm user C module is part of this board (also when built without mk/rp2.mk).
if(NOT USER_C_MODULES)
    set(USER_C_MODULES ${MICROPY_BOARD_DIR}/../../usermod_tflm/micropython.cmake)
endif()
