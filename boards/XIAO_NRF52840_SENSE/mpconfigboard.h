// Seeed XIAO nRF52840 Sense
#define MICROPY_HW_BOARD_NAME "Seeed XIAO nRF52840 Sense"
#define MICROPY_HW_MCU_NAME "nRF52840"
// UART on the edge pins D6 (TX, P1.11) and D7 (RX, P1.12); pin = port * 32 + pin
#define NRF_UART_TX_PIN (32 + 11)
#define NRF_UART_RX_PIN (32 + 12)
// RGB LED, active low: red P0.26, green P0.30, blue P0.06
#define NRF_LED_PIN (26)
#define NRF_LED_ACTIVE_LOW (1)
