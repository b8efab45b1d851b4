# Frozen modules of the unix builds (64-bit and nanbox): the stock unix
# manifest minus its require()s, as micropython-lib is in no package registry.
include("$(MPY_DIR)/extmod/asyncio")
# The project's Python helpers (py/: the tflmkit package), as on the boards.
freeze("../py")
