// Which of the nRF52840's USBD errata apply to this chip, as TinyUSB's nRF5x
// driver asks (it then does the errata sheet's register writes itself).
// The chip's revision is in FICR words 0x10000130 (part family: 8 = nRF52840)
// and 0x10000134 (0 = engineering A, then later revisions), as in
// startup.c's SystemInit. From Nordic's nRF52840 errata sheet:
//   166 USBD: ISO double buffering not functional      all revisions
//   171 USBD: might not reach its active state         all revisions
//   187 USBD: cannot be enabled                        all but engineering A
#ifndef NRF52840_SHIM_NRFX_USBD_ERRATA_H
#define NRF52840_SHIM_NRFX_USBD_ERRATA_H

#include <stdbool.h>
#include <stdint.h>

static inline bool nrf52840_shim_is_52840(void) {
    return *(volatile uint32_t *)0x10000130u == 0x8u;
}

static inline bool nrf52840_shim_is_eng_a(void) {
    return *(volatile uint32_t *)0x10000134u == 0x0u;
}

static inline bool nrfx_usbd_errata_166(void) {
    return nrf52840_shim_is_52840();
}

static inline bool nrfx_usbd_errata_171(void) {
    return nrf52840_shim_is_52840();
}

static inline bool nrfx_usbd_errata_187(void) {
    return nrf52840_shim_is_52840() && !nrf52840_shim_is_eng_a();
}

#endif
