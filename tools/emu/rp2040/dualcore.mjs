// The RP2040's second Cortex-M0+ (core 1) for rp2040js, which models core 0 only.
//
// What this adds to an rp2040js RP2040 instance (see README.md, "Core 1"):
//  - core 1: a second CortexM0Core with its own view of the chip: a second
//    RP2040 object holding the first one's memories, peripherals and clock,
//    with its own `core`, `sio`, `ppb`, `logger` and `onBreak`, so that
//    rp2040js code reached from core 1 (bus accesses, SysTick, NVIC, SCB)
//    acts on core 1 (one object shape for both: V8's call sites stay
//    monomorphic, core 0 runs as fast as before);
//  - per-core SIO: CPUID, hardware divider and interpolators per core (their
//    state lives in each core's RPSIO instance); GPIO registers and the 32
//    spinlocks are shared (core 1 delegates them to core 0's instance);
//  - the inter-core mailboxes: two 8-deep FIFOs, FIFO_ST (VLD, RDY and the
//    sticky WOF/ROE flags, cleared by any write), FIFO_WR, FIFO_RD, and the
//    SIO_IRQ_PROC0 (IRQ 15) / SIO_IRQ_PROC1 (IRQ 16) lines, each the OR of
//    VLD, WOF and ROE of that core's FIFO_ST;
//  - peripheral IRQ lines delivered to both cores' NVICs;
//  - per-core PPB (NVIC, SysTick, SCB/VTOR): a second rp2040js RPPPB bound
//    to core 1's view;
//  - events: SEV on either core sets both cores' event registers (the other
//    core wakes if it sleeps in WFE);
//  - core 1 reset: PSM FRCE_OFF.PROC1 (0x40010004 bit 16) holds core 1 in
//    reset; on release, and at chip reset, core 1 starts at the ROM's reset
//    vector like core 0. Our stand-in ROM (rom/rom.S) sends core 1 to its
//    wait-for-launch code, which tells the emulator about launches with two
//    host calls (bkpt #7 launched, bkpt #8 returned to the ROM).
//
// Timing: run.mjs steps core 0 and then calls catchUp(), which runs core 1
// until it has spent as many cycles as core 0 did (lockstep); while core 0
// sleeps, core 1 alone drives the clock (stepAlone()). Each core counts its
// own cycles (executed instructions, not sleep).
//
// Not modelled: per-core GPIO interrupt enables (PROC1_INTE; IO_BANK0's IRQ
// goes to both NVICs as one line), SYSCFG.PROC1_NMI_MASK, bus contention
// between the cores (each core runs at rp2040js's single-core speed), the
// SIO doorbells/RP2350 extras, sub-word accesses to the FIFO registers.

const SIO_CPUID = 0x000;
const SIO_FIFO_ST = 0x050;
const SIO_FIFO_WR = 0x054;
const SIO_FIFO_RD = 0x058;
const SIO_GPIO_END = 0x050; // GPIO_IN .. GPIO_HI_OE_XOR are below this
const SIO_SPINLOCK_ST = 0x05c;
const SIO_SPINLOCK0 = 0x100;
const SIO_SPINLOCK31 = 0x17c;
const FIFO_DEPTH = 8;
const IRQ_SIO_PROC0 = 15;
const IRQ_SIO_PROC1 = 16;
const PSM_BASE = 0x40010000;
const PSM_FRCE_OFF = 0x04;
const PSM_PROC1 = 1 << 16;
const OP_WFE = 0xbf20;

// Host calls from the ROM's core-1 code (rom/rom.S).
export const HOSTCALL_CORE1_LAUNCH = 7;
export const HOSTCALL_CORE1_RETURN = 8;

// One direction of the inter-core mailbox.
class Mailbox {
  constructor() {
    this.data = new Uint32Array(FIFO_DEPTH);
    this.head = 0;
    this.count = 0;
  }

  push(value) {
    this.data[(this.head + this.count) % FIFO_DEPTH] = value;
    this.count++;
  }

  pop() {
    const v = this.data[this.head];
    this.head = (this.head + 1) % FIFO_DEPTH;
    this.count--;
    return v;
  }
}

// Looks a code up in the ROM's data table (16-bit pointer at 0x16, pairs of
// 16-bit code and value ended by a zero code), as pico-sdk does.
function romHasData(mcu, c1, c2) {
  const read16 = (a) => {
    const w = mcu.bootrom[a >>> 2] >>> 0;
    return (a & 2) ? w >>> 16 : w & 0xffff;
  };
  const code = c1.charCodeAt(0) | (c2.charCodeAt(0) << 8);
  let p = read16(0x16);
  for (let i = 0; i < 64 && p && p < 0x4000; i++, p += 4) {
    const c = read16(p);
    if (c === 0) return false;
    if (c === code) return true;
  }
  return false;
}

function makeSioClass(Base) {
  // An RPSIO for one core: CPUID, the mailboxes, and (core 1) GPIO and
  // spinlocks on the shared instance.
  return class CoreSIO extends Base {
    constructor(view, dual, num, shared) {
      super(view);
      this.dual = dual;
      this.num = num;
      this.shared = shared;
    }

    readUint32(offset) {
      if (offset === SIO_CPUID) return this.num;
      if (offset >= SIO_FIFO_ST && offset <= SIO_FIFO_RD) return this.dual.fifoRead(this.num, offset);
      if (this.shared !== null && (offset < SIO_GPIO_END || offset === SIO_SPINLOCK_ST ||
          (offset >= SIO_SPINLOCK0 && offset <= SIO_SPINLOCK31))) {
        return this.shared.readUint32(offset);
      }
      return super.readUint32(offset);
    }

    writeUint32(offset, value) {
      if (offset === SIO_CPUID) return;
      if (offset >= SIO_FIFO_ST && offset <= SIO_FIFO_RD) {
        this.dual.fifoWrite(this.num, offset, value >>> 0);
        return;
      }
      if (this.shared !== null && (offset < SIO_GPIO_END || offset === SIO_SPINLOCK_ST ||
          (offset >= SIO_SPINLOCK0 && offset <= SIO_SPINLOCK31))) {
        this.shared.writeUint32(offset, value);
        return;
      }
      super.writeUint32(offset, value);
    }
  };
}

export class DualCore {
  // mcu: an rp2040js RP2040 with its ROM loaded and its logger set.
  // hooks: onBreak(code, core, num) for BKPT on core 1 (core 0 keeps
  // mcu.onBreak), log(msg), event(obj) for control-channel events.
  constructor(mcu, hooks) {
    this.mcu = mcu;
    this.hooks = hooks;
    this.core0 = mcu.core;
    this.core1 = null;          // null while core 1 is held in reset
    this.awake1 = false;        // core 1 exists and is not asleep (kept by sync())
    this.cycles1 = 0;           // core 1's cycle counter, kept across its resets
    this.state1 = 'reset';      // 'reset' | 'rom' | 'running' (plus 'sleeping', see core1State)
    this.launches = 0;
    this.lag = 0;               // cycles core 1 still owes to catch up with core 0
    this.cur = 0;               // the core whose instruction is executing
    this.sleep0 = 0;            // cycles core 0 spent asleep (for `time`)
    this.levels = 0;            // IRQ line levels, as both NVICs see them
    this.toCore1 = new Mailbox();
    this.toCore0 = new Mailbox();
    this.wof = [false, false];
    this.roe = [false, false];
    this.fifoIrq = [false, false];
    this.supported = romHasData(mcu, 'E', '1');

    // Core 0's own SIO, now with CPUID 0 and the mailboxes (GPIO state stays here).
    const CoreSIO = makeSioClass(mcu.sio.constructor);
    mcu.sio = new CoreSIO(mcu, this, 0, null);
    const baseLogger = mcu.logger;
    mcu.logger = this.eventLogger(baseLogger, 0);

    // IRQ lines to both NVICs.
    mcu.setInterrupt = (irq, value) => {
      const bit = 1 << irq;
      this.levels = value ? this.levels | bit : this.levels & ~bit;
      this.core0.setInterrupt(irq, value);
      if (this.core1 !== null) {
        this.core1.setInterrupt(irq, value);
        this.sync();
      }
    };

    // Core 1's view of the chip: another RP2040 object (so that V8 sees one
    // shape at the call sites both cores go through) whose properties are
    // core 0's, except for the per-core parts. Its own peripherals, memories
    // and clock are dropped.
    const view = new mcu.constructor();
    for (const key of Object.keys(mcu)) view[key] = mcu[key];
    this.view = view;
    view.onBreak = (code) => hooks.onBreak(code, view.core, 1);
    view.logger = this.eventLogger(baseLogger, 1);
    view.core = new this.core0.constructor(view);
    view.sio = new CoreSIO(view, this, 1, mcu.sio);
    view.ppb = new mcu.ppb.constructor(view, 'PPB1');
    mcu.addClockListener((hz) => {
      view.ppb.systickTimer.frequency = hz;
    });
    // SysTick's interrupt wakes core 1 from WFI/WFE (rp2040js's core 0 keeps its behaviour).
    const alarm = view.ppb.systickAlarm;
    const tick = alarm.callback;
    alarm.callback = () => {
      tick();
      const c = this.core1;
      if (c !== null && c.waiting && c.checkForInterrupts()) c.waiting = false;
      this.sync();
    };

    // PSM FRCE_OFF.PROC1 holds core 1 in reset.
    const psm = mcu.findPeripheral(PSM_BASE);
    const psmWrite = psm.writeUint32.bind(psm);
    psm.writeUint32 = (offset, value) => {
      const before = psm.frceOff & PSM_PROC1;
      psmWrite(offset, value);
      if (offset !== PSM_FRCE_OFF) return;
      const after = psm.frceOff & PSM_PROC1;
      if (after && !before) this.holdCore1();
      else if (!after && before) this.releaseCore1();
    };

    if (this.supported) this.releaseCore1();
    else hooks.log('the stand-in ROM has no core-1 code (rebuild it: make rp2-emu): core 1 stays in reset');
  }

  // A logger that turns rp2040js's SEV notice into the event signal.
  eventLogger(base, num) {
    const dual = this;
    return {
      debug: (...a) => base.debug(...a),
      warn: (...a) => base.warn(...a),
      error: (...a) => base.error(...a),
      info(component, msg) {
        if (msg === 'SEV') dual.sev(num);
        else base.info(component, msg);
      },
    };
  }

  // awake1 follows core1.waiting, which rp2040js changes in executeInstruction
  // (WFE/WFI, interrupts) and setInterrupt: checked at each of those.
  sync() {
    this.awake1 = this.core1 !== null && !this.core1.waiting;
  }

  // ---- events ----------------------------------------------------------------

  // SEV on core `num`: both event registers are set; a core asleep in WFE wakes
  // (and consumes the event).
  sev(num) {
    const self = num === 0 ? this.core0 : this.core1;
    if (self !== null) self.eventRegistered = true;
    const other = num === 0 ? this.core1 : this.core0;
    if (other === null) return;
    if (other.waiting && other.readUint16((other.PC - 2) >>> 0) === OP_WFE) {
      other.waiting = false;
      other.eventRegistered = false;
    } else {
      other.eventRegistered = true;
    }
    this.sync();
  }

  // ---- mailboxes ---------------------------------------------------------------

  fifoRead(num, offset) {
    const rx = num === 0 ? this.toCore0 : this.toCore1;
    const tx = num === 0 ? this.toCore1 : this.toCore0;
    switch (offset) {
      case SIO_FIFO_ST:
        return (rx.count > 0 ? 1 : 0) | (tx.count < FIFO_DEPTH ? 2 : 0) |
          (this.wof[num] ? 4 : 0) | (this.roe[num] ? 8 : 0);
      case SIO_FIFO_RD: {
        let v = 0;
        if (rx.count > 0) v = rx.pop();
        else this.roe[num] = true;
        this.updateFifoIrqs();
        return v;
      }
      default:
        return 0;
    }
  }

  fifoWrite(num, offset, value) {
    switch (offset) {
      case SIO_FIFO_ST: // any write clears the sticky flags
        this.wof[num] = false;
        this.roe[num] = false;
        break;
      case SIO_FIFO_WR: {
        const tx = num === 0 ? this.toCore1 : this.toCore0;
        if (tx.count < FIFO_DEPTH) tx.push(value);
        else this.wof[num] = true;
        break;
      }
      default:
        return;
    }
    this.updateFifoIrqs();
  }

  updateFifoIrqs() {
    for (let n = 0; n < 2; n++) {
      const rx = n === 0 ? this.toCore0 : this.toCore1;
      const on = rx.count > 0 || this.wof[n] || this.roe[n];
      if (on !== this.fifoIrq[n]) {
        this.fifoIrq[n] = on;
        this.mcu.setInterrupt(n === 0 ? IRQ_SIO_PROC0 : IRQ_SIO_PROC1, on);
      }
    }
  }

  // ---- core 1 reset and launch ------------------------------------------------------

  holdCore1() {
    if (this.core1 !== null) this.cycles1 = this.core1.cycles;
    this.core1 = null; // (view.core keeps the stopped core: nothing runs it)
    this.state1 = 'reset';
    this.lag = 0;
    this.sync();
  }

  // Out of reset: a fresh core (registers, NVIC, SCB, SysTick at their reset
  // values) starting at the ROM's reset vector; the IRQ lines that are high
  // are pending at once, as the NVIC sees them.
  releaseCore1() {
    if (!this.supported) return;
    const view = this.view;
    const core = new this.core0.constructor(view);
    view.core = core;
    view.ppb.reset();
    core.reset(); // SP and PC from the vector table at 0 (the ROM)
    core.cycles = this.cycles1;
    core.pendingInterrupts = this.levels;
    core.interruptsUpdated = this.levels !== 0;
    this.core1 = core;
    this.state1 = 'rom';
    this.lag = 0;
    this.sync();
  }

  // Host calls from the ROM's core-1 code.
  hostCall(code, core) {
    if (code === HOSTCALL_CORE1_LAUNCH) {
      const r = core.registers;
      this.state1 = 'running';
      this.launches++;
      this.hooks.event({ event: 'core1', state: 'launched', launches: this.launches,
        vtor: r[6] >>> 0, sp: r[7] >>> 0, entry: r[8] >>> 0, cycles: this.core0.cycles });
      return true;
    }
    if (code === HOSTCALL_CORE1_RETURN) {
      this.state1 = 'rom';
      this.hooks.event({ event: 'core1', state: 'returned', cycles: this.core0.cycles });
      return true;
    }
    return false;
  }

  // ---- execution ------------------------------------------------------------------

  // Core 1 catches up with core 0, which just spent dc cycles (call only when
  // awake1). Returns early if `stop()` turns true.
  catchUp(dc, stop) {
    const c1 = this.core1;
    this.lag += dc;
    this.cur = 1;
    while (this.lag > 0) {
      const before = c1.cycles;
      c1.executeInstruction();
      this.lag -= c1.cycles - before;
      if (c1.waiting || this.core1 !== c1 || stop()) {
        this.lag = 0;
        break;
      }
    }
    this.cur = 0;
    this.sync();
  }

  // One core-1 instruction while core 0 sleeps: core 1 drives the clock.
  // Returns the cycles it took.
  stepAlone() {
    const c1 = this.core1;
    this.lag = 0;
    this.cur = 1;
    const before = c1.cycles;
    c1.executeInstruction();
    this.cur = 0;
    const dc = c1.cycles - before;
    this.sleep0 += dc;
    this.sync();
    return dc;
  }

  get currentCore() {
    return this.cur === 1 && this.core1 !== null ? this.core1 : this.core0;
  }

  get core1Cycles() {
    return this.core1 !== null ? this.core1.cycles : this.cycles1;
  }

  // 'reset' (held by PSM FRCE_OFF), 'rom' (in the ROM: waiting for a launch),
  // 'running', 'sleeping' (launched code in WFE/WFI).
  get core1State() {
    if (this.state1 === 'running' && this.core1 !== null && this.core1.waiting) return 'sleeping';
    return this.state1;
  }

  // Chip time in cycles: core 0's cycles plus the time it slept.
  get time() {
    return Math.round(this.core0.cycles + this.sleep0);
  }
}
