// machine.PDM for our nRF52840 port: the PDM microphone as a stream of int16 samples.
//
//   pdm = machine.PDM(rate=16000, *, gain=0, clk=..., din=..., block=320, buffer=8000)
//   pdm.readinto(buf)    # fills buf (bytearray / array('h')) with int16 samples, blocking
//   pdm.available()      # samples waiting; pdm.overruns(): blocks dropped (reader too slow)
//   pdm.stop(); pdm.start(); pdm.deinit()
//
// The PDM peripheral decimates the microphone's 1-bit stream to 16-bit mono
// samples (rate 16000: PDM_CLK 1.280 MHz, ratio 80; rate 20000: ratio 64) and
// writes them by EasyDMA into two RAM blocks in turn: when a block starts
// (STARTED) the interrupt hands the peripheral the other block's address
// (SAMPLE.PTR is double-buffered), and when a block is full (END) the
// interrupt appends it to a ring buffer that readinto() drains. gain is in
// dB, -20 to +20 in 0.5 dB steps. Clock and data pins (and the microphone's
// supply pin, switched on by start()) come from the board (mpconfigboard.h).
#include <string.h>
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "nrf52840.h"
#include "machine_nrf.h"

typedef struct _machine_pdm_obj_t {
    mp_obj_base_t base;
    int16_t *dma[2];
    int16_t *ring;
    uint32_t block;         // samples per DMA block
    uint32_t ring_len;      // samples in the ring
    volatile uint32_t head; // samples written (free-running)
    volatile uint32_t tail; // samples read
    volatile uint32_t overruns;
    volatile uint8_t filling;   // the DMA block the peripheral writes now
    uint8_t running;
    uint8_t clk, din;
    int8_t pwr;
    uint8_t gain;           // GAINL/GAINR register value
    uint32_t rate;
    uint32_t clkctrl;
    uint32_t ratio;
} machine_pdm_obj_t;

MP_REGISTER_ROOT_POINTER(struct _machine_pdm_obj_t *machine_pdm_active);

// END: a block is full, into the ring (dropped if the reader is too far behind).
// STARTED: the peripheral latched SAMPLE.PTR; queue the other block.
void PDM_IRQHandler(void) {
    machine_pdm_obj_t *self = MP_STATE_PORT(machine_pdm_active);
    if (self == NULL) {
        NRF_PDM->INTENCLR = 0xFFFFFFFFu;
        return;
    }
    if (NRF_PDM->EVENTS_END) {
        NRF_PDM->EVENTS_END = 0;
        const int16_t *src = self->dma[self->filling];
        uint32_t head = self->head;
        if (head - self->tail + self->block > self->ring_len) {
            self->overruns++;
        } else {
            uint32_t at = head % self->ring_len;
            uint32_t first = MIN(self->block, self->ring_len - at);
            memcpy(self->ring + at, src, first * sizeof(int16_t));
            memcpy(self->ring, src + first, (self->block - first) * sizeof(int16_t));
            self->head = head + self->block;
        }
        self->filling ^= 1;
    }
    if (NRF_PDM->EVENTS_STARTED) {
        NRF_PDM->EVENTS_STARTED = 0;
        NRF_PDM->SAMPLE.PTR = (uint32_t)self->dma[self->filling ^ 1];
        NRF_PDM->SAMPLE.MAXCNT = self->block;
    }
    if (NRF_PDM->EVENTS_STOPPED) {
        NRF_PDM->EVENTS_STOPPED = 0;
    }
}

static void pdm_stop_hw(void) {
    if (NRF_PDM->ENABLE) {
        NRF_PDM->EVENTS_STOPPED = 0;
        NRF_PDM->TASKS_STOP = 1;
        mp_uint_t t0 = mp_hal_ticks_ms();
        while (!NRF_PDM->EVENTS_STOPPED && mp_hal_ticks_ms() - t0 < 20) {
        }
        NRF_PDM->ENABLE = PDM_ENABLE_ENABLE_Disabled << PDM_ENABLE_ENABLE_Pos;
    }
    NRF_PDM->INTENCLR = 0xFFFFFFFFu;
    NVIC_DisableIRQ(PDM_IRQn);
    NVIC_ClearPendingIRQ(PDM_IRQn);
    NRF_PDM->EVENTS_STARTED = 0;
    NRF_PDM->EVENTS_END = 0;
    NRF_PDM->EVENTS_STOPPED = 0;
}

static void pdm_start(machine_pdm_obj_t *self) {
    if (self->running) {
        return;
    }
    machine_pdm_obj_t *other = MP_STATE_PORT(machine_pdm_active);
    if (other != NULL && other != self && other->running) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("the PDM is in use: deinit() the other PDM object"));
    }
    pdm_stop_hw();
    if (self->pwr >= 0 && !((nrf_gpio_port(self->pwr)->OUT >> (self->pwr & 31)) & 1)) {
        nrf_gpio_write(self->pwr, 1);
        nrf_gpio_config(self->pwr, (GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos)
            | (GPIO_PIN_CNF_DRIVE_S0H1 << GPIO_PIN_CNF_DRIVE_Pos));
        mp_hal_delay_ms(10);
    }
    nrf_gpio_write(self->clk, 0);
    nrf_gpio_config(self->clk, (GPIO_PIN_CNF_DIR_Output << GPIO_PIN_CNF_DIR_Pos)
        | (GPIO_PIN_CNF_INPUT_Disconnect << GPIO_PIN_CNF_INPUT_Pos));
    nrf_gpio_config(self->din, GPIO_PIN_CNF_DIR_Input << GPIO_PIN_CNF_DIR_Pos);
    NRF_PDM->PSEL.CLK = NRF_PSEL(self->clk);
    NRF_PDM->PSEL.DIN = NRF_PSEL(self->din);
    NRF_PDM->PDMCLKCTRL = self->clkctrl;
    NRF_PDM->RATIO = self->ratio << PDM_RATIO_RATIO_Pos;
    NRF_PDM->MODE = (PDM_MODE_OPERATION_Mono << PDM_MODE_OPERATION_Pos)
        | (PDM_MODE_EDGE_LeftFalling << PDM_MODE_EDGE_Pos);
    NRF_PDM->GAINL = self->gain;
    NRF_PDM->GAINR = self->gain;
    self->head = self->tail = 0;
    self->filling = 0;
    MP_STATE_PORT(machine_pdm_active) = self;
    NRF_PDM->SAMPLE.PTR = (uint32_t)self->dma[0];
    NRF_PDM->SAMPLE.MAXCNT = self->block;
    NRF_PDM->INTENSET = PDM_INTENSET_STARTED_Msk | PDM_INTENSET_END_Msk;
    NVIC_SetPriority(PDM_IRQn, 3);
    NVIC_ClearPendingIRQ(PDM_IRQn);
    NVIC_EnableIRQ(PDM_IRQn);
    NRF_PDM->ENABLE = PDM_ENABLE_ENABLE_Enabled << PDM_ENABLE_ENABLE_Pos;
    self->running = 1;
    NRF_PDM->TASKS_START = 1;
}

static void pdm_stop(machine_pdm_obj_t *self) {
    if (self->running) {
        pdm_stop_hw();
        self->running = 0;
    }
}

static void machine_pdm_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "PDM(rate=%u, gain=%d/2 dB, clk='P%u.%02u', din='P%u.%02u', block=%u, buffer=%u%s)",
        (unsigned)self->rate, (int)self->gain - (int)PDM_GAINL_GAINL_DefaultGain,
        self->clk >> 5, self->clk & 31, self->din >> 5, self->din & 31,
        (unsigned)self->block, (unsigned)self->ring_len, self->running ? "" : ", stopped");
}

static mp_obj_t machine_pdm_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_rate, ARG_gain, ARG_clk, ARG_din, ARG_block, ARG_buffer };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_rate, MP_ARG_INT, {.u_int = 16000} },
        { MP_QSTR_gain, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_INT(0)} },
        { MP_QSTR_clk, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_din, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_block, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 320} },
        { MP_QSTR_buffer, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 8000} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    uint32_t clkctrl, ratio;
    switch (args[ARG_rate].u_int) {
        case 16000:
            clkctrl = PDM_PDMCLKCTRL_FREQ_1280K;
            ratio = PDM_RATIO_RATIO_Ratio80;
            break;
        case 20000:
            clkctrl = PDM_PDMCLKCTRL_FREQ_1280K;
            ratio = PDM_RATIO_RATIO_Ratio64;
            break;
        default:
            mp_raise_ValueError(MP_ERROR_TEXT("rate must be 16000 or 20000"));
    }
    mp_float_t gain_db = mp_obj_get_float(args[ARG_gain].u_obj);
    if (gain_db < -20 || gain_db > 20) {
        mp_raise_ValueError(MP_ERROR_TEXT("gain must be -20 to 20 dB"));
    }
    int gain = (int)PDM_GAINL_GAINL_DefaultGain + (int)(gain_db * 2 + (gain_db >= 0 ? 0.5f : -0.5f));
    mp_int_t block = args[ARG_block].u_int;
    mp_int_t ring = args[ARG_buffer].u_int;
    if (block < 16 || block > 4096 || ring < 2 * block) {
        mp_raise_ValueError(MP_ERROR_TEXT("need 16 <= block <= 4096 and buffer >= 2 * block samples"));
    }
    // One PDM peripheral: a new object takes it over from an older one.
    machine_pdm_obj_t *old = MP_STATE_PORT(machine_pdm_active);
    if (old != NULL) {
        pdm_stop(old);
        MP_STATE_PORT(machine_pdm_active) = NULL;
    }

    machine_pdm_obj_t *self = mp_obj_malloc(machine_pdm_obj_t, type);
    self->block = block;
    self->ring_len = ring;
    self->dma[0] = m_new(int16_t, 2 * block);
    self->dma[1] = self->dma[0] + block;
    self->ring = m_new(int16_t, ring);
    self->head = self->tail = 0;
    self->overruns = 0;
    self->running = 0;
    self->rate = args[ARG_rate].u_int;
    self->clkctrl = clkctrl;
    self->ratio = ratio;
    self->gain = gain;
    self->clk = args[ARG_clk].u_obj == mp_const_none ? NRF_PDM_CLK_PIN : nrf_pin_from_obj(args[ARG_clk].u_obj);
    self->din = args[ARG_din].u_obj == mp_const_none ? NRF_PDM_DIN_PIN : nrf_pin_from_obj(args[ARG_din].u_obj);
    self->pwr = NRF_MIC_PWR_PIN;
    pdm_start(self);
    return MP_OBJ_FROM_PTR(self);
}

// readinto(buf): fills all of buf with samples (2 bytes each), waiting for
// the microphone; returns the number of bytes.
static mp_obj_t machine_pdm_readinto(mp_obj_t self_in, mp_obj_t buf_in) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_WRITE);
    if (!self->running) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("PDM stopped"));
    }
    size_t want = bufinfo.len / sizeof(int16_t);
    uint8_t *dst = bufinfo.buf;
    size_t done = 0;
    // Allow two blocks' time beyond the samples asked for, plus a margin.
    mp_uint_t t0 = mp_hal_ticks_ms();
    mp_uint_t limit = 1000 + (mp_uint_t)((uint64_t)(want + 2 * self->block) * 1000 / self->rate);
    while (done < want) {
        uint32_t head = self->head;
        uint32_t tail = self->tail;
        size_t n = MIN(head - tail, want - done);
        if (n == 0) {
            if (mp_hal_ticks_ms() - t0 > limit) {
                mp_raise_OSError(MP_ETIMEDOUT);
            }
            mp_handle_pending(true);
            uint32_t state = nrf_irq_save();
            if (self->head == tail) {
                __WFI();
            }
            nrf_irq_restore(state);
            continue;
        }
        uint32_t at = tail % self->ring_len;
        size_t first = MIN(n, self->ring_len - at);
        memcpy(dst + done * 2, self->ring + at, first * 2);
        memcpy(dst + (done + first) * 2, self->ring, (n - first) * 2);
        self->tail = tail + n;
        done += n;
    }
    return MP_OBJ_NEW_SMALL_INT(done * 2);
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_pdm_readinto_obj, machine_pdm_readinto);

static mp_obj_t machine_pdm_available(mp_obj_t self_in) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(self->head - self->tail);
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pdm_available_obj, machine_pdm_available);

static mp_obj_t machine_pdm_overruns(mp_obj_t self_in) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(self->overruns);
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pdm_overruns_obj, machine_pdm_overruns);

static mp_obj_t machine_pdm_start(mp_obj_t self_in) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->ring == NULL) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("PDM deinitialised"));
    }
    pdm_start(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pdm_start_obj, machine_pdm_start);

static mp_obj_t machine_pdm_stop(mp_obj_t self_in) {
    pdm_stop(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pdm_stop_obj, machine_pdm_stop);

static void pdm_release(machine_pdm_obj_t *self) {
    pdm_stop(self);
    if (MP_STATE_PORT(machine_pdm_active) == self) {
        MP_STATE_PORT(machine_pdm_active) = NULL;
        if (self->pwr >= 0) {
            nrf_gpio_write(self->pwr, 0);
        }
    }
}

static mp_obj_t machine_pdm_deinit(mp_obj_t self_in) {
    machine_pdm_obj_t *self = MP_OBJ_TO_PTR(self_in);
    pdm_release(self);
    self->ring = NULL;
    self->dma[0] = self->dma[1] = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pdm_deinit_obj, machine_pdm_deinit);

void machine_pdm_deinit_all(void) {
    machine_pdm_obj_t *self = MP_STATE_PORT(machine_pdm_active);
    if (self != NULL) {
        pdm_release(self);
    }
    pdm_stop_hw();
    MP_STATE_PORT(machine_pdm_active) = NULL;
}

static const mp_rom_map_elem_t machine_pdm_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&machine_pdm_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_available), MP_ROM_PTR(&machine_pdm_available_obj) },
    { MP_ROM_QSTR(MP_QSTR_overruns), MP_ROM_PTR(&machine_pdm_overruns_obj) },
    { MP_ROM_QSTR(MP_QSTR_start), MP_ROM_PTR(&machine_pdm_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_stop), MP_ROM_PTR(&machine_pdm_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_deinit), MP_ROM_PTR(&machine_pdm_deinit_obj) },
};
static MP_DEFINE_CONST_DICT(machine_pdm_locals_dict, machine_pdm_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_pdm_type,
    MP_QSTR_PDM,
    MP_TYPE_FLAG_NONE,
    make_new, machine_pdm_make_new,
    print, machine_pdm_print,
    locals_dict, &machine_pdm_locals_dict
    );
