// Internal flash regions as MicroPython block devices: the littlefs region
// (mounted at /) and the ROMFS region (memory-mapped, mounted at /rom by
// MicroPython, written with `mpremote romfs deploy`). Both are 4 KB-page
// devices over the NVMC; the ROMFS one also exposes its bytes in place
// through the buffer protocol, so models there run without a copy.
#include <string.h>
#include "py/runtime.h"
#include "py/mperrno.h"
#include "extmod/vfs.h"
#include "nrf_hal.h"
#include "nrf_flash.h"

#define NRF_PAGE 4096u

extern uint32_t _fs_start, _fs_end, _romfs_start, _romfs_end;

typedef struct {
    mp_obj_base_t base;
    uint32_t start;
} nrf_flash_obj_t;

const mp_obj_type_t nrf_flash_type;

static const nrf_flash_obj_t nrf_flash_fs_obj = {
    { &nrf_flash_type }, (uint32_t)&_fs_start,
};
static const nrf_flash_obj_t nrf_flash_romfs_obj = {
    { &nrf_flash_type }, (uint32_t)&_romfs_start,
};

static uint32_t nrf_flash_len(const nrf_flash_obj_t *self) {
    if (self == &nrf_flash_romfs_obj) {
        return (uint32_t)&_romfs_end - (uint32_t)&_romfs_start;
    }
    return (uint32_t)&_fs_end - (uint32_t)&_fs_start;
}

mp_obj_t nrf_flash_fs_bdev(void) {
    return MP_OBJ_FROM_PTR(&nrf_flash_fs_obj);
}

// Flash(romfs=False): the filesystem region; Flash(romfs=True): the ROMFS region.
static mp_obj_t nrf_flash_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    if (n_args == 1 && mp_obj_is_true(args[0])) {
        return MP_OBJ_FROM_PTR(&nrf_flash_romfs_obj);
    }
    return MP_OBJ_FROM_PTR(&nrf_flash_fs_obj);
}

// Checks that [off, off+len) lies in the region; returns its flash address.
static uint32_t nrf_flash_span(const nrf_flash_obj_t *self, mp_int_t off, size_t len) {
    uint32_t size = nrf_flash_len(self);
    if (off < 0 || (uint32_t)off > size || len > size - (uint32_t)off) {
        mp_raise_OSError(MP_EINVAL);
    }
    return self->start + (uint32_t)off;
}

static mp_obj_t nrf_flash_readblocks(size_t n_args, const mp_obj_t *args) {
    const nrf_flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t off = mp_obj_get_int(args[1]) * (mp_int_t)NRF_PAGE;
    if (n_args == 4) {
        off += mp_obj_get_int(args[3]);
    }
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_WRITE);
    memcpy(buf.buf, (const void *)nrf_flash_span(self, off, buf.len), buf.len);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(nrf_flash_readblocks_obj, 3, 4, nrf_flash_readblocks);

// writeblocks(block, buf): erase the pages then write; with an offset
// (extended protocol) the pages are already erased.
static mp_obj_t nrf_flash_writeblocks(size_t n_args, const mp_obj_t *args) {
    const nrf_flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t off = mp_obj_get_int(args[1]) * (mp_int_t)NRF_PAGE;
    if (n_args == 4) {
        off += mp_obj_get_int(args[3]);
    }
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    uint32_t addr = nrf_flash_span(self, off, buf.len);
    if ((addr | buf.len) & 3u) {
        mp_raise_OSError(MP_EINVAL);
    }
    if (n_args == 3) {
        for (uint32_t a = addr & ~(NRF_PAGE - 1u); a < addr + buf.len; a += NRF_PAGE) {
            nrf_flash_erase_page(a);
        }
    }
    nrf_flash_write(addr, buf.buf, buf.len);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(nrf_flash_writeblocks_obj, 3, 4, nrf_flash_writeblocks);

static mp_obj_t nrf_flash_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    const nrf_flash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
        case MP_BLOCKDEV_IOCTL_SYNC:
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return MP_OBJ_NEW_SMALL_INT(nrf_flash_len(self) / NRF_PAGE);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return MP_OBJ_NEW_SMALL_INT(NRF_PAGE);
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE: {
            uint32_t addr = nrf_flash_span(self, mp_obj_get_int(arg_in) * (mp_int_t)NRF_PAGE, NRF_PAGE);
            nrf_flash_erase_page(addr);
            return MP_OBJ_NEW_SMALL_INT(0);
        }
        default:
            return mp_const_none;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(nrf_flash_ioctl_obj, nrf_flash_ioctl);

// The region's bytes, read-only, in place (flash is memory-mapped).
static mp_int_t nrf_flash_get_buffer(mp_obj_t self_in, mp_buffer_info_t *bufinfo, mp_uint_t flags) {
    const nrf_flash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (flags & MP_BUFFER_WRITE) {
        return 1;
    }
    bufinfo->buf = (void *)self->start;
    bufinfo->len = nrf_flash_len(self);
    bufinfo->typecode = 'B';
    return 0;
}

static const mp_rom_map_elem_t nrf_flash_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&nrf_flash_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&nrf_flash_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&nrf_flash_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(nrf_flash_locals, nrf_flash_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    nrf_flash_type,
    MP_QSTR_Flash,
    MP_TYPE_FLAG_NONE,
    make_new, nrf_flash_make_new,
    buffer, nrf_flash_get_buffer,
    locals_dict, &nrf_flash_locals
    );

// vfs.rom_ioctl: one ROMFS segment, the ROMFS flash region.
mp_obj_t mp_vfs_rom_ioctl(size_t n_args, const mp_obj_t *args) {
    switch (mp_obj_get_int(args[0])) {
        case MP_VFS_ROM_IOCTL_GET_NUMBER_OF_SEGMENTS:
            return MP_OBJ_NEW_SMALL_INT(1);
        case MP_VFS_ROM_IOCTL_GET_SEGMENT:
            if (n_args < 2 || mp_obj_get_int(args[1]) != 0) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
            }
            return MP_OBJ_FROM_PTR(&nrf_flash_romfs_obj);
        default:
            return MP_OBJ_NEW_SMALL_INT(-MP_EINVAL);
    }
}

#if MICROPY_VFS_FAT
#include "py/mphal.h"
#include "lib/oofatfs/ff.h"
#include "shared/timeutils/timeutils.h"

// FAT timestamps. The chip has no calendar and the clock starts at the epoch
// on reset; FAT dates start in 1980, so files are dated 2000-01-01 plus the
// time since reset.
DWORD get_fattime(void) {
    timeutils_struct_time_t tm;
    uint64_t s = mp_hal_time_ns() / 1000000000u;
    timeutils_seconds_since_2000_to_struct_time((mp_uint_t)(s % 0x40000000u), &tm);
    return ((DWORD)(tm.tm_year - 1980) << 25) | ((DWORD)tm.tm_mon << 21) | ((DWORD)tm.tm_mday << 16)
           | ((DWORD)tm.tm_hour << 11) | ((DWORD)tm.tm_min << 5) | ((DWORD)tm.tm_sec / 2);
}
#endif
