// USB of our nRF52840 port: TinyUSB's nRF5x device driver with MicroPython's
// shared/tinyusb glue (CDC as stdio, fixed descriptors), the POWER block's
// VBUS events forwarded to the driver, and the mass-storage drive: the FAT
// filesystem region of the internal flash as 4 KB blocks.
//
// The USBD is only switched on by TinyUSB when the POWER block reports VBUS
// (USBDETECTED, then USBPWRRDY); without USB power (a battery, the board
// model) the stack is initialised but the peripheral stays off.
#include <string.h>
#include "py/mpconfig.h"

#if MICROPY_HW_ENABLE_USBDEV

#include "py/runtime.h"
#include "shared/tinyusb/mp_usbd.h"
#include "nrf52840.h"
#include "nrf_hal.h"
#include "nrf_flash.h"

// TinyUSB's hook for the POWER block's USB events (dcd_nrf5x.c); the values
// are the driver's own: 0 detected, 1 removed, 2 ready.
void tusb_hal_nrf_power_event(uint32_t event);
enum { NRF_USB_EVT_DETECTED = 0, NRF_USB_EVT_REMOVED = 1, NRF_USB_EVT_READY = 2 };

#define NRF_USB_POWER_EVENTS (POWER_INTENSET_USBDETECTED_Msk | POWER_INTENSET_USBREMOVED_Msk \
    | POWER_INTENSET_USBPWRRDY_Msk)

// POWER and CLOCK share this interrupt; only the POWER block's USB events
// are enabled (the clocks are polled at boot).
void POWER_CLOCK_IRQHandler(void) {
    if (NRF_POWER->EVENTS_USBDETECTED) {
        NRF_POWER->EVENTS_USBDETECTED = 0;
        tusb_hal_nrf_power_event(NRF_USB_EVT_DETECTED);
    }
    if (NRF_POWER->EVENTS_USBPWRRDY) {
        NRF_POWER->EVENTS_USBPWRRDY = 0;
        tusb_hal_nrf_power_event(NRF_USB_EVT_READY);
    }
    if (NRF_POWER->EVENTS_USBREMOVED) {
        NRF_POWER->EVENTS_USBREMOVED = 0;
        tusb_hal_nrf_power_event(NRF_USB_EVT_REMOVED);
    }
}

void USBD_IRQHandler(void) {
    tud_int_handler(0);
}

// Once per power-on: TinyUSB's device stack, then the VBUS events. USB power
// that was already there before the events were enabled (the usual case: the
// board is powered from USB) is read from USBREGSTATUS.
void nrf_usb_init(void) {
    mp_usbd_init();
    uint32_t state = nrf_irq_save();
    NRF_POWER->EVENTS_USBDETECTED = 0;
    NRF_POWER->EVENTS_USBREMOVED = 0;
    NRF_POWER->EVENTS_USBPWRRDY = 0;
    NRF_POWER->INTENSET = NRF_USB_POWER_EVENTS;
    NVIC_SetPriority(USBD_IRQn, 2);
    NVIC_SetPriority(POWER_CLOCK_IRQn, 2);
    NVIC_ClearPendingIRQ(POWER_CLOCK_IRQn);
    NVIC_EnableIRQ(POWER_CLOCK_IRQn);
    uint32_t status = NRF_POWER->USBREGSTATUS;
    if (status & POWER_USBREGSTATUS_VBUSDETECT_Msk) {
        tusb_hal_nrf_power_event(NRF_USB_EVT_DETECTED);
    }
    if (status & POWER_USBREGSTATUS_OUTPUTRDY_Msk) {
        tusb_hal_nrf_power_event(NRF_USB_EVT_READY);
    }
    nrf_irq_restore(state);
}

// The USB serial number: the chip's 64-bit FICR DEVICEID in hex.
void mp_usbd_port_get_serial_number(char *buf) {
    uint8_t id[8];
    for (int i = 0; i < 8; i++) {
        id[i] = (uint8_t)(NRF_FICR->DEVICEID[i / 4] >> (8 * (3 - i % 4)));
    }
    mp_usbd_hex_str(buf, id, sizeof(id));
}

#if CFG_TUD_MSC
// ---- mass storage: the FAT filesystem region, 4 KB blocks ----
#include "extmod/vfs.h"
#include "extmod/vfs_fat.h"

#define NRF_MSC_BLOCK 4096u
_Static_assert(MICROPY_FATFS_MAX_SS == NRF_MSC_BLOCK, "MSC blocks are the filesystem's 4 KB sectors");

extern uint32_t _fs_start, _fs_end;
static bool nrf_msc_ejected;

static uint32_t nrf_msc_blocks(void) {
    return ((uint32_t)&_fs_end - (uint32_t)&_fs_start) / NRF_MSC_BLOCK;
}

// After the host wrote to the drive, the FAT mounted by MicroPython forgets
// its cached sector and allocation hints, so a file dragged onto the drive
// can be opened at once. (Its own unsaved changes, if any, stay: writing
// from both sides at the same time is not supported.)
static void nrf_msc_forget_fat_cache(void) {
    for (mp_vfs_mount_t *vfs = MP_STATE_VM(vfs_mount_table); vfs != NULL; vfs = vfs->next) {
        if (!mp_obj_is_type(vfs->obj, &mp_fat_vfs_type)) {
            continue;
        }
        fs_user_mount_t *m = MP_OBJ_TO_PTR(vfs->obj);
        if (m->blockdev.readblocks[1] != nrf_flash_fs_bdev()) {
            continue;
        }
        FATFS *fs = &m->fatfs;
        if (!(fs->wflag & 1)) {
            fs->winsect = 0xFFFFFFFFu;
        }
        fs->free_clst = 0xFFFFFFFFu;
        fs->last_clst = 0xFFFFFFFFu;
    }
}

void tud_msc_inquiry_cb(uint8_t lun, uint8_t vendor_id[8], uint8_t product_id[16], uint8_t product_rev[4]) {
    static const char vendor[] = MICROPY_HW_USB_MSC_INQUIRY_VENDOR_STRING;
    static const char product[] = MICROPY_HW_USB_MSC_INQUIRY_PRODUCT_STRING;
    static const char rev[] = MICROPY_HW_USB_MSC_INQUIRY_REVISION_STRING;
    memcpy(vendor_id, vendor, MIN(sizeof(vendor) - 1, 8));
    memcpy(product_id, product, MIN(sizeof(product) - 1, 16));
    memcpy(product_rev, rev, MIN(sizeof(rev) - 1, 4));
}

bool tud_msc_test_unit_ready_cb(uint8_t lun) {
    if (nrf_msc_ejected) {
        tud_msc_set_sense(lun, SCSI_SENSE_NOT_READY, 0x3a, 0x00);    // medium not present
        return false;
    }
    return true;
}

void tud_msc_capacity_cb(uint8_t lun, uint32_t *block_count, uint16_t *block_size) {
    *block_count = nrf_msc_blocks();
    *block_size = NRF_MSC_BLOCK;
}

bool tud_msc_start_stop_cb(uint8_t lun, uint8_t power_condition, bool start, bool load_eject) {
    if (load_eject) {
        nrf_msc_ejected = !start;
    }
    return true;
}

// Checks that [lba * 4 KB + offset, + len) lies in the region; its address or 0.
static uint32_t nrf_msc_span(uint32_t lba, uint32_t offset, uint32_t len) {
    uint32_t size = (uint32_t)&_fs_end - (uint32_t)&_fs_start;
    if (lba >= nrf_msc_blocks() || offset > NRF_MSC_BLOCK) {
        return 0;
    }
    uint32_t off = lba * NRF_MSC_BLOCK + offset;
    if (len > size - off) {
        return 0;
    }
    return (uint32_t)&_fs_start + off;
}

int32_t tud_msc_read10_cb(uint8_t lun, uint32_t lba, uint32_t offset, void *buffer, uint32_t bufsize) {
    uint32_t addr = nrf_msc_span(lba, offset, bufsize);
    if (addr == 0) {
        return -1;
    }
    memcpy(buffer, (const void *)addr, bufsize);
    return (int32_t)bufsize;
}

// Whole blocks only (TinyUSB's MSC buffer is one block): erase, then write.
int32_t tud_msc_write10_cb(uint8_t lun, uint32_t lba, uint32_t offset, uint8_t *buffer, uint32_t bufsize) {
    uint32_t addr = nrf_msc_span(lba, offset, bufsize);
    if (addr == 0 || offset != 0 || bufsize % NRF_MSC_BLOCK != 0) {
        return -1;
    }
    for (uint32_t done = 0; done < bufsize; done += NRF_MSC_BLOCK) {
        if (memcmp((const void *)(addr + done), buffer + done, NRF_MSC_BLOCK) != 0) {
            nrf_flash_erase_page(addr + done);
            nrf_flash_write(addr + done, buffer + done, NRF_MSC_BLOCK);
        }
    }
    nrf_msc_forget_fat_cache();
    return (int32_t)bufsize;
}

// Other SCSI commands: PREVENT ALLOW MEDIUM REMOVAL is accepted (nothing to
// lock), the rest is refused as an invalid command.
int32_t tud_msc_scsi_cb(uint8_t lun, uint8_t const scsi_cmd[16], void *buffer, uint16_t bufsize) {
    if (scsi_cmd[0] == SCSI_CMD_PREVENT_ALLOW_MEDIUM_REMOVAL) {
        return 0;
    }
    tud_msc_set_sense(lun, SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0x00);
    return -1;
}
#endif // CFG_TUD_MSC

#endif // MICROPY_HW_ENABLE_USBDEV
