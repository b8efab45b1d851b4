// machine.PWM for our nRF52840 port (included by extmod/machine_pwm.c).
//
//   PWM(pin, freq=1000, duty_u16=..., duty_ns=..., invert=False)
//
// Each PWM output gets one of the chip's four PWM peripherals (PWM0-PWM3) for
// itself, on its channel 0, so every output has its own frequency: up to four
// outputs at once. The wave counter counts up from 0 to COUNTERTOP at
// 16 MHz / 2^PRESCALER; the duty cycle is a one-value EasyDMA sequence in RAM
// (COMPARE in bits 0-14, bit 15 the polarity: 1 = high from the start of the
// period until COMPARE, 0 = the opposite), played once and then held.
#include "py/mphal.h"
#include "nrf52840.h"
#include "machine_nrf.h"

#define PWM_CLK_HZ (16000000u)
#define PWM_COUNT (4)
#define PWM_POLARITY_HIGH_FIRST (0x8000u)

typedef struct _machine_pwm_obj_t {
    mp_obj_base_t base;
    uint8_t slot;
} machine_pwm_obj_t;

// State of one PWM peripheral; `seq` is read by EasyDMA.
typedef struct {
    volatile uint16_t seq[2];
    int16_t pin;           // -1: free
    uint8_t invert;
    uint8_t prescaler;
    uint16_t top;
    uint16_t duty_u16;
    uint32_t freq;
} nrf_pwm_slot_t;

static nrf_pwm_slot_t pwm_slots[PWM_COUNT] = {
    { .pin = -1 }, { .pin = -1 }, { .pin = -1 }, { .pin = -1 },
};
static NRF_PWM_Type *const pwm_regs[PWM_COUNT] = { NRF_PWM0, NRF_PWM1, NRF_PWM2, NRF_PWM3 };

static void pwm_stop(unsigned slot) {
    NRF_PWM_Type *pwm = pwm_regs[slot];
    if (pwm->ENABLE) {
        // STOPPED comes at the end of the current period (up to 250 ms at 4 Hz).
        pwm->EVENTS_STOPPED = 0;
        pwm->TASKS_STOP = 1;
        mp_uint_t t0 = mp_hal_ticks_ms();
        while (!pwm->EVENTS_STOPPED && mp_hal_ticks_ms() - t0 < 300) {
        }
        pwm->ENABLE = 0;
    }
    for (int ch = 0; ch < 4; ch++) {
        pwm->PSEL.OUT[ch] = NRF_PSEL_DISCONNECTED;
    }
}

// Loads the current duty cycle (and frequency) into the peripheral.
static void pwm_apply(unsigned slot) {
    nrf_pwm_slot_t *s = &pwm_slots[slot];
    NRF_PWM_Type *pwm = pwm_regs[slot];
    uint32_t compare = ((uint32_t)s->duty_u16 * s->top + 32767u) / 65535u;
    // Non-inverted: high for COMPARE counts of TOP; inverted: low for them.
    s->seq[0] = (uint16_t)(compare | (s->invert ? 0 : PWM_POLARITY_HIGH_FIRST));
    s->seq[1] = s->seq[0];
    pwm->PRESCALER = s->prescaler << PWM_PRESCALER_PRESCALER_Pos;
    pwm->COUNTERTOP = s->top << PWM_COUNTERTOP_COUNTERTOP_Pos;
    pwm->SEQ[0].PTR = (uint32_t)&s->seq[0];
    pwm->SEQ[0].CNT = 1;
    pwm->SEQ[0].REFRESH = 0;
    pwm->SEQ[0].ENDDELAY = 0;
    pwm->EVENTS_SEQSTARTED[0] = 0;
    pwm->TASKS_SEQSTART[0] = 1;
}

static void pwm_start(unsigned slot) {
    nrf_pwm_slot_t *s = &pwm_slots[slot];
    NRF_PWM_Type *pwm = pwm_regs[slot];
    // The pad holds the idle level (OUT) whenever the PWM is not driving it.
    nrf_gpio_write(s->pin, s->invert);
    nrf_gpio_config(s->pin, (GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos)
        | (GPIO_PIN_CNF_INPUT_Disconnect << GPIO_PIN_CNF_INPUT_Pos));
    pwm->PSEL.OUT[0] = NRF_PSEL(s->pin);
    for (int ch = 1; ch < 4; ch++) {
        pwm->PSEL.OUT[ch] = NRF_PSEL_DISCONNECTED;
    }
    pwm->MODE = PWM_MODE_UPDOWN_Up << PWM_MODE_UPDOWN_Pos;
    pwm->DECODER = PWM_DECODER_LOAD_Common << PWM_DECODER_LOAD_Pos;
    pwm->LOOP = 0;
    pwm->SHORTS = 0;
    pwm->INTEN = 0;
    pwm->ENABLE = PWM_ENABLE_ENABLE_Enabled << PWM_ENABLE_ENABLE_Pos;
    pwm_apply(slot);
}

// The smallest prescaler whose counter period fits 15 bits, for the best duty resolution.
static void pwm_set_freq(nrf_pwm_slot_t *s, mp_int_t freq) {
    if (freq < 4 || freq > (mp_int_t)(PWM_CLK_HZ / 16)) {
        mp_raise_ValueError(MP_ERROR_TEXT("freq must be 4 Hz to 1 MHz"));
    }
    for (unsigned p = 0; p < 8; p++) {
        uint32_t clk = PWM_CLK_HZ >> p;
        uint32_t top = (clk + freq / 2) / freq;
        if (top <= 32767u) {
            s->prescaler = p;
            s->top = top;
            s->freq = freq;
            return;
        }
    }
    mp_raise_ValueError(MP_ERROR_TEXT("freq too low"));
}

static void mp_machine_pwm_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_pwm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    nrf_pwm_slot_t *s = &pwm_slots[self->slot];
    if (s->pin < 0) {
        mp_printf(print, "<PWM%u deinitialised>", self->slot);
        return;
    }
    mp_printf(print, "<PWM%u pin=P%u.%02u freq=%u duty_u16=%u%s>", self->slot, s->pin >> 5, s->pin & 31,
        (unsigned)s->freq, s->duty_u16, s->invert ? " invert" : "");
}

static void mp_machine_pwm_init_helper(machine_pwm_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_freq, ARG_duty_u16, ARG_duty_ns, ARG_invert };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_freq, MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_duty_u16, MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_duty_ns, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_invert, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    nrf_pwm_slot_t *s = &pwm_slots[self->slot];
    if (args[ARG_freq].u_int >= 0) {
        pwm_set_freq(s, args[ARG_freq].u_int);
    } else if (s->freq == 0) {
        pwm_set_freq(s, 1000);
    }
    if (args[ARG_invert].u_int >= 0) {
        s->invert = args[ARG_invert].u_int != 0;
    }
    if (args[ARG_duty_u16].u_int >= 0) {
        s->duty_u16 = MIN(args[ARG_duty_u16].u_int, 65535);
    } else if (args[ARG_duty_ns].u_int >= 0) {
        uint64_t period_ns = 1000000000ull / s->freq;
        s->duty_u16 = MIN((uint64_t)args[ARG_duty_ns].u_int * 65535u / period_ns, 65535u);
    }
    pwm_start(self->slot);
}

static mp_obj_t mp_machine_pwm_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, MP_OBJ_FUN_ARGS_MAX, true);
    unsigned pin = nrf_pin_from_obj(args[0]);
    // The pin's PWM if it has one, else a free peripheral.
    int slot = -1;
    for (int i = 0; i < PWM_COUNT && slot < 0; i++) {
        if (pwm_slots[i].pin == (int)pin) {
            slot = i;
        }
    }
    for (int i = 0; i < PWM_COUNT && slot < 0; i++) {
        if (pwm_slots[i].pin < 0) {
            slot = i;
            pwm_slots[i] = (nrf_pwm_slot_t) { .pin = pin };
        }
    }
    if (slot < 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("all 4 PWM peripherals in use: deinit() one"));
    }
    machine_pwm_obj_t *self = mp_obj_malloc(machine_pwm_obj_t, &machine_pwm_type);
    self->slot = slot;
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    mp_machine_pwm_init_helper(self, n_args - 1, args + 1, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static nrf_pwm_slot_t *pwm_active(machine_pwm_obj_t *self) {
    nrf_pwm_slot_t *s = &pwm_slots[self->slot];
    if (s->pin < 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("PWM deinitialised"));
    }
    return s;
}

static void mp_machine_pwm_deinit(machine_pwm_obj_t *self) {
    nrf_pwm_slot_t *s = &pwm_slots[self->slot];
    if (s->pin >= 0) {
        pwm_stop(self->slot);
        // Back to a plain output at the idle level.
        nrf_gpio_config(s->pin, GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos);
        s->pin = -1;
        s->freq = 0;
    }
}

void machine_pwm_deinit_all(void) {
    for (unsigned i = 0; i < PWM_COUNT; i++) {
        pwm_stop(i);
        pwm_slots[i].pin = -1;
        pwm_slots[i].freq = 0;
    }
}

static mp_obj_t mp_machine_pwm_freq_get(machine_pwm_obj_t *self) {
    return MP_OBJ_NEW_SMALL_INT(pwm_active(self)->freq);
}

static void mp_machine_pwm_freq_set(machine_pwm_obj_t *self, mp_int_t freq) {
    pwm_set_freq(pwm_active(self), freq);
    pwm_apply(self->slot);
}

static mp_obj_t mp_machine_pwm_duty_get_u16(machine_pwm_obj_t *self) {
    return MP_OBJ_NEW_SMALL_INT(pwm_active(self)->duty_u16);
}

static void mp_machine_pwm_duty_set_u16(machine_pwm_obj_t *self, mp_int_t duty_u16) {
    pwm_active(self)->duty_u16 = duty_u16 < 0 ? 0 : MIN(duty_u16, 65535);
    pwm_apply(self->slot);
}

static mp_obj_t mp_machine_pwm_duty_get_ns(machine_pwm_obj_t *self) {
    nrf_pwm_slot_t *s = pwm_active(self);
    uint64_t period_ns = 1000000000ull / s->freq;
    return mp_obj_new_int((mp_int_t)(period_ns * s->duty_u16 / 65535u));
}

static void mp_machine_pwm_duty_set_ns(machine_pwm_obj_t *self, mp_int_t duty_ns) {
    nrf_pwm_slot_t *s = pwm_active(self);
    uint64_t period_ns = 1000000000ull / s->freq;
    s->duty_u16 = duty_ns <= 0 ? 0 : MIN((uint64_t)duty_ns * 65535u / period_ns, 65535u);
    pwm_apply(self->slot);
}
