// Adafruit Feather nRF52840 Sense
#define MICROPY_HW_BOARD_NAME "Adafruit Feather nRF52840 Sense"
#define MICROPY_HW_MCU_NAME "nRF52840"
// Pins are numbered port * 32 + pin: P1.09 is 41.
// UART on the TX (P0.25) and RX (P0.24) pins
#define NRF_UART_TX_PIN (25)
#define NRF_UART_RX_PIN (24)
// red LED P1.09 (D13), active high; blue LED P1.10
#define NRF_LED_PIN (32 + 9)
#define NRF_LED_ACTIVE_LOW (0)

// Names accepted by machine.Pin("NAME"), besides "P1.09"-style names.
#define NRF_BOARD_PIN_NAMES(X) \
    X(LED, 41) X(LED_RED, 41) X(LED_BLUE, 42) X(SWITCH, 34) X(NEOPIXEL, 16) \
    X(A0, 4) X(A1, 5) X(A2, 30) X(A3, 28) X(A4, 2) X(A5, 3) \
    X(D2, 10) X(D5, 40) X(D6, 7) X(D9, 26) X(D10, 27) X(D11, 6) X(D12, 8) X(D13, 41) \
    X(SCK, 14) X(MOSI, 13) X(MISO, 15) X(TX, 25) X(RX, 24) X(SCL, 11) X(SDA, 12) \
    X(IMU_INT1, 43) X(MIC_CLK, 1) X(MIC_DATA, 0)

// I2C(0) and I2C(1): the STEMMA QT / sensor bus (LSM6DS3TR-C or LSM6DS33 at
// 0x6A, LIS3MDL, APDS9960, BMP280, SHT30); the sensors are always powered.
#define NRF_I2C0_SCL (11)
#define NRF_I2C0_SDA (12)
#define NRF_I2C1_SCL (11)
#define NRF_I2C1_SDA (12)
#define NRF_IMU_PWR_PIN (-1)

// PDM microphone (MP34DT01-M): clock P0.01, data P0.00, always powered.
#define NRF_PDM_CLK_PIN (1)
#define NRF_PDM_DIN_PIN (0)
#define NRF_MIC_PWR_PIN (-1)
