// nRF52840 board bring-up and HAL: clocks, UARTE0 stdio, RTC1 time, RNG, NVMC.
// Only UARTE0 reception uses an interrupt; everything else is polled.
#include <stddef.h>
#include <string.h>
#include "py/mpconfig.h"
#include "py/mphal.h"
#include "py/ringbuf.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "shared/runtime/interrupt_char.h"
#include "nrf52840.h"
#include "nrf_hal.h"
#if MICROPY_HW_ENABLE_USBDEV
#include "shared/tinyusb/mp_usbd.h"
#include "shared/tinyusb/mp_usbd_cdc.h"
#endif

// The generated header must match the datasheet's register offsets we rely on.
_Static_assert(offsetof(NRF_UARTE_Type, ENABLE) == 0x500, "UARTE.ENABLE");
_Static_assert(offsetof(NRF_UARTE_Type, RXD) == 0x534, "UARTE.RXD");
_Static_assert(offsetof(NRF_UARTE_Type, TXD) == 0x544, "UARTE.TXD");
_Static_assert(offsetof(NRF_RTC_Type, COUNTER) == 0x504, "RTC.COUNTER");
_Static_assert(offsetof(NRF_NVMC_Type, ERASEPAGE) == 0x508, "NVMC.ERASEPAGE");
_Static_assert(offsetof(NRF_GPIO_Type, PIN_CNF) == 0x700, "GPIO.PIN_CNF");
_Static_assert(offsetof(NRF_CLOCK_Type, LFCLKSRC) == 0x518, "CLOCK.LFCLKSRC");

const char nrf_help_text[] =
    "MicroPython with tflm on the nRF52840.\n"
    "  import tflm; m = tflm.Model('/model.tflite'); m.invoke()\n"
    "  Models in the ROMFS region run in place: mpremote romfs deploy IMAGE, then /rom/...\n"
    "Control: Ctrl-A raw REPL, Ctrl-B friendly REPL, Ctrl-C interrupt, Ctrl-D soft reset.\n";

static NRF_GPIO_Type *nrf_port(unsigned pin) {
    return pin >= 32 ? NRF_P1 : NRF_P0;
}

// ---- clocks ----
static void nrf_clocks_start(void) {
    // HFXO for an accurate 64 MHz and UART baud rate; LFCLK from the 32 kHz RC
    // (no crystal assumption) for the RTC.
    NRF_CLOCK->EVENTS_HFCLKSTARTED = 0;
    NRF_CLOCK->TASKS_HFCLKSTART = 1;
    while (!NRF_CLOCK->EVENTS_HFCLKSTARTED) {
    }
    NRF_CLOCK->LFCLKSRC = CLOCK_LFCLKSRC_SRC_RC << CLOCK_LFCLKSRC_SRC_Pos;
    NRF_CLOCK->EVENTS_LFCLKSTARTED = 0;
    NRF_CLOCK->TASKS_LFCLKSTART = 1;
    while (!NRF_CLOCK->EVENTS_LFCLKSTARTED) {
    }
}

// ---- time: RTC1 at 32768 Hz; its 24-bit counter extended in software ----
static uint32_t rtc_wraps, rtc_last;

static void nrf_rtc_start(void) {
    NRF_RTC1->TASKS_STOP = 1;
    NRF_RTC1->PRESCALER = 0;
    NRF_RTC1->TASKS_CLEAR = 1;
    NRF_RTC1->EVENTS_OVRFLW = 0;
    NRF_RTC1->TASKS_START = 1;
    rtc_wraps = 0;
    rtc_last = 0;
}

static uint64_t nrf_rtc_ticks(void) {
    uint32_t state = nrf_irq_save();
    uint32_t now = NRF_RTC1->COUNTER & 0xffffffu;
    // OVRFLW stays set until cleared: a wrap is seen even if reads are rare.
    if (NRF_RTC1->EVENTS_OVRFLW || now < rtc_last) {
        NRF_RTC1->EVENTS_OVRFLW = 0;
        rtc_wraps++;
        now = NRF_RTC1->COUNTER & 0xffffffu;
    }
    rtc_last = now;
    uint64_t t = ((uint64_t)rtc_wraps << 24) | now;
    nrf_irq_restore(state);
    return t;
}

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)((nrf_rtc_ticks() * 1000u) >> 15);
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)((nrf_rtc_ticks() * 1000000u) >> 15);
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return DWT->CYCCNT;
}

uint64_t mp_hal_time_ns(void) {
    return (nrf_rtc_ticks() * 1000000000ull) >> 15;
}

void mp_hal_delay_us(mp_uint_t us) {
    mp_uint_t t0 = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - t0 < us) {
    }
}

void mp_hal_delay_ms(mp_uint_t ms) {
    mp_uint_t t0 = mp_hal_ticks_ms();
    while (mp_hal_ticks_ms() - t0 < ms) {
        mp_handle_pending(true);
    }
}

// ---- stdio: UARTE0 and, with USB, the CDC serial port; input from either,
// output to both (while no host has the CDC port open, its FIFO keeps the
// latest output; the UART's 115200 baud paces output on both) ----
#if MICROPY_HW_ENABLE_USBDEV
// Filled by shared/tinyusb's CDC glue (main context, in the USB task).
static uint8_t stdin_store[256];
ringbuf_t stdin_ringbuf = { stdin_store, sizeof(stdin_store), 0, 0 };
#endif

// ---- UARTE0: EasyDMA; reception one byte at a time in the ENDRX interrupt ----
static uint8_t uart_rx_byte;
static uint8_t uart_tx_buf[64];
static uint8_t uart_rx_store[512];
static ringbuf_t uart_rx_ring = { uart_rx_store, sizeof(uart_rx_store), 0, 0 };

static void nrf_uart_arm_rx(void) {
    NRF_UARTE0->EVENTS_ENDRX = 0;
    NRF_UARTE0->RXD.PTR = (uint32_t)&uart_rx_byte;
    NRF_UARTE0->RXD.MAXCNT = 1;
    NRF_UARTE0->TASKS_STARTRX = 1;
}

static void nrf_uart_init(void) {
    NRF_GPIO_Type *tx = nrf_port(NRF_UART_TX_PIN);
    tx->OUTSET = 1u << (NRF_UART_TX_PIN & 31);
    tx->PIN_CNF[NRF_UART_TX_PIN & 31] = GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos;
    nrf_port(NRF_UART_RX_PIN)->PIN_CNF[NRF_UART_RX_PIN & 31] =
        (GPIO_PIN_CNF_INPUT_Connect << GPIO_PIN_CNF_INPUT_Pos) | (GPIO_PIN_CNF_PULL_Pullup << GPIO_PIN_CNF_PULL_Pos);
    NRF_UARTE0->PSEL.TXD = NRF_UART_TX_PIN;
    NRF_UARTE0->PSEL.RXD = NRF_UART_RX_PIN;
    NRF_UARTE0->BAUDRATE = UARTE_BAUDRATE_BAUDRATE_Baud115200 << UARTE_BAUDRATE_BAUDRATE_Pos;
    NRF_UARTE0->CONFIG = 0; // 8N1, no flow control
    NRF_UARTE0->ENABLE = UARTE_ENABLE_ENABLE_Enabled << UARTE_ENABLE_ENABLE_Pos;
    NRF_UARTE0->INTENCLR = 0xffffffffu;
    NRF_UARTE0->INTENSET = UARTE_INTENSET_ENDRX_Msk;
    NVIC_SetPriority(UARTE0_UART0_IRQn, 2);
    NVIC_ClearPendingIRQ(UARTE0_UART0_IRQn);
    NVIC_EnableIRQ(UARTE0_UART0_IRQn);
    nrf_uart_arm_rx();
}

// ENDRX: keep the byte (Ctrl-C while code runs raises KeyboardInterrupt) and re-arm.
void UARTE0_UART0_IRQHandler(void) {
    if (NRF_UARTE0->EVENTS_ENDRX) {
        int c = uart_rx_byte;
        uint32_t got = NRF_UARTE0->RXD.AMOUNT;
        nrf_uart_arm_rx();
        if (got) {
            if (c == mp_interrupt_char) {
                mp_sched_keyboard_interrupt();
            } else {
                ringbuf_put(&uart_rx_ring, c);
            }
        }
    }
}

int mp_hal_stdin_rx_chr(void) {
    for (;;) {
        #if MICROPY_HW_ENABLE_USBDEV
        // Runs the USB task (CDC input lands in stdin_ringbuf).
        mp_usbd_cdc_poll_interfaces(0);
        int u = ringbuf_get(&stdin_ringbuf);
        if (u >= 0) {
            return u;
        }
        #endif
        uint32_t state = nrf_irq_save();
        int c = ringbuf_get(&uart_rx_ring);
        if (c < 0) {
            // Sleep until an interrupt (UARTE, USBD, ...); one that became
            // pending after the check still wakes WFI while PRIMASK is set.
            __WFI();
        }
        nrf_irq_restore(state);
        if (c >= 0) {
            return c;
        }
    }
}

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    #if MICROPY_HW_ENABLE_USBDEV
    ret |= mp_usbd_cdc_poll_interfaces(poll_flags) & MP_STREAM_POLL_RD;
    #endif
    if ((poll_flags & MP_STREAM_POLL_RD) && ringbuf_avail(&uart_rx_ring)) {
        ret |= MP_STREAM_POLL_RD;
    }
    if (poll_flags & MP_STREAM_POLL_WR) {
        ret |= MP_STREAM_POLL_WR;
    }
    return ret;
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    size_t done = 0;
    while (done < len) {
        // EasyDMA reads RAM only: strings in flash go through a RAM buffer.
        size_t n = len - done < sizeof(uart_tx_buf) ? len - done : sizeof(uart_tx_buf);
        memcpy(uart_tx_buf, str + done, n);
        NRF_UARTE0->EVENTS_ENDTX = 0;
        NRF_UARTE0->TXD.PTR = (uint32_t)uart_tx_buf;
        NRF_UARTE0->TXD.MAXCNT = n;
        NRF_UARTE0->TASKS_STARTTX = 1;
        while (!NRF_UARTE0->EVENTS_ENDTX) {
        }
        NRF_UARTE0->EVENTS_ENDTX = 0;
        done += n;
    }
    #if MICROPY_HW_ENABLE_USBDEV
    mp_usbd_cdc_tx_strn(str, len);
    #endif
    return len;
}

// ---- RNG (seed for the random module) ----
uint32_t nrf_rng_seed(void) {
    uint32_t v = 0;
    NRF_RNG->CONFIG = RNG_CONFIG_DERCEN_Enabled << RNG_CONFIG_DERCEN_Pos;
    NRF_RNG->TASKS_START = 1;
    for (int i = 0; i < 4; i++) {
        NRF_RNG->EVENTS_VALRDY = 0;
        while (!NRF_RNG->EVENTS_VALRDY) {
        }
        v = (v << 8) | (NRF_RNG->VALUE & 0xffu);
    }
    NRF_RNG->TASKS_STOP = 1;
    return v;
}

// ---- NVMC: 4 KB pages, 32-bit word writes ----
static void nrf_nvmc_mode(uint32_t wen) {
    NRF_NVMC->CONFIG = wen << NVMC_CONFIG_WEN_Pos;
    while (!NRF_NVMC->READY) {
    }
}

void nrf_flash_erase_page(uint32_t addr) {
    uint32_t state = nrf_irq_save();
    nrf_nvmc_mode(NVMC_CONFIG_WEN_Een);
    NRF_NVMC->ERASEPAGE = addr;
    while (!NRF_NVMC->READY) {
    }
    nrf_nvmc_mode(NVMC_CONFIG_WEN_Ren);
    nrf_irq_restore(state);
}

void nrf_flash_write(uint32_t addr, const uint8_t *src, uint32_t len) {
    uint32_t state = nrf_irq_save();
    nrf_nvmc_mode(NVMC_CONFIG_WEN_Wen);
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t w;
        memcpy(&w, src + i, 4);
        *(volatile uint32_t *)(addr + i) = w;
        while (!NRF_NVMC->READY) {
        }
    }
    nrf_nvmc_mode(NVMC_CONFIG_WEN_Ren);
    nrf_irq_restore(state);
}

// ---- board ----
void nrf_board_init(void) {
    nrf_clocks_start();
    nrf_rtc_start();
    // The cycle counter (DWT) for mp_hal_ticks_cpu and tflm's profile().
    CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
    DWT->CYCCNT = 0;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
    // LED off
    NRF_GPIO_Type *led = nrf_port(NRF_LED_PIN);
    if (NRF_LED_ACTIVE_LOW) {
        led->OUTSET = 1u << (NRF_LED_PIN & 31);
    } else {
        led->OUTCLR = 1u << (NRF_LED_PIN & 31);
    }
    led->PIN_CNF[NRF_LED_PIN & 31] = GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos;
    #if NRF_IMU_PWR_PIN >= 0
    // The IMU's supply (a GPIO, high drive) on, as the board's firmware does
    // at boot; it needs a few ms before answering on I2C.
    NRF_GPIO_Type *imu = nrf_port(NRF_IMU_PWR_PIN);
    imu->OUTSET = 1u << (NRF_IMU_PWR_PIN & 31);
    imu->PIN_CNF[NRF_IMU_PWR_PIN & 31] = (GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos)
        | (GPIO_PIN_CNF_DRIVE_S0H1 << GPIO_PIN_CNF_DRIVE_Pos);
    #endif
    nrf_uart_init();
}

uint32_t nrf_reset_reason(void) {
    return NRF_POWER->RESETREAS;
}
