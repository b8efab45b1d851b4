// Entry point of our nRF52840 port: heap, filesystem, REPL, soft reset.
#include <stdint.h>
#include "py/compile.h"
#include "py/gc.h"
#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stackctrl.h"
#include "extmod/vfs.h"
#include "extmod/vfs_fat.h"
#include "extmod/vfs_lfs.h"
#include "shared/runtime/gchelper.h"
#include "shared/runtime/pyexec.h"
#include "nrf_flash.h"
#include "nrf_hal.h"
#include "machine_nrf.h"
#include "nrf52840.h"

extern uint32_t _heap_start, _heap_end, _estack;

#if MICROPY_VFS_FAT
#define NRF_FS_TYPE mp_fat_vfs_type
#define NRF_FS_NAME "FAT"
#else
#define NRF_FS_TYPE mp_type_vfs_lfs2
#define NRF_FS_NAME "littlefs"
#endif

// Mounts the internal flash's filesystem (FAT, the USB drive's, or littlefs)
// at / (formats it on first boot), and makes / the current directory; /lib
// is on sys.path by default.
static void nrf_mount_fs(void) {
    mp_obj_t bdev = nrf_flash_fs_bdev();
    mp_obj_t args[2] = { bdev, MP_OBJ_NEW_QSTR(MP_QSTR__slash_) };
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_vfs_mount(2, args, (mp_map_t *)&mp_const_empty_map);
        nlr_pop();
    } else {
        if (nlr_push(&nlr) == 0) {
            mp_printf(&mp_plat_print, "no filesystem: formatting the internal flash (" NRF_FS_NAME ")\n");
            mp_obj_t mkfs = mp_load_attr(MP_OBJ_FROM_PTR(&NRF_FS_TYPE), MP_QSTR_mkfs);
            mp_call_function_1(mkfs, bdev);
            mp_vfs_mount(2, args, (mp_map_t *)&mp_const_empty_map);
            nlr_pop();
        } else {
            mp_printf(&mp_plat_print, "filesystem unavailable\n");
            return;
        }
    }
    MP_STATE_VM(vfs_cur) = MP_STATE_VM(vfs_mount_table);
}

int main(void) {
    nrf_board_init();
    #if MICROPY_HW_ENABLE_USBDEV
    // USB (CDC REPL, drive) once per power-on; it survives soft resets.
    nrf_usb_init();
    #endif
    for (;;) {
        mp_stack_set_top(&_estack);
        mp_stack_set_limit((char *)&_estack - (char *)&_heap_end - 1024);
        gc_init(&_heap_start, &_heap_end);
        mp_init();
        // sys.path: '', '.frozen' (mp_init), then /lib on the filesystem.
        mp_obj_list_append(mp_sys_path, MP_OBJ_NEW_QSTR(MP_QSTR__slash_lib));
        nrf_mount_fs();
        #if MICROPY_VFS_ROM
        mp_vfs_mount_romfs_protected();
        #endif
        if (pyexec_mode_kind == PYEXEC_MODE_FRIENDLY_REPL) {
            pyexec_file_if_exists("boot.py");
            pyexec_file_if_exists("main.py");
        }
        for (;;) {
            if (pyexec_mode_kind == PYEXEC_MODE_RAW_REPL) {
                if (pyexec_raw_repl() != 0) {
                    break;
                }
            } else {
                if (pyexec_friendly_repl() != 0) {
                    break;
                }
            }
        }
        mp_printf(&mp_plat_print, "MPY: soft reboot\n");
        // Peripherals doing EasyDMA into the heap stop before it goes.
        machine_pin_irq_deinit_all();
        machine_pdm_deinit_all();
        machine_pwm_deinit_all();
        machine_i2c_deinit_all();
        gc_sweep_all();
        mp_deinit();
    }
}

void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    gc_collect_end();
}

void nlr_jump_fail(void *val) {
    mp_printf(&mp_plat_print, "FATAL: uncaught exception %p\n", val);
    NVIC_SystemReset();
}

void NORETURN __fatal_error(const char *msg) {
    NVIC_SystemReset();
}

#ifndef NDEBUG
void MP_WEAK __assert_func(const char *file, int line, const char *func, const char *expr) {
    mp_printf(&mp_plat_print, "Assertion '%s' failed, at file %s:%d\n", expr, file, line);
    __fatal_error("assertion failed");
}
#endif
