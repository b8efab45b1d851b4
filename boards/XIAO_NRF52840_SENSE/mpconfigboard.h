// Seeed XIAO nRF52840 Sense
#define MICROPY_HW_BOARD_NAME "Seeed XIAO nRF52840 Sense"
#define MICROPY_HW_MCU_NAME "nRF52840"
// Pins are numbered port * 32 + pin: P1.08 is 40.
// UART on the edge pins D6 (TX, P1.11) and D7 (RX, P1.12)
#define NRF_UART_TX_PIN (32 + 11)
#define NRF_UART_RX_PIN (32 + 12)
// RGB LED, active low: red P0.26, green P0.30, blue P0.06
#define NRF_LED_PIN (26)
#define NRF_LED_ACTIVE_LOW (1)

// Names accepted by machine.Pin("NAME"), besides "P0.26"-style names.
#define NRF_BOARD_PIN_NAMES(X) \
    X(LED, 26) X(LED_RED, 26) X(LED_GREEN, 30) X(LED_BLUE, 6) \
    X(D0, 2) X(D1, 3) X(D2, 28) X(D3, 29) X(D4, 4) X(D5, 5) \
    X(D6, 43) X(D7, 44) X(D8, 45) X(D9, 46) X(D10, 47) \
    X(A0, 2) X(A1, 3) X(A2, 28) X(A3, 29) X(A4, 4) X(A5, 5) \
    X(SDA, 4) X(SCL, 5) X(TX, 43) X(RX, 44) \
    X(IMU_PWR, 40) X(IMU_SCL, 27) X(IMU_SDA, 7) X(IMU_INT1, 11) \
    X(MIC_PWR, 42) X(MIC_CLK, 32) X(MIC_DATA, 16)

// I2C(0): the on-board IMU's bus (LSM6DS3TR-C at 0x6A); I2C(1): the edge
// pins D5 (SCL) / D4 (SDA).
#define NRF_I2C0_SCL (27)
#define NRF_I2C0_SDA (7)
#define NRF_I2C1_SCL (5)
#define NRF_I2C1_SDA (4)
// The IMU's supply comes from a GPIO (high = on); switched on at boot.
#define NRF_IMU_PWR_PIN (32 + 8)

// PDM microphone (MSM261D3526H1CPM): clock P1.00, data P0.16, supply P1.10.
#define NRF_PDM_CLK_PIN (32 + 0)
#define NRF_PDM_DIN_PIN (16)
#define NRF_MIC_PWR_PIN (32 + 10)
