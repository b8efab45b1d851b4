#!/usr/bin/env python3
"""UF2 writer/reader for RP2040 firmware (stands in for picotool's elf -> uf2).

    python3 tools/uf2.py firmware.elf firmware.uf2      # ELF -> UF2
    python3 tools/uf2.py --bin BASE firmware.bin out.uf2  # raw image at BASE -> UF2
    python3 tools/uf2.py --info firmware.uf2             # summary of a UF2 file

UF2 (the public USB flashing format): a sequence of independent 512-byte
blocks; each carries up to 476 payload bytes (256 for RP2040 bootloaders),
the flash address they go to, the block number and block count, and a family
ID. The RP2040 boot ROM accepts 256-byte payloads aligned to 256 bytes with
the family ID 0xe48bff56.
"""

import argparse
import struct
import sys

UF2_MAGIC_START0 = 0x0A324655  # "UF2\n"
UF2_MAGIC_START1 = 0x9E5D5157
UF2_MAGIC_END = 0x0AB16F30
UF2_FLAG_FAMILY_ID = 0x00002000
RP2040_FAMILY_ID = 0xE48BFF56
PAGE = 256
FLASH_START = 0x10000000
FLASH_END = 0x11000000  # the XIP window


def elf_load_segments(data):
    """(physical address, bytes) of each loadable segment of a 32-bit LE ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        raise ValueError("not a 32-bit little-endian ELF file")
    e_phoff, = struct.unpack_from("<I", data, 28)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 42)
    segs = []
    for i in range(e_phnum):
        p_type, p_offset, _vaddr, p_paddr, p_filesz, _memsz, _flags, _align = struct.unpack_from(
            "<8I", data, e_phoff + i * e_phentsize)
        if p_type != 1 or p_filesz == 0:  # PT_LOAD with file contents
            continue
        segs.append((p_paddr, data[p_offset:p_offset + p_filesz]))
    return segs


def pages_from_segments(segs, start=FLASH_START, end=FLASH_END):
    """Dict page address -> bytearray(256) covering the segments inside [start, end)."""
    pages = {}
    for addr, blob in segs:
        if addr < start or addr + len(blob) > end:
            if addr >= end or addr + len(blob) <= start:
                continue  # RAM-only segment (e.g. .bss image): not flashed
            raise ValueError("segment 0x%08x+%d straddles the flash window" % (addr, len(blob)))
        for off in range(len(blob)):
            a = addr + off
            page = a & ~(PAGE - 1)
            buf = pages.get(page)
            if buf is None:
                buf = pages[page] = bytearray(PAGE)
            buf[a - page] = blob[off]
    return pages


def write_uf2(pages, family=RP2040_FAMILY_ID):
    addrs = sorted(pages)
    out = bytearray()
    for n, a in enumerate(addrs):
        payload = bytes(pages[a]).ljust(476, b"\x00")
        out += struct.pack("<8I", UF2_MAGIC_START0, UF2_MAGIC_START1, UF2_FLAG_FAMILY_ID,
                           a, PAGE, n, len(addrs), family)
        out += payload + struct.pack("<I", UF2_MAGIC_END)
    return bytes(out)


def read_uf2(data):
    """List of (address, payload) of every block; raises ValueError on a bad block."""
    if len(data) % 512:
        raise ValueError("UF2 size is not a multiple of 512")
    blocks = []
    for off in range(0, len(data), 512):
        m0, m1, _flags, addr, size, _n, _count, _fam = struct.unpack_from("<8I", data, off)
        end, = struct.unpack_from("<I", data, off + 508)
        if m0 != UF2_MAGIC_START0 or m1 != UF2_MAGIC_START1 or end != UF2_MAGIC_END or size > 476:
            raise ValueError("bad UF2 block at offset %d" % off)
        blocks.append((addr, data[off + 32:off + 32 + size]))
    return blocks


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", metavar="BASE", help="input is a raw image loaded at BASE (e.g. 0x10000000)")
    ap.add_argument("--info", action="store_true", help="print a summary of a UF2 file")
    ap.add_argument("--family", default=hex(RP2040_FAMILY_ID))
    ap.add_argument("input")
    ap.add_argument("output", nargs="?")
    a = ap.parse_args(argv)
    data = open(a.input, "rb").read()
    if a.info:
        blocks = read_uf2(data)
        lo = min(b[0] for b in blocks)
        hi = max(b[0] + len(b[1]) for b in blocks)
        print("%d blocks, 0x%08x..0x%08x (%d bytes)" % (len(blocks), lo, hi, hi - lo))
        return 0
    if not a.output:
        ap.error("output file needed")
    segs = [(int(a.bin, 0), data)] if a.bin else elf_load_segments(data)
    pages = pages_from_segments(segs)
    if not pages:
        raise SystemExit("uf2: nothing to flash in %s" % a.input)
    with open(a.output, "wb") as f:
        f.write(write_uf2(pages, int(a.family, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
