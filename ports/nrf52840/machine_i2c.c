// machine.I2C for our nRF52840 port: the TWIM0/TWIM1 masters with EasyDMA.
//
//   I2C(id=0, *, scl=..., sda=..., freq=400000, timeout=50000)
//   (timeout in us, beyond the transfer's own time on the bus)
//
// id 0 and 1 default to the board's buses (mpconfigboard.h: on the XIAO
// Sense, I2C(0) is the IMU's bus and I2C(1) the D5/D4 pins). scan(),
// readfrom/writeto(_into, _mem, _vto) come from extmod/machine_i2c.c; this
// file moves bytes. Transfers are polled. A register read (readfrom_mem) is
// one TWIM sequence: write the register address, repeated start, read
// (the LASTTX -> STARTRX shortcut). EasyDMA reads RAM only, so data in flash
// is staged through a RAM buffer.
//
// The TWIM cannot address a device without sending a byte, so the
// zero-length write that scan() uses to probe an address is a one-byte
// read here (a device that answers its address ACKs either way).
#include <string.h>
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modmachine.h"
#include "nrf52840.h"
#include "machine_nrf.h"

#define I2C_COUNT (2)
#define I2C_DEFAULT_FREQ (400000)
#define I2C_DEFAULT_TIMEOUT_US (50000)

typedef struct _machine_i2c_obj_t {
    mp_obj_base_t base;
    NRF_TWIM_Type *twim;
    uint8_t id;
    uint8_t scl;
    uint8_t sda;
    uint8_t suspended;      // the last transfer ended without STOP
    uint32_t freq;
    uint32_t timeout_us;
} machine_i2c_obj_t;

static machine_i2c_obj_t i2c_objs[I2C_COUNT] = {
    { { &machine_i2c_type }, NRF_TWIM0, 0, NRF_I2C0_SCL, NRF_I2C0_SDA, 0, 0, 0 },
    { { &machine_i2c_type }, NRF_TWIM1, 1, NRF_I2C1_SCL, NRF_I2C1_SDA, 0, 0, 0 },
};

static void i2c_pins_config(unsigned pin) {
    // Standard-0, disconnect-1 (open drain), input connected, pull-up.
    nrf_gpio_config(pin, (GPIO_PIN_CNF_DIR_Input << GPIO_PIN_CNF_DIR_Pos)
        | (GPIO_PIN_CNF_INPUT_Connect << GPIO_PIN_CNF_INPUT_Pos)
        | (GPIO_PIN_CNF_PULL_Pullup << GPIO_PIN_CNF_PULL_Pos)
        | (GPIO_PIN_CNF_DRIVE_S0D1 << GPIO_PIN_CNF_DRIVE_Pos));
}

static void i2c_disable(machine_i2c_obj_t *self) {
    NRF_TWIM_Type *twim = self->twim;
    if (twim->ENABLE == 0) {
        return;
    }
    twim->ENABLE = TWIM_ENABLE_ENABLE_Disabled << TWIM_ENABLE_ENABLE_Pos;
    twim->PSEL.SCL = NRF_PSEL_DISCONNECTED;
    twim->PSEL.SDA = NRF_PSEL_DISCONNECTED;
    // Errata 89: the TWIM keeps drawing ~400 uA once disabled unless power-cycled.
    volatile uint32_t *power = (volatile uint32_t *)((uintptr_t)twim + 0xFFC);
    *power = 0;
    (void)*power;
    *power = 1;
    self->suspended = 0;
}

static void i2c_enable(machine_i2c_obj_t *self) {
    NRF_TWIM_Type *twim = self->twim;
    twim->ENABLE = TWIM_ENABLE_ENABLE_Disabled << TWIM_ENABLE_ENABLE_Pos;
    i2c_pins_config(self->scl);
    i2c_pins_config(self->sda);
    twim->PSEL.SCL = NRF_PSEL(self->scl);
    twim->PSEL.SDA = NRF_PSEL(self->sda);
    uint32_t f = TWIM_FREQUENCY_FREQUENCY_K100;
    if (self->freq >= 400000) {
        // Errata 219 (TWIM: 400 kHz low period too short): 390 kHz instead.
        f = 0x06200000u;
    } else if (self->freq >= 250000) {
        f = TWIM_FREQUENCY_FREQUENCY_K250;
    }
    twim->FREQUENCY = f;
    twim->SHORTS = 0;
    twim->INTEN = 0;
    twim->ERRORSRC = twim->ERRORSRC;
    twim->ENABLE = TWIM_ENABLE_ENABLE_Enabled << TWIM_ENABLE_ENABLE_Pos;
    self->suspended = 0;
}

static void machine_i2c_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_i2c_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "I2C(%u, scl='P%u.%02u', sda='P%u.%02u', freq=%u)", self->id,
        self->scl >> 5, self->scl & 31, self->sda >> 5, self->sda & 31, (unsigned)self->freq);
}

static void machine_i2c_init_helper(machine_i2c_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_scl, ARG_sda, ARG_freq, ARG_timeout };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_scl, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_sda, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_freq, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_timeout, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    if (args[ARG_scl].u_obj != mp_const_none) {
        self->scl = nrf_pin_from_obj(args[ARG_scl].u_obj);
    }
    if (args[ARG_sda].u_obj != mp_const_none) {
        self->sda = nrf_pin_from_obj(args[ARG_sda].u_obj);
    }
    if (args[ARG_freq].u_int > 0) {
        self->freq = args[ARG_freq].u_int;
    } else if (self->freq == 0) {
        self->freq = I2C_DEFAULT_FREQ;
    }
    if (args[ARG_timeout].u_int > 0) {
        self->timeout_us = args[ARG_timeout].u_int;
    } else if (self->timeout_us == 0) {
        self->timeout_us = I2C_DEFAULT_TIMEOUT_US;
    }
    i2c_enable(self);
}

static mp_obj_t machine_i2c_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, true);
    mp_int_t id = n_args > 0 ? mp_obj_get_int(args[0]) : 0;
    if (id < 0 || id >= I2C_COUNT) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("I2C(%d) doesn't exist"), (int)id);
    }
    machine_i2c_obj_t *self = &i2c_objs[id];
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    machine_i2c_init_helper(self, n_args > 0 ? n_args - 1 : 0, args + n_args, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static void machine_i2c_init(mp_obj_base_t *obj, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    machine_i2c_init_helper((machine_i2c_obj_t *)obj, n_args, pos_args, kw_args);
}

// Waits for the end of a TWIM sequence: STOPPED (or SUSPENDED when no STOP
// was asked for), or an error. Returns 0 or a negative errno.
static int i2c_wait(machine_i2c_obj_t *self, int stop, uint32_t budget_us) {
    NRF_TWIM_Type *twim = self->twim;
    mp_uint_t t0 = mp_hal_ticks_us();
    for (;;) {
        if (twim->EVENTS_ERROR) {
            twim->EVENTS_ERROR = 0;
            twim->TASKS_STOP = 1;
            mp_uint_t t1 = mp_hal_ticks_us();
            while (!twim->EVENTS_STOPPED && mp_hal_ticks_us() - t1 < 1000) {
            }
            uint32_t src = twim->ERRORSRC;
            twim->ERRORSRC = src;
            self->suspended = 0;
            return (src & TWIM_ERRORSRC_ANACK_Msk) ? -MP_ENODEV : -MP_EIO;
        }
        if (twim->EVENTS_STOPPED) {
            self->suspended = 0;
            return 0;
        }
        if (!stop && twim->EVENTS_SUSPENDED) {
            self->suspended = 1;
            return 0;
        }
        if (mp_hal_ticks_us() - t0 > budget_us) {
            twim->TASKS_STOP = 1;
            self->suspended = 0;
            return -MP_ETIMEDOUT;
        }
    }
}

// One TWIM sequence: write `tx` (may be empty) then read into `rx` (may be
// empty), with a repeated start between them. Buffers are in RAM.
static int i2c_sequence(machine_i2c_obj_t *self, uint16_t addr, const uint8_t *tx, size_t ntx,
    uint8_t *rx, size_t nrx, int stop) {
    NRF_TWIM_Type *twim = self->twim;
    if (ntx > 0xFFFF || nrx > 0xFFFF) {
        return -MP_EINVAL;
    }
    twim->ADDRESS = addr;
    twim->EVENTS_STOPPED = 0;
    twim->EVENTS_ERROR = 0;
    twim->EVENTS_SUSPENDED = 0;
    twim->EVENTS_LASTTX = 0;
    twim->EVENTS_LASTRX = 0;
    twim->TXD.PTR = (uint32_t)tx;
    twim->TXD.MAXCNT = ntx;
    twim->RXD.PTR = (uint32_t)rx;
    twim->RXD.MAXCNT = nrx;
    uint32_t shorts;
    if (ntx && nrx) {
        shorts = TWIM_SHORTS_LASTTX_STARTRX_Msk | (stop ? TWIM_SHORTS_LASTRX_STOP_Msk : TWIM_SHORTS_LASTRX_SUSPEND_Msk);
    } else if (nrx) {
        shorts = stop ? TWIM_SHORTS_LASTRX_STOP_Msk : TWIM_SHORTS_LASTRX_SUSPEND_Msk;
    } else {
        shorts = stop ? TWIM_SHORTS_LASTTX_STOP_Msk : TWIM_SHORTS_LASTTX_SUSPEND_Msk;
    }
    twim->SHORTS = shorts;
    if (ntx) {
        twim->TASKS_STARTTX = 1;
    } else {
        twim->TASKS_STARTRX = 1;
    }
    if (self->suspended) {
        twim->TASKS_RESUME = 1;
    }
    // timeout: the bytes' time on the bus (9 clocks each, address bytes
    // included) on top of the user's timeout (clock stretching, a stuck bus).
    uint32_t bus_us = (uint32_t)(((uint64_t)(ntx + nrx + 2) * 9 * 1000000u) / self->freq);
    return i2c_wait(self, stop, self->timeout_us + bus_us);
}

static int machine_i2c_transfer(mp_obj_base_t *obj, uint16_t addr, size_t n, mp_machine_i2c_buf_t *bufs, unsigned int flags) {
    machine_i2c_obj_t *self = (machine_i2c_obj_t *)obj;
    int stop = (flags & MP_MACHINE_I2C_FLAG_STOP) != 0;
    if (self->twim->ENABLE == 0) {
        i2c_enable(self);
    }
    // What to write first: all the buffers of a write, or the first one of a
    // write-then-read (WRITE1).
    size_t nw = 0;
    if (!(flags & MP_MACHINE_I2C_FLAG_READ)) {
        nw = n;
    } else if (flags & MP_MACHINE_I2C_FLAG_WRITE1) {
        nw = 1;
    }
    size_t ntx = 0, nrx = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < nw) {
            ntx += bufs[i].len;
        } else {
            nrx += bufs[i].len;
        }
    }
    uint8_t stage[64];
    uint8_t probe;
    // tx: one RAM buffer used in place, else gathered into a RAM staging area.
    const uint8_t *tx = NULL;
    uint8_t *tx_heap = NULL;
    if (ntx) {
        if (nw == 1 && nrf_in_ram(bufs[0].buf, ntx)) {
            tx = bufs[0].buf;
        } else {
            uint8_t *t = ntx <= sizeof(stage) ? stage : (tx_heap = m_new(uint8_t, ntx));
            size_t k = 0;
            for (size_t i = 0; i < nw; i++) {
                memcpy(t + k, bufs[i].buf, bufs[i].len);
                k += bufs[i].len;
            }
            tx = t;
        }
    }
    // rx: a single read buffer is filled in place (it is writable, so in RAM).
    uint8_t *rx = NULL;
    uint8_t *rx_heap = NULL;
    if (nrx) {
        rx = n - nw == 1 ? bufs[nw].buf : (rx_heap = m_new(uint8_t, nrx));
    }
    int ret;
    if (ntx == 0 && nrx == 0) {
        // An address probe (scan): a one-byte read.
        ret = i2c_sequence(self, addr, NULL, 0, &probe, 1, 1);
    } else {
        ret = i2c_sequence(self, addr, tx, ntx, rx, nrx, stop);
    }
    if (ret == 0 && rx_heap) {
        size_t k = 0;
        for (size_t i = nw; i < n; i++) {
            memcpy(bufs[i].buf, rx_heap + k, bufs[i].len);
            k += bufs[i].len;
        }
    }
    if (tx_heap) {
        m_del(uint8_t, tx_heap, ntx);
    }
    if (rx_heap) {
        m_del(uint8_t, rx_heap, nrx);
    }
    if (ret < 0) {
        return ret;
    }
    // A write returns the bytes the device acknowledged: all of them (a
    // NACK on data is an error).
    return (flags & MP_MACHINE_I2C_FLAG_READ) ? 0 : (int)ntx;
}

void machine_i2c_deinit_all(void) {
    for (unsigned i = 0; i < I2C_COUNT; i++) {
        i2c_disable(&i2c_objs[i]);
        i2c_objs[i].scl = i == 0 ? NRF_I2C0_SCL : NRF_I2C1_SCL;
        i2c_objs[i].sda = i == 0 ? NRF_I2C0_SDA : NRF_I2C1_SDA;
        i2c_objs[i].freq = 0;
        i2c_objs[i].timeout_us = 0;
    }
}

static const mp_machine_i2c_p_t machine_i2c_p = {
    .transfer_supports_write1 = true,
    .init = machine_i2c_init,
    .transfer = machine_i2c_transfer,
};

MP_DEFINE_CONST_OBJ_TYPE(
    machine_i2c_type,
    MP_QSTR_I2C,
    MP_TYPE_FLAG_NONE,
    make_new, machine_i2c_make_new,
    print, machine_i2c_print,
    protocol, &machine_i2c_p,
    locals_dict, &mp_machine_i2c_locals_dict
    );
