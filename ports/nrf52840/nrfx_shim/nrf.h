// Our stand-in for the few nrfx/MDK headers TinyUSB's nRF5x device driver
// (src/portable/nordic/nrf5x/dcd_nrf5x.c) includes: nrf.h, nrf_clock.h and
// nrfx_usbd_errata.h. Written for this port on top of the device header
// generated from the SVD (tools/svd2h.py -> nrf52840.h); no nrfx code.
#ifndef NRF52840_SHIM_NRF_H
#define NRF52840_SHIM_NRF_H

#include "nrf52840.h"

// The driver's nRF52-only paths (the USBD errata writes) are keyed on these.
#ifndef NRF52_SERIES
#define NRF52_SERIES
#endif
#ifndef NRF52840_XXAA
#define NRF52840_XXAA
#endif

#endif
