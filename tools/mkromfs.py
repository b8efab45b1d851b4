#!/usr/bin/env python3
"""Build a MicroPython ROMFS image whose file data is 8-byte aligned.

    mkromfs.py OUT.img FILE_OR_DIR...

Files go to the image's top level under their base names; a directory adds
its files (recursively, as sub-directories). The tflm engine reads a model in
place only from an 8-byte aligned address, so every file's data starts at a
multiple of 8 from the image start (load the image at an aligned address).

ROMFS format (MicroPython extmod/vfs_rom.c): records of varuint kind, varuint
payload length, payload; varuints are big-endian 7-bit groups with the high
bit set on all but the last byte, and may be padded with leading 0x80 bytes.
Kinds: 1 padding, 2 verbatim data, 4 directory, 5 file; the image is one
filesystem record (kind 0x14a6b1, encoded d2 cd 31). The total record size
must be even.
"""
import os
import sys

ALIGN = 8
KIND_PADDING, KIND_DATA, KIND_DIR, KIND_FILE = 1, 2, 4, 5
KIND_FS = 0x14A6B1
LEN_WIDTH = 4  # every length is written as a 4-byte (padded) varuint


def varuint(value, width=None):
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.reverse()
    if width is not None:
        if len(out) > width:
            raise ValueError("value too large for a %d-byte varuint" % width)
        out = [0x80] * (width - len(out)) + out
    return bytes(out)


def padding(n):
    """A padding record of exactly n bytes (n == 0 or n >= 2)."""
    if n == 0:
        return b""
    if n % 2 == 0:
        return bytes([KIND_PADDING]) + varuint(n - 2) + bytes(n - 2)
    return bytes([0x80, KIND_PADDING]) + varuint(n - 3) + bytes(n - 3)


class Writer:
    def __init__(self):
        self.out = bytearray()

    def open_record(self, kind_bytes):
        """Start a record; returns the position of its length field."""
        self.out += kind_bytes
        pos = len(self.out)
        self.out += bytes(LEN_WIDTH)
        return pos

    def close_record(self, pos):
        self.out[pos:pos + LEN_WIDTH] = varuint(len(self.out) - pos - LEN_WIDTH, LEN_WIDTH)

    def add_file(self, name, data):
        rec = self.open_record(varuint(KIND_FILE))
        nb = name.encode()
        self.out += varuint(len(nb)) + nb
        # Data starts after the data record's kind byte and length field.
        start = len(self.out) + 1 + LEN_WIDTH
        pad = (-start) % ALIGN
        if pad == 1:
            pad += ALIGN
        self.out += padding(pad)
        data_rec = self.open_record(varuint(KIND_DATA))
        assert len(self.out) % ALIGN == 0
        self.out += data
        self.close_record(data_rec)
        self.close_record(rec)

    def add_dir(self, name, path):
        rec = self.open_record(varuint(KIND_DIR))
        nb = name.encode()
        self.out += varuint(len(nb)) + nb
        self.add_entries(path)
        self.close_record(rec)

    def add_entries(self, path):
        for entry in sorted(os.listdir(path)):
            self.add_path(os.path.join(path, entry))

    def add_path(self, path):
        name = os.path.basename(os.path.normpath(path))
        if os.path.isdir(path):
            self.add_dir(name, path)
        else:
            with open(path, "rb") as f:
                self.add_file(name, f.read())


def build(paths):
    w = Writer()
    fs = w.open_record(varuint(KIND_FS))
    for p in paths:
        if os.path.isdir(p):
            w.add_entries(p)
        else:
            w.add_path(p)
    # Even total size: pad the payload (a 1-byte gap takes a 3-byte record).
    if (len(w.out)) % 2:
        w.out += padding(3)
    w.close_record(fs)
    return bytes(w.out)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    img = build(argv[2:])
    with open(argv[1], "wb") as f:
        f.write(img)
    print("%s: %d bytes" % (argv[1], len(img)))


if __name__ == "__main__":
    main(sys.argv)
