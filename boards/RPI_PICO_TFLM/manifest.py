# Frozen modules of the Pico firmware (boards/RPI_PICO_TFLM; also used for the
# stock RPI_PICO baseline build). No require(): micropython-lib is in no
# package registry.
freeze("$(PORT_DIR)/modules")
include("$(MPY_DIR)/extmod/asyncio")

# The project's Python helpers (py/ at the top of the repository: the
# tflmkit package the examples import). Manifests run with their own folder
# as the current directory.
freeze("../../py")
