"""Both RP2040 cores on the emulated Pico, through MicroPython's `_thread`
(a second thread runs on core 1: pico-sdk's multicore_reset_core1 and
multicore_launch_core1_with_stack, the ROM's launch handshake, the inter-core
FIFOs, SEV/WFE, spinlocks, and multicore_lockout for flash writes).

Cycle counts come from the emulator's probe register (0x40070008): each mark
records the writing core's cycle counter ("cycles"), which core wrote it
("core") and the chip time in cycles ("time", which also runs while a core
sleeps). test_fifo_registers checks the mailbox registers on the emulator's
objects directly (tools/emu/rp2040/dualcore.mjs).

Main-thread code that runs while a thread does is kept in functions: rp2 has
no GIL, and a new global can resize the globals dict under the other core.
"""
import time

import pytest

PROBE = "0x40070008"


@pytest.fixture
def pico(pico):
    """The session's Pico, soft-reset after each test here: these tests leave
    globals and thread stacks on the heap, and later tests want a clean one
    (an arena of 76 KB in one piece; a globals dict that a new global does not
    resize under a running thread)."""
    yield pico
    pico.soft_reset()
    pico.exec("import gc; gc.collect()")


WORK = """
import _thread, machine
R = machine.mem32
def work(n):
    x = 0
    i = 0
    while i < n:  # no global lookups inside (their cache is shared by the cores)
        x = (x + i * 7) & 0xffff
        i += 1
    return x
"""


def marks_by_value(pico):
    return {m["value"]: m for m in pico.emu.marks() if "value" in m}


def wait_core1(pico, state, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        c = pico.emu.cycles()
        if c["core1"] == state or time.monotonic() > deadline:
            return c
        time.sleep(0.05)


def test_cpuid_per_core(pico):
    out = pico.exec(
        "import _thread, machine, time\n"
        "got = []\n"
        "def f():\n"
        "    got.append(machine.mem32[0xd0000000])\n"
        "_thread.start_new_thread(f, ())\n"
        "while not got:\n"
        "    time.sleep_ms(1)\n"
        "print(machine.mem32[0xd0000000], got[0])\n"
    )
    assert out.split() == ["0", "1"]
    c = wait_core1(pico, "rom")
    assert c["core1"] == "rom"  # the thread returned: core 1 waits in the ROM for another launch
    assert c["cycles1"] > 0
    launched = [e for e in pico.emu.events() if e.get("event") == "core1" and e["state"] == "launched"]
    assert launched and launched[-1]["entry"] & 1  # a Thumb entry point


def test_parallel_loops_take_fewer_cycles(pico):
    # Two rounds of: the loop on both cores at once, then twice on core 0.
    pico.emu.marks()
    pico.exec(WORK + (
        "done = []\n"
        "def th(n, r, work=work, R=R):\n"
        "    R[%(p)s] = r + 11\n"
        "    x = work(n)\n"
        "    R[%(p)s] = r + 12\n"
        "    done.append(x)\n"
        "def main(n, r):\n"
        "    done.clear()\n"
        "    R[%(p)s] = r + 1\n"
        "    _thread.start_new_thread(th, (n, r))\n"
        "    work(n)\n"
        "    while not done:\n"
        "        pass\n"
        "    R[%(p)s] = r + 2\n"
        "    R[%(p)s] = r + 3\n"
        "    work(n)\n"
        "    work(n)\n"
        "    R[%(p)s] = r + 4\n"
        "main(20000, 0)\n"
        "main(20000, 100)\n") % {"p": PROBE}, timeout=300)
    m = marks_by_value(pico)
    on_core1 = []
    for r in (0, 100):
        assert [m[r + v]["core"] for v in (1, 11, 12, 2, 3, 4)] == [0, 1, 1, 0, 0, 0]
        parallel = m[r + 2]["time"] - m[r + 1]["time"]
        sequential = m[r + 4]["time"] - m[r + 3]["time"]
        on_core1.append(m[r + 12]["cycles"] - m[r + 11]["cycles"])  # core 1's own counter
        print("parallel %d cycles, back to back %d cycles, core 1's loop %d cycles"
              % (parallel, sequential, on_core1[-1]))
        assert parallel < 0.6 * sequential
        # Same loop, same cost on either core: about half the back-to-back time.
        assert abs(on_core1[-1] - sequential / 2) < 0.01 * sequential
        # The chip time of a core-1 mark lies between core 0's marks around it.
        assert m[r + 1]["time"] < m[r + 11]["time"] < m[r + 12]["time"] < m[r + 2]["time"]
    # (Not equal to the cycle: the two cores' calls into `work` may meet at
    # MicroPython's GC lock at a different moment each round.)
    assert abs(on_core1[0] - on_core1[1]) < 1000


def test_core1_cycles_repeat_exactly(pico):
    # The same code on core 1, with core 0 busy-waiting (no allocation, so no
    # shared lock to meet at): the same cycles each time.
    pico.emu.marks()
    pico.exec(WORK + (
        "done = []\n"
        "def th(n, r, work=work, R=R):\n"
        "    R[%(p)s] = r + 11\n"
        "    x = work(n)\n"
        "    R[%(p)s] = r + 12\n"
        "    done.append(x)\n"
        "def main(n):\n"
        "    for r in (0, 100, 200):\n"
        "        done.clear()\n"
        "        _thread.start_new_thread(th, (n, r))\n"
        "        while not done:\n"
        "            pass\n"
        "        time.sleep_ms(5)  # the thread returns\n"
        "import time\n"
        "main(5000)\n") % {"p": PROBE}, timeout=300)
    m = marks_by_value(pico)
    spans = [m[r + 12]["cycles"] - m[r + 11]["cycles"] for r in (0, 100, 200)]
    print("core 1's loop: %s cycles" % spans)
    assert spans[0] == spans[1] == spans[2]


def test_divider_and_interpolators_per_core(pico):
    # Integer division goes through each core's SIO hardware divider (pico-sdk
    # wraps __aeabi_idiv): both cores dividing at once get their own results.
    n, a, b = 4000, 7919, 97
    want = [sum(i * (a + k) // 13 + i % (b + k) for i in range(n)) for k in (0, 1)]
    out = pico.exec(
        "import _thread, machine\n"
        "res = {}\n"
        "def calc(k, n=%(n)d, a=%(a)d, b=%(b)d):\n"
        "    s = 0\n"
        "    i = 0\n"
        "    while i < n:\n"
        "        s += i * (a + k) // 13 + i %% (b + k)\n"
        "        i += 1\n"
        "    return s\n"
        "def th():\n"
        "    res[1] = calc(1)\n"
        "    machine.mem32[0xd0000088] = 0x5678\n"  # INTERP0_BASE0, core 1's
        "    res['b1'] = machine.mem32[0xd0000088]\n"
        "def main():\n"
        "    machine.mem32[0xd0000088] = 0x1234\n"  # core 0's
        "    _thread.start_new_thread(th, ())\n"
        "    s = calc(0)\n"
        "    while 'b1' not in res:\n"
        "        pass\n"
        "    print(s, res[1], hex(machine.mem32[0xd0000088]), hex(res['b1']))\n"
        "main()\n" % {"n": n, "a": a, "b": b}, timeout=300)
    assert out.split() == [str(want[0]), str(want[1]), "0x1234", "0x5678"]


def test_lock_protected_counter_is_exact(pico):
    out = pico.exec(
        "import _thread\n"
        "lock = _thread.allocate_lock()\n"
        "count = [0]\n"
        "done = []\n"
        "def inc(n):\n"
        "    for _ in range(n):\n"
        "        lock.acquire()\n"
        "        count[0] += 1\n"
        "        lock.release()\n"
        "def th(n):\n"
        "    inc(n)\n"
        "    done.append(1)\n"
        "N = 3000\n"
        "_thread.start_new_thread(th, (N,))\n"
        "inc(N)\n"
        "while not done:\n"
        "    pass\n"
        "print(count[0])\n", timeout=300)
    assert int(out) == 6000


def test_core1_runs_while_core0_idles(pico):
    # The thread keeps counting while the main thread is back at the REPL
    # (core 0 asleep in WFI): core 1 alone drives the clock.
    pico.exec(
        "import _thread, time\n"
        "state = {'n': 0, 'run': True, 'done': False}\n"
        "def th():\n"
        "    while state['run']:\n"
        "        state['n'] += 1\n"
        "    state['done'] = True\n"
        "_thread.start_new_thread(th, ())\n"
        "time.sleep_ms(5)\n")
    assert pico.emu.cycles()["core1"] == "running"
    n1 = pico.eval("state['n']")
    time.sleep(0.5)
    n2 = pico.eval("state['n']")
    assert n2 > n1 > 0
    pico.exec("state['run'] = False\nwhile not state['done']:\n    pass\n")
    assert wait_core1(pico, "rom")["core1"] == "rom"


def test_sleeping_thread_wakes(pico):
    # time.sleep_ms on core 1 waits in WFE between checks of the time. (While a
    # thread runs, MicroPython's atomic sections on either core end with SEV,
    # which also sets the SEV-ing core's own event flag: both cores keep
    # waking, as on a board.)
    out = pico.exec(
        "import _thread, time\n"
        "res = []\n"
        "def th():\n"
        "    t0 = time.ticks_ms()\n"
        "    time.sleep_ms(300)\n"
        "    res.append(time.ticks_diff(time.ticks_ms(), t0))\n"
        "_thread.start_new_thread(th, ())\n"
        "time.sleep_ms(100)\n"
        "print('mid', len(res))\n", timeout=60)
    assert out.split() == ["mid", "0"]
    assert pico.emu.cycles()["core1"] in ("running", "sleeping")
    out = pico.exec("while not res:\n    time.sleep_ms(10)\nprint(res[0])\n", timeout=60)
    assert 300 <= int(out) < 400


def test_flash_write_while_thread_runs(fresh_pico):
    # Flash erase/program on core 0 locks core 1 out (pico-sdk
    # multicore_lockout over the FIFOs and SIO_IRQ_PROC1) while the thread runs.
    # (The main thread's variables are locals: MicroPython has no GIL on rp2,
    # and a new global could resize the globals dict under the thread's feet.)
    board = fresh_pico
    out = board.exec(
        "import _thread\n"
        "state = {'n': 0, 'run': True, 'done': False}\n"
        "def th():\n"
        "    while state['run']:\n"
        "        state['n'] += 1\n"
        "    state['done'] = True\n"
        "def main():\n"
        "    _thread.start_new_thread(th, ())\n"
        "    while state['n'] < 100:\n"
        "        pass\n"
        "    data = bytes(range(256)) * 40\n"
        "    with open('dual.bin', 'wb') as f:\n"
        "        f.write(data)\n"
        "    n1 = state['n']\n"
        "    while state['n'] < n1 + 100:\n"
        "        pass\n"
        "    state['run'] = False\n"
        "    while not state['done']:\n"
        "        pass\n"
        "    print(open('dual.bin', 'rb').read() == data, state['n'] > n1 + 100)\n"
        "main()\n", timeout=300)
    assert out.split() == ["True", "True"]
    assert board.emu.faults == []
    # The file survives a soft reset and a power cycle (flash kept).
    board.soft_reset()
    assert board.exec("print(open('dual.bin', 'rb').read() == bytes(range(256)) * 40)").strip() == "True"
    board.close()
    board.emu.reset()
    assert board.exec("print(open('dual.bin', 'rb').read() == bytes(range(256)) * 40)").strip() == "True"


def test_another_thread_after_the_first_ends(pico):
    pico.emu.events()
    out = pico.exec(
        "import _thread, time\n"
        "res = []\n"
        "def th(k):\n"
        "    res.append(k * k)\n"
        "def main():\n"
        "    for k in range(1, 4):\n"
        "        _thread.start_new_thread(th, (k,))\n"
        "        while len(res) < k:\n"
        "            time.sleep_ms(1)\n"
        "        time.sleep_ms(5)\n"
        "    print(res)\n"
        "main()\n", timeout=120)
    assert out.strip() == "[1, 4, 9]"
    ev = [e for e in pico.emu.events() if e.get("event") == "core1"]
    launched = [e for e in ev if e["state"] == "launched"]
    assert len(launched) == 3
    assert [e["launches"] - launched[0]["launches"] for e in launched] == [0, 1, 2]
    assert wait_core1(pico, "rom")["core1"] == "rom"
    assert pico.alive()


def _cpu_seconds(pid):
    import os
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_idle_board_costs_no_host_cpu(pico):
    # After a thread has run, core 1 sleeps in the ROM (WFE) and core 0 at the
    # REPL: the emulator should not spin.
    pico.exec("import _thread\n_thread.start_new_thread(lambda: None, ())\n")
    assert wait_core1(pico, "rom")["core1"] == "rom"
    time.sleep(0.3)
    pid = pico.emu.proc.pid
    c0, t0 = _cpu_seconds(pid), time.monotonic()
    time.sleep(1.5)
    used = (_cpu_seconds(pid) - c0) / (time.monotonic() - t0)
    print("emulator CPU while idle: %.0f%%" % (100 * used))
    assert used < 0.25


# The mailbox registers exactly, on the emulator's objects (no firmware): core
# 1 is held in reset so that only these accesses touch the FIFOs.
FIFO_CHECK = r"""
import fs from 'node:fs';
const [modules, dualcore, romPath] = process.argv.slice(1);
const lib = await import(modules + '/rp2040js/dist/esm/index.js');
const { DualCore } = await import(dualcore);
const mcu = new lib.RP2040();
mcu.logger = { debug() {}, info() {}, warn() {}, error() {} };
const rom = fs.readFileSync(romPath);
mcu.loadBootrom(new Uint32Array(rom.buffer.slice(rom.byteOffset, rom.byteOffset + (rom.length & ~3))));
const dual = new DualCore(mcu, { onBreak() {}, log() {}, event() {} });
const out = {};
// Core 1 out of reset runs the ROM: it empties its FIFO and pushes a 0.
for (let i = 0; i < 100 && dual.awake1; i++) dual.catchUp(4, () => false);
out.boot = [dual.core1State, mcu.sio.readUint32(0x50), mcu.sio.readUint32(0x58), mcu.sio.readUint32(0x50)];
mcu.writeUint32(0x40012004, 1 << 16);          // PSM FRCE_OFF set alias: PROC1
out.held = dual.core1State;
const s0 = mcu.sio, s1 = dual.view.sio;
const st = (s) => s.readUint32(0x50);
const irq = () => [(mcu.core.pendingInterrupts >>> 15) & 3];
out.empty = [st(s0), st(s1), s0.readUint32(0x58), st(s0), irq()];  // read when empty: ROE, IRQ 15
s0.writeUint32(0x50, 0);
out.cleared = [st(s0), irq()];
for (let i = 1; i <= 9; i++) s0.writeUint32(0x54, i);                // the 9th is dropped: WOF
out.full = [st(s0), st(s1), irq()];
const got = [];
while (st(s1) & 1) got.push(s1.readUint32(0x58));
out.core1 = [got, st(s1), st(s0), irq()];
s0.writeUint32(0x50, 0xffffffff);
out.end = [st(s0), irq(), s0.readUint32(0x000), s1.readUint32(0x000)];
console.log(JSON.stringify(out));
"""


def test_fifo_registers():
    import json
    import shutil
    import subprocess

    from conftest import TOP
    modules = TOP / "build" / "rp2-emu" / "node_modules"
    rom = TOP / "build" / "rp2-emu" / "bootrom.bin"
    if shutil.which("node") is None or not (modules / "rp2040js").exists() or not rom.exists():
        pytest.skip("no node, rp2040js or stand-in ROM (make rp2-emu)")
    p = subprocess.run(["node", "--input-type=module", "-e", FIFO_CHECK, str(modules),
                        str(TOP / "tools" / "emu" / "rp2040" / "dualcore.mjs"), str(rom)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    # FIFO_ST bits: VLD 1, RDY 2, WOF 4, ROE 8.
    assert r["boot"] == ["rom", 3, 0, 2]      # core 1's 0 arrived; popped
    assert r["held"] == "reset"
    assert r["empty"] == [2, 2, 0, 2 | 8, [1]]  # ROE (core 0 only), SIO_IRQ_PROC0 up
    assert r["cleared"] == [2, [0]]           # any write to FIFO_ST clears it
    assert r["full"] == [4, 1 | 2, [3]]       # not RDY, WOF (IRQ 15); core 1: VLD (IRQ 16)
    assert r["core1"] == [[1, 2, 3, 4, 5, 6, 7, 8], 2, 2 | 4, [1]]
    assert r["end"] == [2, [0], 0, 1]         # WOF cleared; CPUID per core
