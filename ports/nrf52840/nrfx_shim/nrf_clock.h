// CLOCK helpers in the form TinyUSB's nRF5x driver calls them (the nrfx 2.x
// signatures: the CLOCK instance first). Only the high-frequency clock is
// asked for: is the crystal running, clear HFCLKSTARTED, start/stop it.
#ifndef NRF52840_SHIM_NRF_CLOCK_H
#define NRF52840_SHIM_NRF_CLOCK_H

#include <stdbool.h>
#include "nrf52840.h"

typedef enum {
    NRF_CLOCK_HFCLK_LOW_ACCURACY = CLOCK_HFCLKSTAT_SRC_RC,   // HFINT
    NRF_CLOCK_HFCLK_HIGH_ACCURACY = CLOCK_HFCLKSTAT_SRC_Xtal, // HFXO
} nrf_clock_hfclk_t;

// Events and tasks by their register offset in the CLOCK block.
typedef enum {
    NRF_CLOCK_EVENT_HFCLKSTARTED = 0x100,
} nrf_clock_event_t;

typedef enum {
    NRF_CLOCK_TASK_HFCLKSTART = 0x000,
    NRF_CLOCK_TASK_HFCLKSTOP = 0x004,
} nrf_clock_task_t;

// Is the HF clock running from the given source?
static inline bool nrf_clock_hf_is_running(NRF_CLOCK_Type *clk, nrf_clock_hfclk_t src) {
    uint32_t stat = clk->HFCLKSTAT;
    return (stat & CLOCK_HFCLKSTAT_STATE_Msk)
           && ((stat & CLOCK_HFCLKSTAT_SRC_Msk) >> CLOCK_HFCLKSTAT_SRC_Pos) == (uint32_t)src;
}

static inline void nrf_clock_event_clear(NRF_CLOCK_Type *clk, nrf_clock_event_t ev) {
    *(volatile uint32_t *)((uintptr_t)clk + (uint32_t)ev) = 0;
    (void)*(volatile uint32_t *)((uintptr_t)clk + (uint32_t)ev);
}

// The port starts the crystal at boot and keeps it: the UARTE REPL's baud
// rate comes from it. So the USB driver's HFCLKSTOP (on USB removal) is not
// passed on; HFCLKSTART is (harmless when it already runs).
static inline void nrf_clock_task_trigger(NRF_CLOCK_Type *clk, nrf_clock_task_t task) {
    if (task == NRF_CLOCK_TASK_HFCLKSTOP) {
        return;
    }
    *(volatile uint32_t *)((uintptr_t)clk + (uint32_t)task) = 1;
}

#endif
