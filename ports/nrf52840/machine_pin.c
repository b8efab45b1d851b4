// machine.Pin for our nRF52840 port: GPIO P0.00-P0.31 and P1.00-P1.15.
//
//   Pin(26), Pin("P0.26"), Pin("LED_RED") (the board's names, mpconfigboard.h)
//   Pin(id, mode=-1, pull=-1, *, value=None, drive=0)
//   mode: Pin.IN, Pin.OUT, Pin.OPEN_DRAIN; pull: None, Pin.PULL_UP, Pin.PULL_DOWN
//   value([x]), on(), off(), low(), high(), toggle(), p() / p(x), mode(), pull()
//   irq(handler=None, trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING): up to 8 pins,
//       one GPIOTE channel each (edge events); the handler (handler(pin)) is
//       scheduled, it runs between Python bytecodes, not in the interrupt.
//
// A pin is numbered port * 32 + pin. The input buffer stays connected in every
// mode, so value() reads the pad's level (an output reads back what it drives).
#include <string.h>
#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modmachine.h"
#include "extmod/virtpin.h"
#include "nrf52840.h"
#include "machine_nrf.h"

#define PIN_MODE_IN (0)
#define PIN_MODE_OUT (1)
#define PIN_MODE_OPEN_DRAIN (2)
#define PIN_PULL_NONE (0)
#define PIN_PULL_DOWN (GPIO_PIN_CNF_PULL_Pulldown)
#define PIN_PULL_UP (GPIO_PIN_CNF_PULL_Pullup)
#define PIN_IRQ_RISING (1)
#define PIN_IRQ_FALLING (2)
#define GPIOTE_CHANNELS (8)

MP_REGISTER_ROOT_POINTER(mp_obj_t machine_pin_irq_handler[8]);

typedef struct _machine_pin_obj_t {
    mp_obj_base_t base;
    uint8_t pin;
} machine_pin_obj_t;

#define PIN_OBJ(n) { { &machine_pin_type }, (n) }
static const machine_pin_obj_t machine_pins[NRF_PIN_COUNT] = {
    PIN_OBJ(0), PIN_OBJ(1), PIN_OBJ(2), PIN_OBJ(3), PIN_OBJ(4), PIN_OBJ(5), PIN_OBJ(6), PIN_OBJ(7),
    PIN_OBJ(8), PIN_OBJ(9), PIN_OBJ(10), PIN_OBJ(11), PIN_OBJ(12), PIN_OBJ(13), PIN_OBJ(14), PIN_OBJ(15),
    PIN_OBJ(16), PIN_OBJ(17), PIN_OBJ(18), PIN_OBJ(19), PIN_OBJ(20), PIN_OBJ(21), PIN_OBJ(22), PIN_OBJ(23),
    PIN_OBJ(24), PIN_OBJ(25), PIN_OBJ(26), PIN_OBJ(27), PIN_OBJ(28), PIN_OBJ(29), PIN_OBJ(30), PIN_OBJ(31),
    PIN_OBJ(32), PIN_OBJ(33), PIN_OBJ(34), PIN_OBJ(35), PIN_OBJ(36), PIN_OBJ(37), PIN_OBJ(38), PIN_OBJ(39),
    PIN_OBJ(40), PIN_OBJ(41), PIN_OBJ(42), PIN_OBJ(43), PIN_OBJ(44), PIN_OBJ(45), PIN_OBJ(46), PIN_OBJ(47),
};

// The board's pin names, as a dict (also Pin.board.NAME).
#define NRF_PIN_NAME_ENTRY(name, n) { MP_ROM_QSTR(MP_QSTR_##name), MP_ROM_PTR(&machine_pins[n]) },
static const mp_rom_map_elem_t machine_pin_board_table[] = {
    NRF_BOARD_PIN_NAMES(NRF_PIN_NAME_ENTRY)
};
static MP_DEFINE_CONST_DICT(machine_pin_board_dict, machine_pin_board_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    machine_pin_board_type,
    MP_QSTR_board,
    MP_TYPE_FLAG_NONE,
    locals_dict, &machine_pin_board_dict
    );

// ---- GPIO registers ----
NRF_GPIO_Type *nrf_gpio_port(unsigned pin) {
    return pin >= 32 ? NRF_P1 : NRF_P0;
}

void nrf_gpio_config(unsigned pin, uint32_t cnf) {
    nrf_gpio_port(pin)->PIN_CNF[pin & 31] = cnf;
}

void nrf_gpio_write(unsigned pin, int value) {
    NRF_GPIO_Type *port = nrf_gpio_port(pin);
    if (value) {
        port->OUTSET = 1u << (pin & 31);
    } else {
        port->OUTCLR = 1u << (pin & 31);
    }
}

int nrf_gpio_read(unsigned pin) {
    return (nrf_gpio_port(pin)->IN >> (pin & 31)) & 1;
}

static uint32_t pin_cnf(unsigned pin) {
    return nrf_gpio_port(pin)->PIN_CNF[pin & 31];
}

// ---- pin lookup ----
// "P0.26" / "P1.8" / "P1.08" -> number, or -1.
static int pin_parse_name(const char *s, size_t len) {
    if (len < 4 || len > 5 || (s[0] != 'P' && s[0] != 'p') || (s[1] != '0' && s[1] != '1') || s[2] != '.') {
        return -1;
    }
    int n = 0;
    for (size_t i = 3; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        n = n * 10 + (s[i] - '0');
    }
    int port = s[1] - '0';
    if (n > 31 || port * 32 + n >= NRF_PIN_COUNT) {
        return -1;
    }
    return port * 32 + n;
}

unsigned nrf_pin_from_obj(mp_obj_t obj) {
    if (mp_obj_is_type(obj, &machine_pin_type)) {
        return ((machine_pin_obj_t *)MP_OBJ_TO_PTR(obj))->pin;
    }
    if (mp_obj_is_str(obj)) {
        size_t len;
        const char *s = mp_obj_str_get_data(obj, &len);
        int n = pin_parse_name(s, len);
        if (n >= 0) {
            return n;
        }
        mp_map_elem_t *e = mp_map_lookup((mp_map_t *)&machine_pin_board_dict.map, obj, MP_MAP_LOOKUP);
        if (e != NULL) {
            return ((machine_pin_obj_t *)MP_OBJ_TO_PTR(e->value))->pin;
        }
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("unknown pin %s"), s);
    }
    mp_int_t n = mp_obj_get_int(obj);
    if (n < 0 || n >= NRF_PIN_COUNT) {
        mp_raise_ValueError(MP_ERROR_TEXT("pin numbers are 0-47 (port * 32 + pin)"));
    }
    return n;
}

// ---- Pin ----
static int pin_mode(unsigned pin) {
    uint32_t cnf = pin_cnf(pin);
    if (!(cnf & GPIO_PIN_CNF_DIR_Msk)) {
        return PIN_MODE_IN;
    }
    uint32_t drive = (cnf & GPIO_PIN_CNF_DRIVE_Msk) >> GPIO_PIN_CNF_DRIVE_Pos;
    return (drive == GPIO_PIN_CNF_DRIVE_S0D1 || drive == GPIO_PIN_CNF_DRIVE_H0D1) ? PIN_MODE_OPEN_DRAIN : PIN_MODE_OUT;
}

static void machine_pin_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    static const char *const modes[] = { "IN", "OUT", "OPEN_DRAIN" };
    uint32_t pull = (pin_cnf(self->pin) & GPIO_PIN_CNF_PULL_Msk) >> GPIO_PIN_CNF_PULL_Pos;
    mp_printf(print, "Pin('P%u.%02u', mode=%s", self->pin >> 5, self->pin & 31, modes[pin_mode(self->pin)]);
    if (pull == PIN_PULL_UP) {
        mp_print_str(print, ", pull=PULL_UP");
    } else if (pull == PIN_PULL_DOWN) {
        mp_print_str(print, ", pull=PULL_DOWN");
    }
    mp_print_str(print, ")");
}

enum { ARG_mode, ARG_pull, ARG_value, ARG_drive };
static const mp_arg_t pin_init_args[] = {
    { MP_QSTR_mode, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_pull, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_INT(-1)} },
    { MP_QSTR_value, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    { MP_QSTR_drive, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
};

static mp_obj_t machine_pin_obj_init_helper(const machine_pin_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    mp_arg_val_t args[MP_ARRAY_SIZE(pin_init_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(pin_init_args), pin_init_args, args);
    unsigned pin = self->pin;
    uint32_t cnf = pin_cnf(pin);
    int mode = pin_mode(pin);
    if (args[ARG_mode].u_obj != mp_const_none) {
        mode = mp_obj_get_int(args[ARG_mode].u_obj);
        if (mode < PIN_MODE_IN || mode > PIN_MODE_OPEN_DRAIN) {
            mp_raise_ValueError(MP_ERROR_TEXT("invalid pin mode"));
        }
    }
    uint32_t pull = (cnf & GPIO_PIN_CNF_PULL_Msk) >> GPIO_PIN_CNF_PULL_Pos;
    if (args[ARG_pull].u_obj == mp_const_none) {
        pull = PIN_PULL_NONE;
    } else if (args[ARG_pull].u_obj != MP_OBJ_NEW_SMALL_INT(-1)) {
        pull = mp_obj_get_int(args[ARG_pull].u_obj);
        if (pull != PIN_PULL_NONE && pull != PIN_PULL_UP && pull != PIN_PULL_DOWN) {
            mp_raise_ValueError(MP_ERROR_TEXT("invalid pull"));
        }
    }
    // drive: 0 standard, 1 high drive (LEDs, sensor supplies)
    uint32_t high = (cnf & GPIO_PIN_CNF_DRIVE_Msk) >> GPIO_PIN_CNF_DRIVE_Pos;
    high = high == GPIO_PIN_CNF_DRIVE_H0H1 || high == GPIO_PIN_CNF_DRIVE_H0D1;
    if (args[ARG_drive].u_int >= 0) {
        high = args[ARG_drive].u_int != 0;
    }
    if (args[ARG_value].u_obj != mp_const_none) {
        nrf_gpio_write(pin, mp_obj_is_true(args[ARG_value].u_obj));
    }
    uint32_t drive = high ? GPIO_PIN_CNF_DRIVE_H0H1 : GPIO_PIN_CNF_DRIVE_S0S1;
    if (mode == PIN_MODE_OPEN_DRAIN) {
        drive = high ? GPIO_PIN_CNF_DRIVE_H0D1 : GPIO_PIN_CNF_DRIVE_S0D1;
    }
    uint32_t dir = mode == PIN_MODE_IN ? GPIO_PIN_CNF_DIR_Input : GPIO_PIN_CNF_DIR_Output;
    nrf_gpio_config(pin, (dir << GPIO_PIN_CNF_DIR_Pos) | (GPIO_PIN_CNF_INPUT_Connect << GPIO_PIN_CNF_INPUT_Pos)
        | (pull << GPIO_PIN_CNF_PULL_Pos) | (drive << GPIO_PIN_CNF_DRIVE_Pos));
    return mp_const_none;
}

static mp_obj_t machine_pin_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, MP_OBJ_FUN_ARGS_MAX, true);
    const machine_pin_obj_t *self = &machine_pins[nrf_pin_from_obj(args[0])];
    if (n_args > 1 || n_kw > 0) {
        mp_map_t kw_args;
        mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
        machine_pin_obj_init_helper(self, n_args - 1, args + 1, &kw_args);
    }
    return MP_OBJ_FROM_PTR(self);
}

// p() reads, p(x) writes
static mp_obj_t machine_pin_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (n_args == 0) {
        return MP_OBJ_NEW_SMALL_INT(nrf_gpio_read(self->pin));
    }
    nrf_gpio_write(self->pin, mp_obj_is_true(args[0]));
    return mp_const_none;
}

static mp_obj_t machine_pin_obj_init(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    return machine_pin_obj_init_helper(MP_OBJ_TO_PTR(args[0]), n_args - 1, args + 1, kw_args);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_init_obj, 1, machine_pin_obj_init);

static mp_obj_t machine_pin_value(size_t n_args, const mp_obj_t *args) {
    return machine_pin_call(args[0], n_args - 1, 0, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_pin_value_obj, 1, 2, machine_pin_value);

static mp_obj_t machine_pin_off(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    nrf_gpio_write(self->pin, 0);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_off_obj, machine_pin_off);

static mp_obj_t machine_pin_on(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    nrf_gpio_write(self->pin, 1);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_on_obj, machine_pin_on);

// Flips the driven level (OUT), whatever the pad reads.
static mp_obj_t machine_pin_toggle(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    NRF_GPIO_Type *port = nrf_gpio_port(self->pin);
    uint32_t bit = 1u << (self->pin & 31);
    if (port->OUT & bit) {
        port->OUTCLR = bit;
    } else {
        port->OUTSET = bit;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_toggle_obj, machine_pin_toggle);

static mp_obj_t machine_pin_mode(size_t n_args, const mp_obj_t *args) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    if (n_args == 1) {
        return MP_OBJ_NEW_SMALL_INT(pin_mode(self->pin));
    }
    mp_map_t kw = { 0 };
    machine_pin_obj_init_helper(self, 1, args + 1, &kw);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_pin_mode_obj, 1, 2, machine_pin_mode);

static mp_obj_t machine_pin_pull(size_t n_args, const mp_obj_t *args) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    if (n_args == 1) {
        uint32_t pull = (pin_cnf(self->pin) & GPIO_PIN_CNF_PULL_Msk) >> GPIO_PIN_CNF_PULL_Pos;
        return pull == PIN_PULL_NONE ? mp_const_none : MP_OBJ_NEW_SMALL_INT(pull);
    }
    mp_obj_t a[2] = { mp_const_none, args[1] };
    mp_map_t kw = { 0 };
    machine_pin_obj_init_helper(self, 2, a, &kw);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_pin_pull_obj, 1, 2, machine_pin_pull);

// ---- irq: GPIOTE channels in event mode ----
static uint8_t gpiote_pin[GPIOTE_CHANNELS];

void GPIOTE_IRQHandler(void) {
    for (int ch = 0; ch < GPIOTE_CHANNELS; ch++) {
        if (NRF_GPIOTE->EVENTS_IN[ch]) {
            NRF_GPIOTE->EVENTS_IN[ch] = 0;
            mp_obj_t handler = MP_STATE_PORT(machine_pin_irq_handler)[ch];
            if (handler != MP_OBJ_NULL && handler != mp_const_none) {
                mp_sched_schedule(handler, MP_OBJ_FROM_PTR(&machine_pins[gpiote_pin[ch]]));
            }
        }
    }
}

static void gpiote_release(int ch) {
    NRF_GPIOTE->INTENCLR = 1u << ch;
    NRF_GPIOTE->CONFIG[ch] = 0;
    NRF_GPIOTE->EVENTS_IN[ch] = 0;
    MP_STATE_PORT(machine_pin_irq_handler)[ch] = MP_OBJ_NULL;
}

void machine_pin_irq_deinit_all(void) {
    for (int ch = 0; ch < GPIOTE_CHANNELS; ch++) {
        gpiote_release(ch);
    }
    NVIC_DisableIRQ(GPIOTE_IRQn);
}

static mp_obj_t machine_pin_irq(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_handler, ARG_trigger, ARG_hard };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_handler, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_trigger, MP_ARG_INT, {.u_int = PIN_IRQ_RISING | PIN_IRQ_FALLING} },
        { MP_QSTR_hard, MP_ARG_BOOL, {.u_bool = false} },
    };
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(pos_args[0]);
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    if (args[ARG_hard].u_bool) {
        mp_raise_ValueError(MP_ERROR_TEXT("hard IRQs not supported"));
    }
    // The pin's channel, else a free one.
    int ch = -1;
    for (int i = 0; i < GPIOTE_CHANNELS && ch < 0; i++) {
        if ((NRF_GPIOTE->CONFIG[i] & GPIOTE_CONFIG_MODE_Msk) && gpiote_pin[i] == self->pin) {
            ch = i;
        }
    }
    mp_obj_t handler = args[ARG_handler].u_obj;
    if (handler == mp_const_none) {
        if (ch >= 0) {
            gpiote_release(ch);
        }
        return mp_const_none;
    }
    for (int i = 0; i < GPIOTE_CHANNELS && ch < 0; i++) {
        if (!(NRF_GPIOTE->CONFIG[i] & GPIOTE_CONFIG_MODE_Msk)) {
            ch = i;
        }
    }
    if (ch < 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("all 8 GPIOTE channels in use"));
    }
    uint32_t trig = args[ARG_trigger].u_int & (PIN_IRQ_RISING | PIN_IRQ_FALLING);
    uint32_t pol = trig == PIN_IRQ_RISING ? GPIOTE_CONFIG_POLARITY_LoToHi
        : trig == PIN_IRQ_FALLING ? GPIOTE_CONFIG_POLARITY_HiToLo : GPIOTE_CONFIG_POLARITY_Toggle;
    NRF_GPIOTE->INTENCLR = 1u << ch;
    gpiote_pin[ch] = self->pin;
    MP_STATE_PORT(machine_pin_irq_handler)[ch] = handler;
    NRF_GPIOTE->CONFIG[ch] = (GPIOTE_CONFIG_MODE_Event << GPIOTE_CONFIG_MODE_Pos)
        | ((self->pin & 31u) << GPIOTE_CONFIG_PSEL_Pos) | ((self->pin >> 5) << GPIOTE_CONFIG_PORT_Pos)
        | (pol << GPIOTE_CONFIG_POLARITY_Pos);
    NRF_GPIOTE->EVENTS_IN[ch] = 0;
    NRF_GPIOTE->INTENSET = 1u << ch;
    NVIC_SetPriority(GPIOTE_IRQn, 3);
    NVIC_EnableIRQ(GPIOTE_IRQn);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_irq_obj, 1, machine_pin_irq);

static mp_uint_t machine_pin_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_PIN_READ:
            return nrf_gpio_read(self->pin);
        case MP_PIN_WRITE:
            nrf_gpio_write(self->pin, arg);
            return 0;
    }
    return -1;
}

static const mp_pin_p_t machine_pin_pin_p = {
    .ioctl = machine_pin_ioctl,
};

static const mp_rom_map_elem_t machine_pin_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_pin_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_value), MP_ROM_PTR(&machine_pin_value_obj) },
    { MP_ROM_QSTR(MP_QSTR_off), MP_ROM_PTR(&machine_pin_off_obj) },
    { MP_ROM_QSTR(MP_QSTR_on), MP_ROM_PTR(&machine_pin_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_low), MP_ROM_PTR(&machine_pin_off_obj) },
    { MP_ROM_QSTR(MP_QSTR_high), MP_ROM_PTR(&machine_pin_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_toggle), MP_ROM_PTR(&machine_pin_toggle_obj) },
    { MP_ROM_QSTR(MP_QSTR_mode), MP_ROM_PTR(&machine_pin_mode_obj) },
    { MP_ROM_QSTR(MP_QSTR_pull), MP_ROM_PTR(&machine_pin_pull_obj) },
    { MP_ROM_QSTR(MP_QSTR_irq), MP_ROM_PTR(&machine_pin_irq_obj) },
    { MP_ROM_QSTR(MP_QSTR_board), MP_ROM_PTR(&machine_pin_board_type) },
    { MP_ROM_QSTR(MP_QSTR_IN), MP_ROM_INT(PIN_MODE_IN) },
    { MP_ROM_QSTR(MP_QSTR_OUT), MP_ROM_INT(PIN_MODE_OUT) },
    { MP_ROM_QSTR(MP_QSTR_OPEN_DRAIN), MP_ROM_INT(PIN_MODE_OPEN_DRAIN) },
    { MP_ROM_QSTR(MP_QSTR_PULL_UP), MP_ROM_INT(PIN_PULL_UP) },
    { MP_ROM_QSTR(MP_QSTR_PULL_DOWN), MP_ROM_INT(PIN_PULL_DOWN) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_RISING), MP_ROM_INT(PIN_IRQ_RISING) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_FALLING), MP_ROM_INT(PIN_IRQ_FALLING) },
    { MP_ROM_QSTR(MP_QSTR_DRIVE_0), MP_ROM_INT(0) },
    { MP_ROM_QSTR(MP_QSTR_DRIVE_1), MP_ROM_INT(1) },
};
static MP_DEFINE_CONST_DICT(machine_pin_locals_dict, machine_pin_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_pin_type,
    MP_QSTR_Pin,
    MP_TYPE_FLAG_NONE,
    make_new, machine_pin_make_new,
    print, machine_pin_print,
    call, machine_pin_call,
    protocol, &machine_pin_pin_p,
    locals_dict, &machine_pin_locals_dict
    );
