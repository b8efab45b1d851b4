// m4emu: runs the bare-metal Cortex-M4 runner (fw/m4main.c) on unicorn's
// Cortex-M4 and counts the instructions of one invoke and their estimated
// cycles from a cost table (costgen.py; docs/m4-cost-table.md). Same command
// line and JSON line as the host runner tools/tflm_run, so that the
// conformance harness can use it as a runner:
//
//   m4emu [--fw FW.elf] MODEL.tflite [-i IN.bin]... [-o OUT.bin]... [--dump DIR] [--per-op]
//
// FW defaults to fw.elf beside this program, its cost table to FW with
// .cost for .elf. The JSON line adds "m4": instructions, cycles and their
// per-op split (with --per-op or --dump) of the invoke.
//
// This is a host tool: malloc and stdio are fine here.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include "fw/m4mbox.h"

// The core: Cortex-M4 (default) or, built with
// -DM4EMU_CPU=UC_CPU_ARM_CORTEX_M0, the Cortex-M0+ variant (make test-m0,
// make bench-m0): its cost table (costgen.py --m0, magic M0CT) prices the
// instructions as the rp2040js emulator does.
#ifndef M4EMU_CPU
#define M4EMU_CPU UC_CPU_ARM_CORTEX_M4
#endif
#define FLASH_BASE 0x00000000u
#define FLASH_SIZE (4u << 20)
#define MODEL_BASE 0x08000000u
#define RAM_BASE 0x20000000u
#define RAM_SIZE (32u << 20)
#define PPB_BASE 0xE0000000u
#define PPB_SIZE (1u << 20)
#define REFILL_M4 2u     // pipeline refill cycles after a taken branch (P)
#define REFILL_M0 1u     // rp2040js: a taken B<cond> costs one more cycle
#define MAX_OPS 4096
#define STACK_PAINT (64u << 10)  // bytes below the invoke's stack pointer watched

typedef struct {
    uint32_t *cost;      // one entry per halfword from 0
    uint32_t n_cost;
    uint64_t insns, cycles, unknown, taken, pipelined, div_cycles;
    uint64_t *prof;      // cycles per halfword address (M4_PROFILE), or NULL
    uint32_t prev_next;  // address after the previous instruction
    uint32_t prev_entry;
    uint32_t refill;     // cycles added when a flagged instruction branches
    int m0;              // the table is a Cortex-M0+ one (M0CT)
} counters_t;

static counters_t C;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "m4emu: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

#include "host_io.h"

// Cycles of one UDIV/SDIV: 2, plus one per 4 quotient bits, at most 12.
static uint32_t div_cycles(uc_engine *uc, uint32_t e) {
    static const int regs[16] = { UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
        UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10,
        UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC };
    uint32_t n = 0, d = 0;
    uc_reg_read(uc, regs[(e >> 12) & 15], &n);
    uc_reg_read(uc, regs[(e >> 16) & 15], &d);
    int32_t sn = (int32_t)n, sd = (int32_t)d;
    uint32_t an = sn < 0 ? 0u - n : n, ad = sd < 0 ? 0u - d : d;
    if (ad == 0 || an < ad) {
        return 2;
    }
    int qbits = (32 - __builtin_clz(an)) - (32 - __builtin_clz(ad)) + 1;
    uint32_t c = 2u + (uint32_t)(qbits + 3) / 4u;
    return c > 12 ? 12 : c;
}

static void hook_code(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    const uint32_t a = (uint32_t)address;
    const uint32_t pe = C.prev_entry;
    if ((pe & (1u << 8)) && a != C.prev_next) {
        C.cycles += C.refill;
        if (C.prof) {
            C.prof[C.prev_next / 2 - 1] += C.refill;
        }
        C.taken++;
    }
    uint32_t e = (a / 2 < C.n_cost) ? C.cost[a / 2] : 0;
    C.insns++;
    if (!(e & (1u << 9))) {
        C.unknown++;
        C.cycles += 1;
        C.prev_entry = 0;
        C.prev_next = a + size;
        return;
    }
    uint32_t cyc = e & 31u;
    const uint32_t kind = (e >> 5) & 7u;
    if (kind == 1) {
        // A single load right after a single load or store costs one cycle
        // less, unless its address needs the previous load's result.
        const uint32_t pk = (pe >> 5) & 7u;
        if ((pe & (1u << 9)) && (pk == 1 || pk == 2)) {
            const uint32_t pd = (pk == 1) ? ((pe >> 12) & 15u) : 15u;
            const uint32_t rb = (e >> 16) & 15u, rc = (e >> 20) & 15u;
            if (pd == 15u || (pd != rb && pd != rc)) {
                cyc -= 1;
                C.pipelined++;
            }
        }
    } else if (kind == 3) {
        cyc = div_cycles(uc, e);
        C.div_cycles += cyc;
    }
    C.cycles += cyc;
    if (C.prof) {
        C.prof[a / 2] += cyc;
    }
    C.prev_entry = e;
    C.prev_next = a + size;
}

typedef struct {
    uint32_t entry, sp, trap;
} fw_info_t;

// Loads the PT_LOAD segments at their physical (load) addresses and finds
// the symbols the host needs.
static fw_info_t load_elf(uc_engine *uc, const uint8_t *b, uint32_t len) {
    fw_info_t fi = { 0, 0, 0 };
    if (len < 52 || memcmp(b, "\177ELF", 4) != 0 || b[4] != 1) {
        die("not an ELF32 file", NULL);
    }
    uint32_t phoff, shoff;
    uint16_t phnum, shnum, phentsize, shentsize;
    memcpy(&fi.entry, b + 24, 4);
    memcpy(&phoff, b + 28, 4);
    memcpy(&shoff, b + 32, 4);
    memcpy(&phentsize, b + 42, 2);
    memcpy(&phnum, b + 44, 2);
    memcpy(&shentsize, b + 46, 2);
    memcpy(&shnum, b + 48, 2);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phoff + i * phentsize;
        uint32_t type, off, paddr, filesz;
        memcpy(&type, ph, 4);
        memcpy(&off, ph + 4, 4);
        memcpy(&paddr, ph + 12, 4);
        memcpy(&filesz, ph + 16, 4);
        if (type == 1 && filesz > 0) {
            if (uc_mem_write(uc, paddr, b + off, filesz) != UC_ERR_OK) {
                die("cannot place an ELF segment", NULL);
            }
        }
    }
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *sh = b + shoff + i * shentsize;
        uint32_t type, off, size, link, entsize;
        memcpy(&type, sh + 4, 4);
        memcpy(&off, sh + 16, 4);
        memcpy(&size, sh + 20, 4);
        memcpy(&link, sh + 24, 4);
        memcpy(&entsize, sh + 36, 4);
        if (type != 2) {
            continue;
        }
        const uint8_t *strsh = b + shoff + link * shentsize;
        uint32_t stroff;
        memcpy(&stroff, strsh + 16, 4);
        for (uint32_t k = 0; k < size / entsize; k++) {
            const uint8_t *s = b + off + k * entsize;
            uint32_t name, value;
            memcpy(&name, s, 4);
            memcpy(&value, s + 4, 4);
            const char *nm = (const char *)b + stroff + name;
            if (!strcmp(nm, "m4_trap")) {
                fi.trap = value & ~1u;
            }
        }
    }
    uint32_t vec[2];
    uc_mem_read(uc, FLASH_BASE, vec, 8);
    fi.sp = vec[0];
    fi.entry = vec[1];
    if (!fi.trap) {
        die("firmware has no m4_trap symbol", NULL);
    }
    return fi;
}

static void load_cost(const char *path) {
    uint32_t len;
    uint8_t *b = read_file(path, &len);
    if (len < 12 || (memcmp(b, "M4CT", 4) != 0 && memcmp(b, "M0CT", 4) != 0)) {
        die("bad cost table", path);
    }
    C.m0 = memcmp(b, "M0CT", 4) == 0;
    C.refill = C.m0 ? REFILL_M0 : REFILL_M4;
    uint32_t n;
    memcpy(&n, b + 8, 4);
    if (12 + (uint64_t)n * 4 > len) {
        die("truncated cost table", path);
    }
    C.cost = malloc((size_t)n * 4 + 4);
    memcpy(C.cost, b + 12, (size_t)n * 4);
    C.n_cost = n;
    free(b);
}

static uc_engine *UC;
static fw_info_t FI;

// Runs from pc until the core calls m4_trap; returns the trap kind.
static uint32_t run_to_trap(uint32_t pc) {
    uc_err e;
    if (pc == FI.trap) {
        // Step over the trap's first instruction, so that `until` can stop there again.
        e = uc_emu_start(UC, pc | 1u, 0xFFFFFFFFu, 0, 1);
        if (e != UC_ERR_OK) {
            die("emulation error", uc_strerror(e));
        }
        uc_reg_read(UC, UC_ARM_REG_PC, &pc);
    }
    e = uc_emu_start(UC, pc | 1u, FI.trap, 0, 0);
    uint32_t now = 0, r0 = 0;
    uc_reg_read(UC, UC_ARM_REG_PC, &now);
    if (e != UC_ERR_OK) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s at pc 0x%08x", uc_strerror(e), now);
        die("emulation error", msg);
    }
    if ((now & ~1u) != FI.trap) {
        die("firmware stopped outside m4_trap", NULL);
    }
    uc_reg_read(UC, UC_ARM_REG_R0, &r0);
    return r0;
}

static const char *dirname_of(const char *p, char *buf, size_t n) {
    const char *s = strrchr(p, '/');
    if (!s) {
        snprintf(buf, n, ".");
    } else {
        snprintf(buf, n, "%.*s", (int)(s - p), p);
    }
    return buf;
}

int main(int argc, char **argv) {
    const char *fw = NULL, *model_path = NULL, *dump = NULL;
    const char *ins[64], *outs[64];
    int n_ins = 0, n_outs = 0, per_op = 0, count = 1;
#ifdef M4EMU_NO_COUNT
    count = 0;
#endif
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-i") && a + 1 < argc && n_ins < 64) {
            ins[n_ins++] = argv[++a];
        } else if (!strcmp(argv[a], "-o") && a + 1 < argc && n_outs < 64) {
            outs[n_outs++] = argv[++a];
        } else if (!strcmp(argv[a], "--dump") && a + 1 < argc) {
            dump = argv[++a];
        } else if (!strcmp(argv[a], "--fw") && a + 1 < argc) {
            fw = argv[++a];
        } else if (!strcmp(argv[a], "--per-op")) {
            per_op = 1;
        } else if (!strcmp(argv[a], "--no-count")) {
            count = 0;
        } else if (!strcmp(argv[a], "--arena") || !strcmp(argv[a], "--repeat")) {
            a++;  // accepted for compatibility with tflm_run, ignored
        } else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
            printf("usage: m4emu [--fw FW.elf] [--per-op] [--no-count] MODEL.tflite [-i IN.bin]... [-o OUT.bin]... [--dump DIR]\n");
            return 0;
        } else if (argv[a][0] != '-' && !model_path) {
            model_path = argv[a];
        } else {
            die("bad argument (see --help)", argv[a]);
        }
    }
    if (!model_path) {
        die("no model given (see --help)", NULL);
    }
    char fwbuf[4200], costbuf[4200], dbuf[4000];
    if (!fw) {
        snprintf(fwbuf, sizeof(fwbuf), "%s/fw.elf", dirname_of(argv[0], dbuf, sizeof(dbuf)));
        fw = fwbuf;
    }
    snprintf(costbuf, sizeof(costbuf), "%s", fw);
    size_t fl = strlen(costbuf);
    if (fl > 4 && !strcmp(costbuf + fl - 4, ".elf")) {
        costbuf[fl - 4] = 0;
    }
    strncat(costbuf, ".cost", sizeof(costbuf) - strlen(costbuf) - 1);
    if (per_op == 0 && dump) {
        per_op = 1;
    }

    uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &UC);
    if (e != UC_ERR_OK) {
        die("uc_open", uc_strerror(e));
    }
    uc_ctl_set_cpu_model(UC, M4EMU_CPU);
    uint32_t model_len;
    uint8_t *model = read_file(model_path, &model_len);
    uint32_t model_map = (model_len + 0xFFFFu) & ~0xFFFFu;
    if (model_map == 0) {
        model_map = 0x10000;
    }
    uc_mem_map(UC, FLASH_BASE, FLASH_SIZE, UC_PROT_ALL);
    uc_mem_map(UC, MODEL_BASE, model_map, UC_PROT_READ);
    uc_mem_map(UC, RAM_BASE, RAM_SIZE, UC_PROT_ALL);
    uc_mem_map(UC, PPB_BASE, PPB_SIZE, UC_PROT_READ | UC_PROT_WRITE);
    uc_mem_write(UC, MODEL_BASE, model, model_len);
    uint32_t fw_len;
    uint8_t *fwb = read_file(fw, &fw_len);
    FI = load_elf(UC, fwb, fw_len);
    free(fwb);
    if (count) {
        load_cost(costbuf);
        if (getenv("M4_PROFILE")) {
            C.prof = calloc(C.n_cost + 1, sizeof(uint64_t));
        }
    }

    m4_mbox_t mb;
    memset(&mb, 0, sizeof(mb));
    mb.magic = M4_MBOX_MAGIC;
    mb.flags = per_op ? M4_FLAG_PER_OP : 0;
    mb.model_addr = MODEL_BASE;
    mb.model_len = model_len;
    uc_mem_write(UC, RAM_BASE, &mb, sizeof(mb));
    uc_reg_write(UC, UC_ARM_REG_SP, &FI.sp);

    // (No memory hook: with one, unicorn 2.1.4's Cortex-M4 corrupts data, so
    // unaligned accesses are not charged; see docs/m4-cost-table.md.)
    uc_hook hc;
    if (count) {
        uc_hook_add(UC, &hc, UC_HOOK_CODE, (void *)hook_code, NULL, 1, 0);
    }
    uint32_t kind = run_to_trap(FI.entry);
    uc_mem_read(UC, RAM_BASE, &mb, sizeof(mb));
    if (kind == M4_TRAP_ERROR) {
        mb.msg[sizeof(mb.msg) - 1] = 0;
        die("cannot prepare model", mb.msg);
    }
    if (kind != M4_TRAP_READY) {
        die("unexpected trap before the invoke", NULL);
    }
    if ((uint32_t)n_ins > mb.n_in) {
        die("more -i files than model inputs", NULL);
    }
    for (int k = 0; k < n_ins; k++) {
        uint32_t flen;
        uint8_t *d = read_file(ins[k], &flen);
        if (flen != mb.in[k].bytes) {
            char msg[160];
            snprintf(msg, sizeof(msg), "input %d needs %u bytes, file %s has %u", k, mb.in[k].bytes, ins[k], flen);
            die("wrong input size", msg);
        }
        uc_mem_write(UC, mb.in[k].addr, d, flen);
        free(d);
    }
    if (C.prof) {
        // The profile covers the invoke only.
        memset(C.prof, 0, (C.n_cost + 1) * sizeof(uint64_t));
    }
    // Stack depth of the invoke: the STACK_PAINT bytes below the trap's
    // stack pointer painted now, the lowest changed word found at the end.
    uint32_t sp0 = 0;
    uc_reg_read(UC, UC_ARM_REG_SP, &sp0);
    const uint32_t paint_lo = sp0 - STACK_PAINT;
    uint32_t *paint = malloc(STACK_PAINT);
    for (uint32_t k = 0; k < STACK_PAINT / 4; k++) {
        paint[k] = 0xA5C3A5C3u;
    }
    uc_mem_write(UC, paint_lo, paint, STACK_PAINT);
    static uint64_t op_insns[MAX_OPS], op_cycles[MAX_OPS];
    const uint64_t i0 = C.insns, c0 = C.cycles, t0 = C.taken, p0 = C.pipelined, x0 = C.unknown;
    uint64_t li = C.insns, lc = C.cycles;
    uint32_t pc = FI.trap;
    for (;;) {
        kind = run_to_trap(pc);
        uc_mem_read(UC, RAM_BASE, &mb, sizeof(mb));
        if (kind == M4_TRAP_OP) {
            if (mb.op < MAX_OPS) {
                op_insns[mb.op] = C.insns - li;
                op_cycles[mb.op] = C.cycles - lc;
            }
            if (dump) {
                for (uint32_t k = 0; k < mb.op_n_out && k < M4_MAX_IO; k++) {
                    char path[4096];
                    uint8_t *buf = malloc(mb.op_out[k].bytes + 1);
                    uc_mem_read(UC, mb.op_out[k].addr, buf, mb.op_out[k].bytes);
                    snprintf(path, sizeof(path), "%s/t%u.bin", dump, mb.op_out[k].index);
                    write_file(path, buf, mb.op_out[k].bytes);
                    free(buf);
                }
            }
            li = C.insns;
            lc = C.cycles;
            continue;
        }
        break;
    }
    if (kind == M4_TRAP_ERROR) {
        mb.msg[sizeof(mb.msg) - 1] = 0;
        die("invoke failed", mb.msg);
    }
    if (kind != M4_TRAP_DONE) {
        die("unexpected trap during the invoke", NULL);
    }
    const uint64_t insns = C.insns - i0, cycles = C.cycles - c0;
    uc_mem_read(UC, paint_lo, paint, STACK_PAINT);
    uint32_t stack_bytes = 0;
    for (uint32_t k = 0; k < STACK_PAINT / 4; k++) {
        if (paint[k] != 0xA5C3A5C3u) {
            stack_bytes = STACK_PAINT - 4 * k;
            break;
        }
    }
    free(paint);
    if (C.prof) {
        // M4_PROFILE=FILE: cycles per halfword address over the invoke (u64 each).
        write_file(getenv("M4_PROFILE"), C.prof, C.n_cost * 8u);
    }
    for (int k = 0; k < n_outs && (uint32_t)k < mb.n_out; k++) {
        uint8_t *buf = malloc(mb.out[k].bytes + 1);
        uc_mem_read(UC, mb.out[k].addr, buf, mb.out[k].bytes);
        write_file(outs[k], buf, mb.out[k].bytes);
        free(buf);
    }
    printf("{\"arena_bytes\":%u,\"arena_head\":%u,\"arena_tail\":%u,\"ops\":%u,\"inputs\":[", mb.arena_bytes,
        mb.arena_head, mb.arena_tail, mb.n_ops);
    for (uint32_t k = 0; k < mb.n_in; k++) {
        printf("%s{\"index\":%u,\"bytes\":%u}", k ? "," : "", mb.in[k].index, mb.in[k].bytes);
    }
    printf("],\"outputs\":[");
    for (uint32_t k = 0; k < mb.n_out; k++) {
        printf("%s{\"index\":%u,\"bytes\":%u}", k ? "," : "", mb.out[k].index, mb.out[k].bytes);
    }
    printf("],\"stack_bytes\":%u", stack_bytes);
    if (count) {
        printf(",\"m4\":{\"core\":\"%s\",\"instructions\":%llu,\"cycles\":%llu,\"taken_branches\":%llu,"
               "\"pipelined_loads\":%llu,\"unknown\":%llu",
            C.m0 ? "cortex-m0plus" : "cortex-m4", (unsigned long long)insns, (unsigned long long)cycles,
            (unsigned long long)(C.taken - t0), (unsigned long long)(C.pipelined - p0),
            (unsigned long long)(C.unknown - x0));
        if (per_op) {
            printf(",\"op_instructions\":[");
            for (uint32_t i = 0; i < mb.n_ops && i < MAX_OPS; i++) {
                printf("%s%llu", i ? "," : "", (unsigned long long)op_insns[i]);
            }
            printf("],\"op_cycles\":[");
            for (uint32_t i = 0; i < mb.n_ops && i < MAX_OPS; i++) {
                printf("%s%llu", i ? "," : "", (unsigned long long)op_cycles[i]);
            }
            printf("]");
        }
        printf("}");
    }
    printf("}\n");
    uc_close(UC);
    free(model);
    return 0;
}
