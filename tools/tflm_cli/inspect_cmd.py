"""tflm inspect: what a model needs and whether it fits a board."""
import os

from . import board as boardmod
from .common import CliError, ModelInfo, dump_json, host_info, registry_ops

HELP = "ops, tensors, MACs, arena bytes and a fits/doesn't-fit verdict per board"
EXAMPLE = """example:
  tflm inspect model.tflite --board rp2040
  tflm inspect model.tflite --json | jq .arena_bytes
  tflm inspect model.tflite --port /dev/ttyACM0     # free heap measured on the board"""


def add_parser(sub):
    p = sub.add_parser("inspect", help=HELP, description="Show a .tflite model's inputs, outputs, op table "
                       "(support in this engine), MACs, parameter bytes, the exact arena bytes from our "
                       "planner (same on 32-bit boards) and whether it fits each board's RAM and flash.",
                       epilog=EXAMPLE)
    p.add_argument("model", help=".tflite file")
    p.add_argument("--board", choices=sorted(boardmod.BOARDS), help="only this board; exit 1 if it does not fit")
    p.add_argument("--port", help="measure the free heap on this board (serial port) instead of the constant")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=main)
    return p


def analyse(path, boards=None, free_heap=None):
    info = ModelInfo(path)
    supported = registry_ops()
    ops = []
    for op in info.ops:
        ops.append({"index": op["index"], "name": op["name"], "version": op["version"],
                    "supported": op["name"] in supported, "macs": info.macs(op["index"])})
    res = {"model": os.path.abspath(path), "model_bytes": len(info.data),
           "inputs": info.io("inputs"), "outputs": info.io("outputs"),
           "ops": ops, "n_ops": len(ops), "macs": sum(o["macs"] for o in ops), "param_bytes": info.param_bytes,
           "unsupported": sorted({o["name"] for o in ops if not o["supported"]}),
           "arena_bytes": None, "arena_bytes_lean": None, "arena_bytes_dual": None, "error": None}
    try:
        res["arena_bytes"] = host_info(path)["arena_bytes"]
        res["arena_bytes_lean"] = host_info(path, lean=True)["arena_bytes"]
        res["arena_bytes_dual"] = host_info(path, cores=2)["arena_bytes"]
    except CliError as e:
        res["error"] = str(e)
    # A board with two cores plans for both by default (tflm.Model(..., cores=2)).
    res["fits"] = {b: boardmod.verdict(b, res["arena_bytes_dual"] if boardmod.BOARDS[b].get("cores", 1) == 2
                                       else res["arena_bytes"], len(info.data),
                                       free_heap if free_heap is not None else None)
                   for b in (boards or sorted(boardmod.BOARDS))}
    return res, info


def fmt_q(t):
    if t["scale"] is None:
        return ""
    if isinstance(t["scale"], list):
        return "per-channel (%d scales)" % len(t["scale"])
    return "scale %.6g zero_point %d" % (t["scale"], t["zero_point"])


def print_text(res):
    print("model   %s (%s bytes, %s parameter bytes)" % (res["model"], "{:,}".format(res["model_bytes"]),
                                                        "{:,}".format(res["param_bytes"])))
    for kind in ("inputs", "outputs"):
        for i, t in enumerate(res[kind]):
            print("%-7s %d: %s %s %s" % (kind[:-1], i, t["dtype"], tuple(t["shape"]), fmt_q(t)))
    print("")
    print("  #  op                         ver  support      MACs")
    for o in res["ops"]:
        print("%3d  %-26s %3d  %-11s %s" % (o["index"], o["name"], o["version"],
                                           "yes" if o["supported"] else "UNSUPPORTED", "{:,}".format(o["macs"])))
    print("total: %d ops, %s MACs" % (res["n_ops"], "{:,}".format(res["macs"])))
    if res["arena_bytes"] is not None:
        print("arena: %s bytes (exact, our planner, 32-bit target); %s with tflm.Model(..., lean=True); "
              "%s planned for two cores (cores=2, the Pico's default)" % (
                  "{:,}".format(res["arena_bytes"]), "{:,}".format(res["arena_bytes_lean"]),
                  "{:,}".format(res["arena_bytes_dual"])))
    else:
        print("arena: - (%s)" % res["error"])
    print("")
    for b, v in res["fits"].items():
        if "ram_needed_romfs" not in v:
            print("%-9s does not fit: %s" % (b, v["reason"]))
            continue
        mark = "DOES NOT FIT" if not v["fits"] else ("fits" if v["fits_fat"] else "fits (ROMFS only)")
        print("%-9s %s  RAM: arena+%d = %s of %s free (model in ROMFS) / %s (model in FAT, read into RAM); "
              "flash: %s of FAT %s, ROMFS %s  [%s]" % (
                  b, mark, boardmod.MODEL_OVERHEAD, "{:,}".format(v["ram_needed_romfs"]),
                  "{:,}".format(v["free_heap"]), "{:,}".format(v["ram_needed_fat"]),
                  "{:,}".format(res["model_bytes"]), "{:,}".format(v["flash_fat"]),
                  "{:,}".format(v["flash_romfs"]), v["free_heap_source"]))
        if not v["fits"]:
            print("          -> %s" % v["reason"])


def main(a):
    free = None
    if a.port:
        with boardmod.Board(a.port) as b:
            free = b.free_heap()
    boards = [a.board] if a.board else (["rp2040"] if a.port else None)
    res, _ = analyse(a.model, boards, free)
    if a.json:
        dump_json(res)
    else:
        print_text(res)
    if a.board and not res["fits"][a.board]["fits"]:
        raise CliError("%s does not fit %s: %s" % (os.path.basename(a.model), a.board,
                                                   res["fits"][a.board]["reason"]))
    return 0
