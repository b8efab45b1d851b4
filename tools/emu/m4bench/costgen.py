#!/usr/bin/env python3
"""Cost table of a Cortex-M4 (or, with --m0, Cortex-M0+) firmware image for
m4emu (see docs/m4-cost-table.md).

Disassembles the ELF with arm-none-eabi-objdump and gives every instruction a
static entry: its base cycles from the table below, its kind (load, store,
division) and, for loads, the registers the load-pipelining rule looks at. The
dynamic parts (taken branches, pipelined loads, division operands, unaligned
accesses) are applied by m4emu while it runs.

    costgen.py [--m0] FW.elf FW.cost

File: b"M4CT" (b"M0CT" with --m0), u32 base address, u32 number of
halfwords, then one u32 entry per halfword (0 where no instruction starts). Entry bits: 0-4 base cycles,
5-7 kind (0 other, 1 load single, 2 store single, 3 divide), 8 may write the
PC, 9 valid, 12-15 / 16-19 / 20-23 registers a / b / c (15 = none): for a
load its destination / base / index, for a divide Rn / Rm.

The Cortex-M0+ table (--m0) reproduces the cycle accounting of the rp2040js
emulator (our Pico bench): no load pipelining, no divide instruction, and bit
8 marks only the conditional branches, which cost one more cycle when taken
(m4emu adds it); every other flow change has its whole cost in the table.
"""
import re
import struct
import subprocess
import sys

P = 2  # pipeline refill after a taken branch (the TRM's P is 1..3)

CONDS = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
         "gt", "le", "al"}
K_OTHER, K_LOAD, K_STORE, K_DIV = 0, 1, 2, 3

# Mnemonics with a cost or behaviour other than one cycle (condition codes and
# the S suffix are stripped first). Value: (base cycles, kind); None = computed.
SPECIAL = {
    "ldr": (2, K_LOAD), "ldrb": (2, K_LOAD), "ldrh": (2, K_LOAD), "ldrsb": (2, K_LOAD),
    "ldrsh": (2, K_LOAD), "ldrex": (2, K_LOAD), "ldrexb": (2, K_LOAD), "ldrexh": (2, K_LOAD),
    "ldrt": (2, K_LOAD), "ldrbt": (2, K_LOAD), "ldrht": (2, K_LOAD),
    "str": (1, K_STORE), "strb": (1, K_STORE), "strh": (1, K_STORE), "strex": (2, K_STORE),
    "ldrd": (3, K_OTHER), "strd": (3, K_OTHER),
    "ldm": None, "ldmia": None, "ldmdb": None, "ldmfd": None, "pop": None,
    "stm": None, "stmia": None, "stmdb": None, "stmfd": None, "push": None,
    "vldm": None, "vldmia": None, "vldmdb": None, "vpop": None,
    "vstm": None, "vstmia": None, "vstmdb": None, "vpush": None,
    "vldr": (2, K_LOAD), "vstr": (2, K_STORE),
    "b": None, "bl": (1, K_OTHER), "blx": (1, K_OTHER), "bx": None,
    "cbz": (1, K_OTHER), "cbnz": (1, K_OTHER), "tbb": (2, K_OTHER), "tbh": (2, K_OTHER),
    "udiv": (2, K_DIV), "sdiv": (2, K_DIV),
    "vdiv": (14, K_OTHER), "vsqrt": (14, K_OTHER),
    "vmla": (3, K_OTHER), "vmls": (3, K_OTHER), "vnmla": (3, K_OTHER), "vnmls": (3, K_OTHER),
    "vfma": (3, K_OTHER), "vfms": (3, K_OTHER), "vfnma": (3, K_OTHER), "vfnms": (3, K_OTHER),
}
S_OK = {"ldm", "stm"}  # never an S suffix on these (checked below by family)
BASES = sorted(SPECIAL, key=len, reverse=True)
REGS = {"r%d" % i: i for i in range(13)}
REGS.update({"sb": 9, "sl": 10, "fp": 11, "ip": 12, "sp": 13, "lr": 14, "pc": 15})


def split_mnemonic(m):
    """(base, cond) for a special mnemonic, else (None, cond-or-None)."""
    m = m.split(".")[0]
    for b in BASES:
        if not m.startswith(b):
            continue
        rest = m[len(b):]
        if rest == "" or rest in CONDS:
            return b, rest or None
    for c in CONDS:
        if len(m) > 2 and m.endswith(c):
            return None, c
    return None, None


def reg(tok):
    tok = tok.strip().strip("[]{}!").strip()
    return REGS.get(tok, 15)


def reg_list_count(ops):
    m = re.search(r"\{([^}]*)\}", ops)
    if not m:
        return 1, False
    n, pc = 0, False
    for part in m.group(1).split(","):
        part = part.strip()
        if "-" in part:
            a, b = [x.strip() for x in part.split("-")]
            k = int(b[1:]) - int(a[1:]) + 1
            n += k * (2 if a[0] == "d" else 1)
        elif part:
            n += 2 if part[0] == "d" else 1
            pc |= part == "pc"
    return n, pc


def entry(mn, ops):
    base, cond = split_mnemonic(mn)
    cyc, kind, branch, ra, rb, rc = 1, K_OTHER, False, 15, 15, 15
    first = ops.split(",")[0].strip() if ops else ""
    if base is None:
        if first == "pc":
            branch = True  # mov pc / add pc
    elif SPECIAL[base] is not None:
        cyc, kind = SPECIAL[base]
        if base in ("bl", "blx", "cbz", "cbnz", "tbb", "tbh"):
            branch = True
        if kind == K_LOAD:
            ra = reg(first) if not base.startswith("v") else 15
            m = re.search(r"\[([^\]]*)\]", ops)
            if m:
                parts = [p.strip() for p in m.group(1).split(",")]
                rb = reg(parts[0])
                if len(parts) > 1 and parts[1].split()[0] in REGS:
                    rc = reg(parts[1].split()[0])
            if ra == 15 and not base.startswith("v"):
                branch = True  # ldr pc
        if kind == K_DIV:
            o = [x.strip() for x in ops.split(",")]
            ra, rb = reg(o[-2]), reg(o[-1])
    elif base in ("b", "bx"):
        cyc, branch = 1, True
    else:  # load/store multiple, push/pop, vpush/vpop
        n, pc = reg_list_count(ops)
        cyc, branch = 1 + n, pc
    if branch:
        pass  # the refill P is added at run time when the next PC is not sequential
    return min(cyc, 31) | (kind << 5) | (int(branch) << 8) | (1 << 9) | (ra << 12) | (rb << 16) | (rc << 20)


def entry_m0(mn, ops):
    """Cycles as rp2040js charges them (cortex-m0-core.js, executeInstruction):
    1 by default; loads and stores 2 (1 + one bus cycle: RAM and flash alike);
    LDM/STM 1 + N; PUSH 1 + N low registers (LR free); POP 1 + N low
    registers, + 2 with PC; B 2, B<cond> 1 (+ 1 when taken); BL 3; BX/BLX 2;
    MOV/ADD to PC 2; DMB/DSB/ISB/MRS/MSR 3; WFE/WFI 2; MULS 1."""
    m = mn.split(".")[0]
    first = ops.split(",")[0].strip() if ops else ""
    cyc, cond = 1, False
    if m in ("ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "str", "strb", "strh"):
        cyc = 2
    elif m in ("ldm", "ldmia", "ldmfd", "stm", "stmia", "stmea"):
        cyc = 1 + reg_list_count(ops)[0]
    elif m in ("push", "pop"):
        lst = re.search(r"\{([^}]*)\}", ops).group(1)
        n, has_pc = 0, False
        for part in lst.split(","):
            part = part.strip()
            if "-" in part:
                a, b = [x.strip() for x in part.split("-")]
                n += REGS[b] - REGS[a] + 1
            elif part in ("lr", "pc"):
                has_pc |= part == "pc"
            elif part:
                n += 1
        cyc = 1 + n + (2 if has_pc else 0)
    elif m == "b":
        cyc = 2
    elif len(m) == 3 and m[0] == "b" and m[1:] in CONDS:
        cond = True
    elif m == "bl":
        cyc = 3
    elif m in ("bx", "blx"):
        cyc = 2
    elif m in ("mov", "add") and first == "pc":
        cyc = 2
    elif m in ("dmb", "dsb", "isb", "mrs", "msr"):
        cyc = 3
    elif m in ("wfe", "wfi"):
        cyc = 2
    return min(cyc, 31) | (int(cond) << 8) | (1 << 9) | (15 << 12) | (15 << 16) | (15 << 20)


LINE = re.compile(r"^\s*([0-9a-f]+):\s+([0-9a-f]{4}(?: [0-9a-f]{4})?)\s+\t(\S+)\s*(.*)$")


def build(elf, m0=False):
    out = subprocess.run(["arm-none-eabi-objdump", "-d", elf], capture_output=True, text=True,
                         check=True).stdout
    table = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        mn = m.group(3)
        if mn.startswith("."):
            continue
        ops = m.group(4).split("@")[0].split(";")[0].strip()
        table[addr] = entry_m0(mn, ops) if m0 else entry(mn, ops)
    return table


def main():
    args = sys.argv[1:]
    m0 = "--m0" in args
    args = [a for a in args if a != "--m0"]
    elf, dst = args[0], args[1]
    table = build(elf, m0)
    hi = max(table) + 4
    n = hi // 2
    words = [0] * n
    for a, e in table.items():
        words[a // 2] = e
    with open(dst, "wb") as f:
        f.write((b"M0CT" if m0 else b"M4CT") + struct.pack("<II", 0, n))
        f.write(struct.pack("<%dI" % n, *words))


if __name__ == "__main__":
    main()
