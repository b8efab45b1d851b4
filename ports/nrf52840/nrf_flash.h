// Internal-flash block devices (littlefs region, ROMFS region).
#ifndef NRF_FLASH_H
#define NRF_FLASH_H
#include "py/obj.h"
extern const mp_obj_type_t nrf_flash_type;
mp_obj_t nrf_flash_fs_bdev(void);
#endif
