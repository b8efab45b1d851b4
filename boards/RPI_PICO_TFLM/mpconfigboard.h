// micropython-tflm firmware for the Raspberry Pi Pico (RP2040, 2 MB flash).
//
// Flash layout (offsets from 0x10000000, 2048 KB in all):
//   0x000000  firmware (code + frozen Python)                     576 KB
//   0x090000  ROMFS: read-only, memory-mapped (mpremote romfs)     512 KB
//             models here run in place, their weights never copied to RAM
//   0x110000  FAT filesystem, mounted at / and exposed over USB as  960 KB
//             a mass-storage drive: drag model.tflite onto it
// The port puts ROMFS just below the filesystem, which ends at the end of flash.
#define MICROPY_HW_BOARD_NAME                   "Raspberry Pi Pico (tflm)"
#define MICROPY_HW_FLASH_STORAGE_BYTES          (960 * 1024)
#define MICROPY_HW_ROMFS_BYTES                  (512 * 1024)

// The filesystem is FAT so that a PC can read and write it over USB.
#define MICROPY_HW_USB_MSC                      (1)
#define MICROPY_HW_USB_MSC_INQUIRY_VENDOR_STRING "tflm"
#define MICROPY_HW_USB_MSC_INQUIRY_PRODUCT_STRING "Pico models"
