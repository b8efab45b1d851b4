// machine module functions for our nRF52840 port (included by extmod/modmachine.c).
#include "nrf52840.h"
#include "nrf_hal.h"
#include "machine_nrf.h"

static void mp_machine_idle(void) {
    __WFE();
}

NORETURN static void mp_machine_reset(void) {
    NVIC_SystemReset();
}

// machine.bootloader(): into the boards' Adafruit-style UF2 bootloader, which
// stays in its UF2 drive mode when POWER.GPREGRET holds 0x57 after a reset
// (GPREGRET survives a system reset). Also a USB CDC "1200-baud touch".
NORETURN void mp_machine_bootloader(size_t n_args, const mp_obj_t *args) {
    __disable_irq();
    NRF_POWER->GPREGRET = 0x57;
    NVIC_SystemReset();
}

// POWER.RESETREAS bits: 0 pin reset, 1 watchdog, 2 soft reset, 3 lockup.
static mp_int_t mp_machine_reset_cause(void) {
    uint32_t r = nrf_reset_reason();
    if (r & POWER_RESETREAS_DOG_Msk) {
        return 3;
    }
    if (r & POWER_RESETREAS_SREQ_Msk) {
        return 5;
    }
    if (r & POWER_RESETREAS_RESETPIN_Msk) {
        return 2;
    }
    return 1;
}

static mp_obj_t mp_machine_unique_id(void) {
    uint32_t id[2] = { NRF_FICR->DEVICEID[0], NRF_FICR->DEVICEID[1] };
    return mp_obj_new_bytes((const byte *)id, sizeof(id));
}

static mp_obj_t mp_machine_get_freq(void) {
    return MP_OBJ_NEW_SMALL_INT(SystemCoreClock);
}

static void mp_machine_set_freq(size_t n_args, const mp_obj_t *args) {
    mp_raise_NotImplementedError(MP_ERROR_TEXT("the nRF52840 runs at 64 MHz only"));
}

static void mp_machine_lightsleep(size_t n_args, const mp_obj_t *args) {
    mp_raise_NotImplementedError(NULL);
}

NORETURN static void mp_machine_deepsleep(size_t n_args, const mp_obj_t *args) {
    NVIC_SystemReset();
}
