// Adafruit Feather nRF52840 Sense
#define MICROPY_HW_BOARD_NAME "Adafruit Feather nRF52840 Sense"
#define MICROPY_HW_MCU_NAME "nRF52840"
// UART on the TX (P0.25) and RX (P0.24) pins; pin = port * 32 + pin
#define NRF_UART_TX_PIN (25)
#define NRF_UART_RX_PIN (24)
// red LED P1.15, active high
#define NRF_LED_PIN (32 + 15)
#define NRF_LED_ACTIVE_LOW (0)
