#!/usr/bin/env python3
"""CMSIS-SVD -> C device header for the nRF52840 port (ports/nrf52840/).

    python3 tools/svd2h.py SVD_OR_WHEEL OUT_DIR [--svd-name nrf52840.svd]

SVD_OR_WHEEL is an .svd file, a zip holding it (pyocd's svd_data.zip) or the
pyocd wheel itself (pyocd/debug/svd/svd_data.zip inside it). Writes
OUT_DIR/<device>.h (peripheral register structs, instances, IRQ numbers,
field positions/masks/enumerated values, CMSIS core include) and
OUT_DIR/system_<device>.h. Register maps are facts from the vendor's SVD;
this generator and its output layout are ours.
"""
import argparse
import io
import os
import sys
import xml.etree.ElementTree as ET
import zipfile

ACCESS = {"read-only": "__IM ", "write-only": "__OM ", "read-write": "__IOM"}
CTYPE = {8: "uint8_t ", 16: "uint16_t", 32: "uint32_t"}


def svd_int(text):
    t = text.strip().lower()
    if t.startswith("#"):
        return int(t[1:].replace("x", "0"), 2)
    return int(t, 0)


def svd_bool(text):
    return int((text or "false").strip().lower() in ("true", "1"))


def child(node, tag, default=None):
    e = node.find(tag)
    if e is None or e.text is None:
        return default
    return " ".join(e.text.split())


def load_svd(path, name):
    data = open(path, "rb").read()
    if data[:2] != b"PK":
        return data
    z = zipfile.ZipFile(io.BytesIO(data))
    inner = "pyocd/debug/svd/svd_data.zip"
    if inner in z.namelist():
        z = zipfile.ZipFile(io.BytesIO(z.read(inner)))
    return z.read(name)


class Gen:
    def __init__(self, root):
        self.root = root
        self.device = child(root, "name").upper()
        self.structs = []     # emitted typedefs, innermost first
        self.fields = []      # #define lines
        self.emitted = set()

    # one struct for a register block (peripheral or cluster); returns its size in bytes
    def block(self, node, type_name, prefix, pad_to=None):
        items = [e for e in node if e.tag in ("register", "cluster")]
        items.sort(key=lambda e: svd_int(child(e, "addressOffset")))
        body, cursor, gap = [], 0, 0
        for e in items:
            off = svd_int(child(e, "addressOffset"))
            raw = child(e, "name")
            is_array = "[%s]" in raw
            name = raw.replace("[%s]", "").replace("%s", "")
            count = svd_int(child(e, "dim", "1"))
            if off < cursor:
                body.append("    // %s (0x%03X) aliases an earlier register: not mapped" % (name, off))
                continue
            if off > cursor:
                n = off - cursor
                if n % 4 == 0:
                    body.append("    __IM  uint32_t RESERVED%d[%d];" % (gap, n // 4))
                else:
                    body.append("    __IM  uint8_t  RESERVED%d[%d];" % (gap, n))
                gap += 1
            dim = "[%d]" % count if is_array else ""
            if e.tag == "cluster":
                sub = "%s_%s_Type" % (prefix, name)
                stride = svd_int(child(e, "dimIncrement", "0"))
                size = self.block(e, sub, "%s_%s" % (prefix, name), stride or None)
                body.append("    %s %s%s;" % (sub, name, dim))
                cursor = off + size * (count if is_array else 1)
            else:
                bits = svd_int(child(e, "size", "32"))
                acc = ACCESS.get(child(e, "access", "read-write"), "__IOM")
                desc = (child(e, "description", "") or "")[:56]
                body.append("    %s %s %-22s // 0x%03X %s" % (acc, CTYPE[bits], name + dim + ";", off, desc))
                cursor = off + (bits // 8) * (count if is_array else 1)
                self.register_fields(e, "%s_%s" % (prefix, name))
        if pad_to and cursor < pad_to:
            body.append("    __IM  uint32_t RESERVED%d[%d];" % (gap, (pad_to - cursor) // 4))
            cursor = pad_to
        self.structs.append("typedef struct {\n%s\n} %s;\n" % ("\n".join(body), type_name))
        return cursor

    def register_fields(self, reg, rname):
        fields = reg.find("fields")
        if fields is None:
            return
        for f in fields.findall("field"):
            fname = "%s_%s" % (rname, child(f, "name"))
            if child(f, "bitOffset") is not None:
                lsb = svd_int(child(f, "bitOffset"))
                width = svd_int(child(f, "bitWidth", "1"))
            elif child(f, "lsb") is not None:
                lsb = svd_int(child(f, "lsb"))
                width = svd_int(child(f, "msb")) - lsb + 1
            else:
                lo, hi = child(f, "bitRange").strip("[]").split(":")[::-1]
                lsb, width = int(lo), int(hi) - int(lo) + 1
            self.fields.append("#define %s_Pos (%dUL)" % (fname, lsb))
            self.fields.append("#define %s_Msk (0x%XUL << %s_Pos)" % (fname, (1 << width) - 1, fname))
            for ev in f.iter("enumeratedValue"):
                v = child(ev, "value")
                try:
                    val = svd_int(v)
                except (AttributeError, ValueError):
                    continue  # no value, or "don't care" bits
                self.fields.append("#define %s_%s (0x%XUL)" % (fname, child(ev, "name"), val))

    def run(self):
        periphs = self.root.find("peripherals").findall("peripheral")
        by_name = {child(p, "name"): p for p in periphs}
        instances, irqs = [], {}
        for p in periphs:
            name = child(p, "name")
            src = by_name[p.get("derivedFrom")] if p.get("derivedFrom") else p
            tname = child(src, "headerStructName") or child(src, "name")
            if tname not in self.emitted:
                self.emitted.add(tname)
                self.block(src.find("registers"), "NRF_%s_Type" % tname, tname)
            instances.append((name, svd_int(child(p, "baseAddress")), tname))
            for irq in p.findall("interrupt"):
                irqs[svd_int(child(irq, "value"))] = child(irq, "name")
        return instances, irqs

    def header(self, svd_name):
        instances, irqs = self.run()
        cpu = self.root.find("cpu")
        dev = self.device
        o = ["// %s.h: generated by tools/svd2h.py from %s. Do not edit." % (dev.lower(), svd_name),
             "#ifndef %s_GEN_H" % dev, "#define %s_GEN_H" % dev, "", "#include <stdint.h>", "",
             "typedef enum {"]
        core = [("Reset", -15), ("NonMaskableInt", -14), ("HardFault", -13), ("MemoryManagement", -12),
                ("BusFault", -11), ("UsageFault", -10), ("SVCall", -5), ("DebugMonitor", -4),
                ("PendSV", -2), ("SysTick", -1)]
        o += ["    %s_IRQn = %d," % c for c in core]
        o += ["    %s_IRQn = %d," % (irqs[k], k) for k in sorted(irqs)]
        o += ["} IRQn_Type;", "", "#define %s_IRQ_COUNT %d" % (dev, max(irqs) + 1), ""]
        o += ["#define __CM4_REV 0x0001U",
              "#define __MPU_PRESENT %d" % svd_bool(child(cpu, "mpuPresent")),
              "#define __NVIC_PRIO_BITS %s" % child(cpu, "nvicPrioBits"),
              "#define __Vendor_SysTickConfig %d" % svd_bool(child(cpu, "vendorSystickConfig")),
              "#define __FPU_PRESENT %d" % svd_bool(child(cpu, "fpuPresent")),
              "#include \"core_cm4.h\"", "#include \"system_%s.h\"" % dev.lower(), ""]
        o += self.structs
        o += ["#define NRF_%s_BASE 0x%08XUL" % (n, b) for n, b, _ in instances]
        o += [""]
        o += ["#define NRF_%s ((NRF_%s_Type *)NRF_%s_BASE)" % (n, t, n) for n, _, t in instances]
        o += ["", "// register fields"] + self.fields + ["", "#endif"]
        return "\n".join(o) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("out_dir")
    ap.add_argument("--svd-name", default="nrf52840.svd")
    a = ap.parse_args(argv)
    root = ET.fromstring(load_svd(a.source, a.svd_name))
    g = Gen(root)
    text = g.header(a.svd_name)
    os.makedirs(a.out_dir, exist_ok=True)
    dev = g.device.lower()
    with open(os.path.join(a.out_dir, dev + ".h"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out_dir, "system_%s.h" % dev), "w") as f:
        f.write("// generated by tools/svd2h.py. Do not edit.\n#ifndef SYSTEM_%s_H\n#define SYSTEM_%s_H\n"
                "#include <stdint.h>\nextern uint32_t SystemCoreClock;\nvoid SystemInit(void);\n#endif\n"
                % (g.device, g.device))
    print("svd2h: %s.h (%d lines)" % (dev, text.count("\n")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
