// HAL for our nRF52840 port: RTC1 time base, UARTE0 (and USB CDC) stdio.
#include "py/ringbuf.h"
#include "shared/runtime/interrupt_char.h"

#if MICROPY_HW_ENABLE_USBDEV
// CDC input (shared/tinyusb/mp_usbd_cdc.c puts it here).
extern ringbuf_t stdin_ringbuf;
// The main loop sleeps in WFI, which any interrupt ends: nothing to do.
static inline void mp_hal_wake_main_task_from_isr(void) {
}
#endif

mp_uint_t mp_hal_ticks_ms(void);
mp_uint_t mp_hal_ticks_us(void);
mp_uint_t mp_hal_ticks_cpu(void);
void mp_hal_delay_ms(mp_uint_t ms);
void mp_hal_delay_us(mp_uint_t us);
uint64_t mp_hal_time_ns(void);
