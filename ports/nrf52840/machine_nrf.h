// Shared by the machine classes of our nRF52840 port (Pin, PWM, I2C, PDM).
#ifndef MACHINE_NRF_H
#define MACHINE_NRF_H
#include <stdint.h>
#include "py/obj.h"
#include "nrf52840.h"

// P0.00-P0.31 are 0-31, P1.00-P1.15 are 32-47.
#define NRF_PIN_COUNT (48)
// A peripheral's PSEL value for a pin: PIN in bits 0-4, PORT in bit 5, CONNECT (bit 31) = 0.
#define NRF_PSEL(pin) ((uint32_t)(pin))
#define NRF_PSEL_DISCONNECTED (0xFFFFFFFFu)

extern const mp_obj_type_t machine_pdm_type;

NRF_GPIO_Type *nrf_gpio_port(unsigned pin);
void nrf_gpio_config(unsigned pin, uint32_t cnf);
void nrf_gpio_write(unsigned pin, int value);
int nrf_gpio_read(unsigned pin);
// A pin number from an int, a "P0.26"-style name, a board name or a Pin.
unsigned nrf_pin_from_obj(mp_obj_t obj);

// EasyDMA reaches RAM only.
static inline int nrf_in_ram(const void *p, size_t len) {
    uintptr_t a = (uintptr_t)p;
    return a >= 0x20000000u && a + len <= 0x20040000u;
}

// Stops every PWM, I2C and PDM peripheral (soft reset).
void machine_pwm_deinit_all(void);
void machine_i2c_deinit_all(void);
void machine_pdm_deinit_all(void);
void machine_pin_irq_deinit_all(void);
void PDM_IRQHandler(void);
void GPIOTE_IRQHandler(void);
#endif
