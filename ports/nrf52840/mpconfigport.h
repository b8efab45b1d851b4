// MicroPython configuration for our nRF52840 port.
#include <stdint.h>
#include <alloca.h>
#include "mpconfigboard.h"

#define MICROPY_CONFIG_ROM_LEVEL            (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)
#define MICROPY_PY_SYS_PLATFORM             "nrf52840"
#define MICROPY_ENABLE_GC                   (1)
#define MICROPY_HELPER_REPL                 (1)
#define MICROPY_REPL_INFO                   (1)
#define MICROPY_FLOAT_IMPL                  (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_LONGINT_IMPL                (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_ENABLE_EXTERNAL_IMPORT      (1)
#define MICROPY_READER_VFS                  (1)
#define MICROPY_VFS                         (1)
#define MICROPY_VFS_ROM                     (1)
#define MICROPY_PY_OS                       (1)
#define MICROPY_PY_OS_UNAME                 (1)
#define MICROPY_PY_OS_URANDOM               (0)
#define MICROPY_PY_TIME                     (1)
#define MICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME (1)
#define MICROPY_PY_TIME_TIME_TIME_NS        (1)
#define MICROPY_PY_TIME_INCLUDEFILE         "modtime_port.c"
#define MICROPY_PY_MACHINE                  (1)
#define MICROPY_PY_MACHINE_INCLUDEFILE      "modmachine_port.c"
#define MICROPY_PY_MACHINE_RESET            (1)
#define MICROPY_PY_MACHINE_BOOTLOADER       (1)
#define MICROPY_PY_MACHINE_BARE_METAL_FUNCS (1)
#define MICROPY_PY_MACHINE_DISABLE_IRQ_ENABLE_IRQ (0)
#define MICROPY_PY_MACHINE_BITSTREAM        (0)
#define MICROPY_PY_MACHINE_PULSE            (0)
// Pin (machine_pin.c), PWM (machine_pwm_port.c), I2C (machine_i2c.c), PDM (machine_pdm.c)
#define MICROPY_PY_MACHINE_PWM              (1)
#define MICROPY_PY_MACHINE_PWM_INCLUDEFILE  "machine_pwm_port.c"
#define MICROPY_PY_MACHINE_I2C              (1)
#define MICROPY_PY_MACHINE_I2C_TRANSFER_WRITE1 (1)
#define MICROPY_PY_MACHINE_EXTRA_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_Pin), MP_ROM_PTR(&machine_pin_type) }, \
    { MP_ROM_QSTR(MP_QSTR_PDM), MP_ROM_PTR(&machine_pdm_type) },
#define MICROPY_PY_RANDOM_SEED_INIT_FUNC    (nrf_rng_seed())
#define MICROPY_KBD_EXCEPTION               (1)
#define MICROPY_ALLOC_PATH_MAX              (128)
#define MICROPY_NLR_SETJMP                  (0)
#define MICROPY_PY_SYS_STDFILES             (1)
#define MICROPY_PY_BUILTINS_HELP_TEXT       nrf_help_text
#define MICROPY_SCHEDULER_STATIC_NODES      (1)

// Filesystem in the internal flash (Makefile NRF_FS): FAT (the default, also
// the USB drive) or littlefs. FAT sectors are the flash's 4 KB pages.
#if MICROPY_VFS_FAT
#define MICROPY_FATFS_ENABLE_LFN            (1)
#define MICROPY_FATFS_LFN_CODE_PAGE         437
#define MICROPY_FATFS_RPATH                 (2)
#define MICROPY_FATFS_MAX_SS                (4096)
#define MICROPY_FATFS_USE_LABEL             (1)
#define MICROPY_HW_FLASH_FS_LABEL           "TFLM"
#endif

// USB (Makefile NRF_USB=1): TinyUSB 0.18 with MicroPython's shared/tinyusb
// glue: a CDC serial port for the REPL (beside UARTE0) and, with FAT, the
// filesystem as a mass-storage drive.
#ifndef MICROPY_HW_ENABLE_USBDEV
#define MICROPY_HW_ENABLE_USBDEV            (0)
#endif
#if MICROPY_HW_ENABLE_USBDEV
#define MICROPY_HW_USB_CDC                  (1)
#define MICROPY_HW_USB_MSC                  (MICROPY_VFS_FAT)
// Opening the CDC port at 1200 baud and closing it: machine.bootloader().
#define MICROPY_HW_USB_CDC_1200BPS_TOUCH    (1)
#define MICROPY_HW_ENABLE_USB_RUNTIME_DEVICE (0)
#define CFG_TUSB_MCU                        OPT_MCU_NRF5X
#define CFG_TUD_NRF_NRFX_VERSION            2
#ifndef MICROPY_HW_USB_VID
#define MICROPY_HW_USB_VID                  (0xf055)   // MicroPython's
#define MICROPY_HW_USB_PID                  (0x9800)   // CDC + MSC
#endif
#define MICROPY_HW_USB_MANUFACTURER_STRING  "micropython-tflm"
#define MICROPY_HW_USB_PRODUCT_FS_STRING    MICROPY_HW_BOARD_NAME
#define MICROPY_HW_USB_CDC_INTERFACE_STRING "tflm REPL"
#define MICROPY_HW_USB_MSC_INTERFACE_STRING "tflm drive"
#define MICROPY_HW_USB_MSC_INQUIRY_VENDOR_STRING "tflm"
#define MICROPY_HW_USB_MSC_INQUIRY_PRODUCT_STRING "nRF52840 models"
#endif
typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
typedef long mp_off_t;
#define MP_SSIZE_MAX (0x7fffffff)
#define MP_NEED_LOG2 (1)
#define MP_STATE_PORT MP_STATE_VM

#define MICROPY_BEGIN_ATOMIC_SECTION()     nrf_irq_save()
#define MICROPY_END_ATOMIC_SECTION(state)  nrf_irq_restore(state)

uint32_t nrf_rng_seed(void);
extern const char nrf_help_text[];

static inline uint32_t nrf_irq_save(void) {
    uint32_t primask;
    __asm volatile ("mrs %0, primask\n cpsid i" : "=r" (primask) : : "memory");
    return primask;
}
static inline void nrf_irq_restore(uint32_t primask) {
    __asm volatile ("msr primask, %0" : : "r" (primask) : "memory");
}
