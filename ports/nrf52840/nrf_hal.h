// Board-level functions of our nRF52840 port.
#ifndef NRF_HAL_H
#define NRF_HAL_H
#include <stdint.h>
void nrf_board_init(void);
void nrf_flash_erase_page(uint32_t addr);
void nrf_flash_write(uint32_t addr, const uint8_t *src, uint32_t len);
uint32_t nrf_reset_reason(void);
// usb_port.c: TinyUSB and the VBUS events (with MICROPY_HW_ENABLE_USBDEV)
void nrf_usb_init(void);
#endif
