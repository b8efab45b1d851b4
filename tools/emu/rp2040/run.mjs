// Runs RP2040 firmware in the rp2040js emulator with our stand-in boot ROM.
//
//   node run.mjs --rom bootrom.bin --flash image.bin [--flash-save out.bin]
//                [--control-fd 3] [--time-scale 1] [--node-modules DIR] [--verbose]
//
// The board's serial REPL is its USB CDC interface: this script plays the USB
// host. Bytes on stdin go to the device (CDC OUT), bytes from the device
// (CDC IN) go to stdout; log lines go to stderr. tools/emu/rp2040_emulate.py
// bridges stdin/stdout to a pseudo-terminal.
//
// Both Cortex-M0+ cores run (core 1: dualcore.mjs). Core 0 sets the pace;
// after each core-0 instruction core 1 runs until its own cycle count has
// caught up, and while core 0 sleeps core 1 alone drives the clock.
//
// Control channel (--control-fd N, a socket): one JSON object per line.
//   requests:  {"op": "cycles"}           -> {"cycles", "cycles1", "time", "core1", "nanos",
//                                              "clk_sys", "boots", "halted"}
//                  cycles: core 0's cycle counter (instructions executed, not sleep)
//                  cycles1: core 1's cycle counter (same, kept across core-1 resets)
//                  time: chip time in cycles (core 0's cycles plus the time it slept)
//                  core1: "reset" | "rom" (waiting for a launch) | "running" | "sleeping"
//              {"op": "marks"}            -> {"marks": [{"cycles", "nanos", ...}, ...]} (and clears them)
//              {"op": "save", "path": P}  -> writes the flash image, {"ok": true}
//              {"op": "reset"}            -> power-cycles the chip (flash kept)
//              {"op": "msc", "cmd": ...}  -> USB mass-storage commands on the board's drive:
//                   "inquiry", "capacity", "read" (lba, count) -> {"data": base64},
//                   "write" (lba, data: base64 whole blocks)
//              {"op": "quit"}
//   events:    {"event": "connected", ...} when the host finished enumerating the device,
//              {"event": "fault", ...}, {"event": "usb_boot"}, {"event": "reboot"},
//              {"event": "core1", "state": "launched", "vtor", "sp", "entry", "launches"} and
//              {"event": "core1", "state": "returned"} (the ROM's core-1 code).
// Every reply carries the request's "id" when it had one.
//
// Cycle marks, two ways for the firmware to make the emulator note its cycle
// counter (the host then asks for "marks"):
//  - exact: a store to the emulator's probe register (below), e.g.
//    machine.mem32[0x40070008] = 1; m.invoke(); machine.mem32[0x40070008] = 2
//  - approximate, needs no memory access: printing MARK (ESC _ c y c ESC \) on
//    the USB serial port; the counter is taken when the firmware hands that USB
//    packet to the controller (later if the endpoint is still busy), and MARK
//    is removed from the serial stream.
//
// Probe registers at 0x40070000 (an APB slot the RP2040 does not use, so
// only in this emulator; on a board the access faults):
//   +0x00 read: the reading core's cycle counter, low 32 bits (latches the high bits)
//   +0x04 read: high bits latched by the last +0x00 read
//   +0x08 write: record a mark {cycles, nanos, value, core, time}: cycles is the
//        writing core's counter, core 0 or 1, time the chip time in cycles
//   +0x0c read: 0x32554d45 ("EMU2"): lets firmware detect the emulator
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DualCore } from './dualcore.mjs';

const FLASH_BASE = 0x10000000;
const ROM_END = 0x4000;
const MARK = Buffer.from('\x1b_cyc\x1b\\', 'latin1');

// ---- arguments -------------------------------------------------------------

function parseArgs(argv) {
  const opts = { timeScale: 1, flashSize: 2 * 1024 * 1024, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rom') opts.rom = next();
    else if (a === '--flash') opts.flash = next();
    else if (a === '--flash-save') opts.flashSave = next();
    else if (a === '--flash-size') opts.flashSize = Number(next());
    else if (a === '--control-fd') opts.controlFd = Number(next());
    else if (a === '--time-scale') opts.timeScale = Number(next());
    else if (a === '--node-modules') opts.nodeModules = next();
    else if (a === '--verbose') opts.verbose = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.rom || !opts.flash) throw new Error('usage: run.mjs --rom ROM --flash IMAGE [...]');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// rp2040js is installed by `npm ci` into build/rp2-emu/node_modules (or --node-modules DIR).
const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = opts.nodeModules || path.join(here, '..', '..', '..', 'build', 'rp2-emu', 'node_modules');
const lib = await import(pathToFileURL(path.join(modulesDir, 'rp2040js', 'dist', 'esm', 'index.js')).href);
const {
  RP2040,
  createSetupPacket,
  getDescriptorPacket,
  setDeviceAddressPacket,
  setDeviceConfigurationPacket,
} = lib;

function log(msg) {
  process.stderr.write(`[rp2040] ${msg}\n`);
}

// rp2040js also prints some warnings with console.*: keep them off stdout
// (the serial stream) and show them with --verbose only.
console.log = console.info = console.warn = (...args) => {
  if (opts.verbose) log(args.join(' '));
};

// rp2040js logs through this object; its default logger writes to stdout,
// which is the serial stream here.
const logger = {
  debug() {},
  info() {},
  warn(component, msg) {
    if (opts.verbose) log(`${component}: ${msg}`);
  },
  error(component, msg) {
    log(`${component}: ${msg}`);
  },
};

// ---- control channel ---------------------------------------------------------

let control = null;
function sendControl(obj) {
  if (control && !control.destroyed) control.write(JSON.stringify(obj) + '\n');
}

// ---- USB host for the device's CDC interface ----------------------------------

const CDC_COMM_CLASS = 0x02;
const CDC_DATA_CLASS = 0x0a;
const MSC_CLASS = 0x08;
const CDC_SET_CONTROL_LINE_STATE = 0x22;

// Finds the CDC interfaces and the CDC and mass-storage bulk endpoints in a
// configuration descriptor.
function parseConfiguration(desc) {
  const r = { commInterface: 0, inEp: -1, outEp: -1, mscInEp: -1, mscOutEp: -1 };
  let cls = -1;
  for (let i = 0; i + 1 < desc.length && desc[i] >= 2; i += desc[i]) {
    const len = desc[i];
    const type = desc[i + 1];
    if (type === 4 && len >= 9) {
      cls = desc[i + 5];
      if (cls === CDC_COMM_CLASS) r.commInterface = desc[i + 2];
    } else if (type === 5 && len >= 7 && cls === CDC_DATA_CLASS && (desc[i + 3] & 3) === 2) {
      const addr = desc[i + 2];
      if (addr & 0x80) r.inEp = addr & 0x0f;
      else r.outEp = addr & 0x0f;
    } else if (type === 5 && len >= 7 && cls === MSC_CLASS && (desc[i + 3] & 3) === 2) {
      const addr = desc[i + 2];
      if (addr & 0x80) r.mscInEp = addr & 0x0f;
      else r.mscOutEp = addr & 0x0f;
    }
  }
  return r;
}

class CdcHost {
  constructor(mcu, onData, onConnected) {
    this.mcu = mcu;
    this.usb = mcu.usbCtrl;
    this.onData = onData;
    this.onConnected = onConnected;
    this.state = 'reset';
    this.config = [];
    this.configLength = 0;
    this.cdc = null;
    this.txQueue = [];       // Buffers waiting to go to the device
    this.txQueued = 0;
    this.pendingRead = 0;    // size of the OUT buffer the device armed, 0 if none
    this.inSnapshots = [];   // cycle counter when each IN packet was armed
    this.msc = new MscHost(this);
    const usb = this.usb;
    usb.onUSBEnabled = () => usb.resetDevice();
    usb.onResetReceived = () => {
      this.state = 'address';
      usb.sendSetupPacket(setDeviceAddressPacket(1));
    };
    usb.onEndpointWrite = (ep, buf) => this.deviceSent(ep, buf);
    usb.onEndpointRead = (ep, size) => this.deviceWantsData(ep, size);
    this.hookInSnapshots();
  }

  // Wraps the controller's IN-packet scheduling: records the cycle counter
  // when the firmware arms a CDC IN buffer (the controller delivers it a few
  // microseconds later), and puts double-buffered IN packets in order:
  // rp2040js 1.4.1 queues buffer 1 before buffer 0 when the firmware arms
  // both at once (TinyUSB does for IN transfers longer than one packet),
  // which would swap every pair of 64-byte packets of a USB drive read.
  hookInSnapshots() {
    const usb = this.usb;
    const alarms = usb.endpointWriteAlarms;
    if (!Array.isArray(alarms) || typeof usb.DPRAMUpdated !== 'function') return;
    let batch = null;
    alarms.forEach((alarm, ep) => {
      const schedule = alarm.schedule.bind(alarm);
      alarm.schedule = (buffer, delay) => {
        if (this.cdc && ep === this.cdc.inEp) {
          this.inSnapshots.push({ cycles: this.mcu.core.cycles, nanos: this.mcu.clock.nanos });
        }
        if (batch) batch.push([schedule, buffer, delay]);
        else schedule(buffer, delay);
      };
    });
    const updated = usb.DPRAMUpdated.bind(usb);
    usb.DPRAMUpdated = (offset, value) => {
      batch = [];
      try {
        updated(offset, value);
      } finally {
        const b = batch;
        batch = null;
        if (b.length === 2) b.reverse(); // buffer 0 first
        for (const [schedule, buffer, delay] of b) schedule(buffer, delay);
      }
    };
  }

  deviceSent(ep, buf) {
    if (this.cdc && ep === this.cdc.inEp) {
      const snap = this.inSnapshots.shift();
      this.onData(Buffer.from(buf), snap);
      return;
    }
    if (this.cdc && ep === this.cdc.mscInEp) {
      this.msc.deviceSent(Buffer.from(buf));
      return;
    }
    if (ep !== 0) return;
    const usb = this.usb;
    switch (this.state) {
      case 'address': // status stage of SET_ADDRESS
        if (buf.length === 0) {
          this.state = 'config-head';
          usb.sendSetupPacket(getDescriptorPacket(2, 9));
        }
        break;
      case 'config-head':
        if (buf.length >= 4 && buf[1] === 2) {
          this.configLength = buf[2] | (buf[3] << 8);
          this.config = [];
          this.state = 'config';
          usb.sendSetupPacket(getDescriptorPacket(2, this.configLength));
        }
        break;
      case 'config':
        if (buf.length > 0) this.config.push(...buf);
        if (this.config.length >= this.configLength) {
          this.cdc = parseConfiguration(this.config);
          if (this.cdc.inEp < 0 || this.cdc.outEp < 0) {
            log('the device has no CDC data interface');
            this.state = 'dead';
            break;
          }
          this.state = 'configure';
          usb.sendSetupPacket(setDeviceConfigurationPacket(1));
        }
        break;
      case 'configure':
        if (buf.length === 0) {
          this.state = 'line-state';
          usb.sendSetupPacket(createSetupPacket({
            dataDirection: 0, // host to device
            type: 1, // class
            recipient: 1, // interface
            bRequest: CDC_SET_CONTROL_LINE_STATE,
            wValue: 3, // DTR | RTS
            wIndex: this.cdc.commInterface,
            wLength: 0,
          }));
        }
        break;
      case 'line-state':
        if (buf.length === 0) {
          this.state = 'connected';
          this.onConnected(this.cdc);
          this.flush();
        }
        break;
      default:
        break;
    }
  }

  // The device armed an OUT buffer: answer now if data is waiting, else when
  // it arrives (a real host NAKs meanwhile; the firmware just waits).
  deviceWantsData(ep, size) {
    if (this.cdc && ep === this.cdc.mscOutEp) {
      this.msc.deviceWantsData(size);
      return;
    }
    if (!this.cdc || ep !== this.cdc.outEp) return;
    this.pendingRead = size;
    this.flush();
  }

  write(data) {
    this.txQueue.push(Buffer.from(data));
    this.txQueued += data.length;
    this.flush();
  }

  flush() {
    if (this.state !== 'connected' || !this.pendingRead || !this.txQueued) return;
    const n = Math.min(this.pendingRead, this.txQueued);
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = this.txQueue[0];
      const take = Math.min(head.length, n - off);
      out.set(head.subarray(0, take), off);
      off += take;
      if (take === head.length) this.txQueue.shift();
      else this.txQueue[0] = head.subarray(take);
    }
    this.txQueued -= n;
    this.pendingRead = 0;
    this.usb.endpointReadDone(this.cdc.outEp, out);
  }
}

// USB mass storage host (bulk-only transport, SCSI commands): what a PC does
// with the board's drive. One command at a time; run() resolves with
// {status, data} once the device sent its status wrapper.
const CBW_SIGNATURE = 0x43425355;
const CSW_SIGNATURE = 0x53425355;

class MscHost {
  constructor(host) {
    this.host = host;
    this.queue = [];
    this.cur = null;
    this.pendingOut = 0;
    this.tag = 1;
  }

  get ready() {
    return this.host.state === 'connected' && this.host.cdc && this.host.cdc.mscOutEp >= 0;
  }

  // cb: SCSI command block; dataIn: bytes expected from the device; dataOut: bytes to send.
  run(cb, dataIn = 0, dataOut = null) {
    return new Promise((resolve, reject) => {
      if (!this.ready) {
        reject(new Error('the device has no USB mass-storage interface (or is not enumerated)'));
        return;
      }
      const cbw = Buffer.alloc(31);
      const tag = this.tag++;
      cbw.writeUInt32LE(CBW_SIGNATURE, 0);
      cbw.writeUInt32LE(tag, 4);
      cbw.writeUInt32LE(dataOut ? dataOut.length : dataIn, 8);
      cbw[12] = dataOut ? 0x00 : 0x80;
      cbw[13] = 0; // LUN
      cbw[14] = cb.length;
      Buffer.from(cb).copy(cbw, 15);
      this.queue.push({ tag, out: [cbw, dataOut].filter(Boolean), outOff: 0, dataIn, inBufs: [], inLen: 0, resolve });
      this.next();
    });
  }

  next() {
    if (!this.cur && this.queue.length) this.cur = this.queue.shift();
    this.flush();
  }

  deviceWantsData(size) {
    this.pendingOut = size;
    this.flush();
  }

  flush() {
    const c = this.cur;
    if (!c || !this.pendingOut || !c.out.length) return;
    const head = c.out[0];
    const n = Math.min(this.pendingOut, head.length - c.outOff);
    const chunk = new Uint8Array(head.subarray(c.outOff, c.outOff + n));
    c.outOff += n;
    if (c.outOff >= head.length) {
      c.out.shift();
      c.outOff = 0;
    }
    this.pendingOut = 0;
    this.host.usb.endpointReadDone(this.host.cdc.mscOutEp, chunk);
  }

  deviceSent(buf) {
    const c = this.cur;
    if (!c) return;
    const isCsw = buf.length === 13 && buf.readUInt32LE(0) === CSW_SIGNATURE && buf.readUInt32LE(4) === c.tag;
    if (!isCsw) {
      c.inBufs.push(buf);
      c.inLen += buf.length;
      return;
    }
    this.cur = null;
    c.resolve({ status: buf[12], residue: buf.readUInt32LE(8), data: Buffer.concat(c.inBufs) });
    this.next();
    wake();
  }
}

// Removes MARK sequences from the device's output, reporting each one.
class MarkFilter {
  constructor(onMark) {
    this.onMark = onMark;
    this.held = Buffer.alloc(0); // a prefix of MARK seen at the end of the last packet
  }

  push(buf, snap) {
    let data = this.held.length ? Buffer.concat([this.held, buf]) : buf;
    this.held = Buffer.alloc(0);
    const parts = [];
    for (;;) {
      const i = data.indexOf(MARK);
      if (i < 0) break;
      parts.push(data.subarray(0, i));
      this.onMark(snap);
      data = data.subarray(i + MARK.length);
    }
    // Hold back a trailing partial MARK.
    for (let k = Math.min(MARK.length - 1, data.length); k > 0; k--) {
      if (data.subarray(data.length - k).equals(MARK.subarray(0, k))) {
        this.held = Buffer.from(data.subarray(data.length - k));
        data = data.subarray(0, data.length - k);
        break;
      }
    }
    parts.push(data);
    return Buffer.concat(parts);
  }
}

// ---- probe registers -----------------------------------------------------------

const PROBE_BASE = 0x40070000;
const PROBE_MAGIC = 0x32554d45;

function makeProbe(lib, chip) {
  class Probe extends lib.BasePeripheral {
    constructor() {
      super(chip, 'EMU_PROBE');
      this.hiLatch = 0;
    }
    readUint32(offset) {
      const c = dual.currentCore.cycles;
      switch (offset) {
        case 0x00:
          this.hiLatch = Math.floor(c / 4294967296) >>> 0;
          return c % 4294967296 >>> 0;
        case 0x04:
          return this.hiLatch;
        case 0x0c:
          return PROBE_MAGIC;
        default:
          return 0;
      }
    }
    writeUint32(offset, value) {
      if (offset === 0x08) {
        marks.push({ cycles: dual.currentCore.cycles, nanos: chip.clock.nanos, value: value >>> 0,
          core: dual.cur, time: dual.time });
      }
    }
  }
  return new Probe();
}

// ---- host calls from the stand-in ROM ----------------------------------------------

// Approximate cycle costs charged for the host-computed ROM functions (the
// real ROM's float routines take tens to hundreds of cycles).
const HOST_COST = {
  16: 70, 17: 150, 18: 150, 19: 250, 20: 120, 21: 120, 22: 200, 23: 150,
  32: 300, 33: 600, 34: 600, 35: 800, 36: 600, 37: 600, 38: 800, 39: 600,
};

const f32 = new Float32Array(1);
const u32f = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32d = new Uint32Array(f64.buffer);

function toFloat(u) {
  u32f[0] = u >>> 0;
  const e = (u >>> 23) & 0xff;
  if (e === 0) return (u >>> 31) ? -0 : 0; // denormals are zero
  return f32[0];
}
function fromFloat(x) {
  f32[0] = x;
  let u = u32f[0];
  if (((u >>> 23) & 0xff) === 0) u &= 0x80000000; // flush to zero
  return u >>> 0;
}
function toDouble(lo, hi) {
  u32d[0] = lo >>> 0;
  u32d[1] = hi >>> 0;
  if (((hi >>> 20) & 0x7ff) === 0) return (hi >>> 31) ? -0 : 0;
  return f64[0];
}
function fromDouble(x) {
  f64[0] = x;
  let lo = u32d[0];
  let hi = u32d[1];
  if (((hi >>> 20) & 0x7ff) === 0) {
    lo = 0;
    hi &= 0x80000000;
  }
  return [lo >>> 0, hi >>> 0];
}

// ---- the chip ------------------------------------------------------------------

const rom = fs.readFileSync(opts.rom);
const romWords = new Uint32Array(rom.buffer.slice(rom.byteOffset, rom.byteOffset + (rom.length & ~3)));
let flashImage = new Uint8Array(fs.readFileSync(opts.flash));

let mcu = null;
let clock = null;
let dual = null;
let cdc = null;
let marks = [];
let boots = 0;
let halted = false;
let connectedOnce = false;
const filter = new MarkFilter((snap) => {
  const m = snap || { cycles: mcu.core.cycles, nanos: clock.nanos };
  marks.push(m);
});

function hostCall(num, core, coreNum) {
  const r = core.registers;
  const cost = HOST_COST[num] || 0;
  const setF = (x) => { r[0] = fromFloat(x); };
  const setD = (x, base = 0) => {
    const [lo, hi] = fromDouble(x);
    r[base] = lo;
    r[base + 1] = hi;
  };
  switch (num) {
    case 1: { // flash_range_erase(addr, count, block_size, block_cmd)
      const addr = r[0] >>> 0;
      const count = r[1] >>> 0;
      if (addr + count <= mcu.flash.length) mcu.flash.fill(0xff, addr, addr + count);
      break;
    }
    case 2: { // flash_range_program(addr, data, count): NOR programming clears bits
      const addr = r[0] >>> 0;
      const data = r[1] >>> 0;
      const count = r[2] >>> 0;
      for (let i = 0; i < count && addr + i < mcu.flash.length; i++) {
        mcu.flash[addr + i] &= mcu.readUint8(data + i);
      }
      break;
    }
    case 3:
      log('firmware asked to reboot into the USB bootloader: stopping');
      sendControl({ event: 'usb_boot' });
      halt();
      return;
    case 4:
      log('no valid second-stage bootloader at the start of flash (blank or bad image)');
      sendControl({ event: 'fault', reason: 'no boot2' });
      halt();
      return;
    case 5:
    case 6:
      log(`unsupported ROM function called (host call ${num}) on core ${coreNum} ` +
          `from LR=0x${(core.LR >>> 0).toString(16)}`);
      sendControl({ event: 'fault', reason: `rom call ${num}`, lr: core.LR >>> 0, core: coreNum });
      halt();
      return;
    case 16: setF(Math.sqrt(toFloat(r[0]))); break;
    case 17:
    case 23: {
      const x = toFloat(r[0]);
      r[1] = fromFloat(Math.cos(x));
      setF(Math.sin(x));
      break;
    }
    case 18: setF(Math.cos(toFloat(r[0]))); break;
    case 19: setF(Math.tan(toFloat(r[0]))); break;
    case 20: setF(Math.exp(toFloat(r[0]))); break;
    case 21: setF(Math.log(toFloat(r[0]))); break;
    case 22: setF(Math.atan2(toFloat(r[0]), toFloat(r[1]))); break;
    case 32: setD(Math.sqrt(toDouble(r[0], r[1]))); break;
    case 33:
    case 39: {
      const x = toDouble(r[0], r[1]);
      setD(Math.cos(x), 2);
      setD(Math.sin(x), 0);
      break;
    }
    case 34: setD(Math.cos(toDouble(r[0], r[1]))); break;
    case 35: setD(Math.tan(toDouble(r[0], r[1]))); break;
    case 36: setD(Math.exp(toDouble(r[0], r[1]))); break;
    case 37: setD(Math.log(toDouble(r[0], r[1]))); break;
    case 38: setD(Math.atan2(toDouble(r[0], r[1]), toDouble(r[2], r[3]))); break;
    default:
      if (dual.hostCall(num, core)) break;
      log(`unknown ROM host call ${num}`);
      halt();
      return;
  }
  core.cycles += cost;
}

function onBreak(code, core, coreNum) {
  const pc = (core.PC - 2) >>> 0;
  if (pc < ROM_END && code >= 1 && code < 64) {
    hostCall(code, core, coreNum);
    return;
  }
  // A breakpoint in the firmware: pico-sdk's unhandled-exception and panic paths end here.
  const info = {
    event: 'fault',
    reason: `bkpt ${code}`,
    pc,
    lr: core.LR >>> 0,
    sp: core.SP >>> 0,
    ipsr: core.IPSR,
    core: coreNum,
  };
  log(`breakpoint ${code} on core ${coreNum} at PC=0x${pc.toString(16)} LR=0x${info.lr.toString(16)} ` +
      `SP=0x${info.sp.toString(16)} IPSR=${core.IPSR}: stopping`);
  sendControl(info);
  halt();
}

function boot() {
  mcu = new RP2040();
  clock = mcu.clock;
  mcu.logger = logger;
  mcu.loadBootrom(romWords); // also resets the core (SP, PC from the ROM's vectors)
  mcu.flash.set(flashImage.subarray(0, Math.min(flashImage.length, mcu.flash.length)));
  mcu.onBreak = (code) => onBreak(code, mcu.core, 0);
  dual = new DualCore(mcu, {
    onBreak,
    log,
    event: (ev) => {
      if (opts.verbose) log(`core 1 ${ev.state}` + (ev.entry !== undefined ? ` (entry 0x${ev.entry.toString(16)})` : ''));
      sendControl(ev);
    },
  });
  mcu.peripherals[(PROBE_BASE >>> 14) << 2] = makeProbe(lib, mcu);
  const wd = mcu.findPeripheral(0x40058000);
  if (wd) {
    wd.onWatchdogTrigger = () => {
      rebootPending = true;
      halted = true; // stop this chip now; run() reboots it
      wake(true);
    };
  }
  cdc = new CdcHost(
    mcu,
    (buf, snap) => {
      const out = filter.push(buf, snap);
      if (out.length) process.stdout.write(out);
    },
    (info) => {
      log(`USB CDC connected after ${(clock.nanos / 1e9).toFixed(3)} s emulated, ` +
          `${((Date.now() - startWall) / 1000).toFixed(2)} s wall`);
      sendControl({ event: 'connected', nanos: clock.nanos, cycles: mcu.core.cycles, ...info });
      connectedOnce = true;
    },
  );
  boots++;
  anchorWall = performance.now();
  anchorSim = 0;
}

// ---- execution loop ------------------------------------------------------------------

let timer = null;
let immediate = null;
let anchorWall = 0;
let anchorSim = 0;
let rebootPending = false;
const startWall = Date.now();

function halt() {
  halted = true;
}

function reboot() {
  rebootPending = false;
  flashImage = mcu.flash.slice(0, opts.flashSize);
  const pending = cdc ? cdc.txQueue : [];
  boot();
  for (const b of pending) cdc.write(b);
  sendControl({ event: 'reboot', boots });
}

// Runs instructions for a while. Core 0 sets the pace: after each of its
// instructions core 1 (when awake) catches up; while core 0 sleeps, core 1
// runs alone. When both sleep (WFI/WFE, or core 1 in reset) emulated time
// jumps to the next alarm, but never runs ahead of wall-clock time (times
// time-scale), so an idle board costs no host CPU; busy code runs flat out.
function run() {
  timer = null;
  immediate = null;
  if (rebootPending) {
    halted = false;
    reboot();
  }
  if (halted) return;
  const sliceEnd = performance.now() + 30;
  const core = mcu.core;
  const d = dual;
  const stop = () => halted;
  for (;;) {
    const nsPerCycle = 1e9 / (mcu.clkSys || 125e6);
    for (let i = 0; i < 20000; i++) {
      if (core.waiting) {
        if (d.awake1) {
          clock.tick(d.stepAlone() * nsPerCycle);
          if (halted) return;
          continue;
        }
        if (!clock.nextAlarm) return; // asleep until the host sends something
        const dt = clock.nanosToNextAlarm;
        const now = performance.now();
        const lagMs = (now - anchorWall) * opts.timeScale - (clock.nanos - anchorSim) / 1e6;
        if (lagMs > 50) {
          // Busy code left emulated time behind wall time: do not fast-forward it.
          anchorWall = now;
          anchorSim = clock.nanos;
        } else if (dt / 1e6 - lagMs > 1) {
          timer = setTimeout(run, Math.min(dt / 1e6 - lagMs, 200) / opts.timeScale);
          return;
        }
        clock.tick(dt);
        d.sleep0 += dt / nsPerCycle;
      } else {
        const c0 = core.cycles;
        core.executeInstruction();
        const dc = core.cycles - c0;
        clock.tick(dc * nsPerCycle);
        if (d.awake1) d.catchUp(dc, stop);
        if (halted) return;
      }
    }
    if (performance.now() > sliceEnd) {
      immediate = setImmediate(run);
      return;
    }
  }
}

function wake(force = false) {
  if ((halted && !force) || immediate) return;
  if (timer) clearTimeout(timer);
  immediate = setImmediate(run);
}

function saveFlash(path) {
  fs.writeFileSync(path, mcu.flash.subarray(0, opts.flashSize));
}

let exiting = false;
function exit(code) {
  if (exiting) return;
  exiting = true;
  halted = true;
  if (opts.flashSave) {
    try {
      saveFlash(opts.flashSave);
    } catch (e) {
      log(`cannot save flash: ${e.message}`);
    }
  }
  process.exit(code);
}

boot();

process.stdin.on('data', (buf) => {
  cdc.write(buf);
  wake();
});
process.stdin.on('end', () => exit(0));
process.on('SIGTERM', () => exit(0));
process.on('SIGINT', () => exit(0));

if (opts.controlFd !== undefined) {
  control = new net.Socket({ fd: opts.controlFd, readable: true, writable: true });
  let pending = '';
  control.on('data', (chunk) => {
    pending += chunk.toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) handleControl(line);
    }
  });
  control.on('end', () => exit(0));
  control.on('error', () => exit(0));
}

// {"op": "msc", "cmd": "capacity" | "inquiry" | "read" | "write", "lba", "count", "data" (base64)}
async function mscCommand(req) {
  const msc = cdc.msc;
  const be32 = (v) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const check = (r, what) => {
    if (r.status !== 0) throw new Error(`${what}: SCSI status ${r.status}`);
    return r;
  };
  switch (req.cmd) {
    case 'inquiry': {
      const r = check(await msc.run([0x12, 0, 0, 0, 36, 0], 36), 'INQUIRY');
      const text = (a, b) => r.data.subarray(a, b).toString('latin1').trim();
      return { vendor: text(8, 16), product: text(16, 32), revision: text(32, 36) };
    }
    case 'capacity': {
      const r = check(await msc.run([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8), 'READ CAPACITY');
      return { blocks: r.data.readUInt32BE(0) + 1, block_size: r.data.readUInt32BE(4) };
    }
    case 'read': {
      const cap = await mscCommand({ cmd: 'capacity' });
      const count = req.count >>> 0;
      const r = check(await msc.run([0x28, 0, ...be32(req.lba >>> 0), 0, count >> 8, count & 255, 0],
        count * cap.block_size), 'READ(10)');
      return { data: r.data.toString('base64') };
    }
    case 'write': {
      const cap = await mscCommand({ cmd: 'capacity' });
      const data = Buffer.from(req.data, 'base64');
      if (data.length % cap.block_size) throw new Error('write: data is not a whole number of blocks');
      const count = data.length / cap.block_size;
      check(await msc.run([0x2a, 0, ...be32(req.lba >>> 0), 0, count >> 8, count & 255, 0], 0, data), 'WRITE(10)');
      return { ok: true };
    }
    default:
      throw new Error(`unknown msc cmd ${req.cmd}`);
  }
}

function handleControl(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    sendControl({ error: `bad JSON: ${e.message}` });
    return;
  }
  const reply = (obj) => sendControl(req.id !== undefined ? { id: req.id, ...obj } : obj);
  switch (req.op) {
    case 'cycles':
      reply({ cycles: mcu.core.cycles, cycles1: dual.core1Cycles, time: dual.time, core1: dual.core1State,
        nanos: clock.nanos, clk_sys: mcu.clkSys, boots, halted });
      break;
    case 'marks':
      reply({ marks });
      marks = [];
      break;
    case 'save':
      try {
        saveFlash(req.path);
        reply({ ok: true });
      } catch (e) {
        reply({ error: e.message });
      }
      break;
    case 'reset':
      halted = false;
      reboot();
      reply({ ok: true, boots });
      wake();
      break;
    case 'msc':
      mscCommand(req).then(reply, (e) => reply({ error: e.message }));
      wake();
      break;
    case 'quit':
      reply({ ok: true });
      exit(0);
      break;
    default:
      reply({ error: `unknown op ${req.op}` });
  }
}

wake();
