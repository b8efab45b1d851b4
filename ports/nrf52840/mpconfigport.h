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
