# Frozen modules of the nRF52840 firmware (ports/nrf52840): the project's
# Python helpers (py/: the tflmkit package the examples import). Used when
# the port's make is given FROZEN_MANIFEST=<this file>.
freeze("../../py")
