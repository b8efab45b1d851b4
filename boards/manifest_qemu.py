# Frozen modules of the QEMU test firmware (MICROBIT, MPS2_AN385, our
# MPS2_AN386). No require(): micropython-lib is in no package registry.
# tflm_testenv mounts the ROMFS image of test models the runner loads into
# the emulated memory (tests/mpy/run.sh).
module("tflm_testenv.py", base_path="../tests/mpy/lib")
# The project's Python helpers (py/: the tflmkit package), as on the boards.
freeze("../py")
