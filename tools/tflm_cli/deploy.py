"""tflm deploy: copy a model (and labels) to the board, verified by hash on the board."""
import os
import pathlib
import subprocess
import sys
import tempfile

from . import board as boardmod
from .common import TOP, CliError, ModelInfo, Progress, host_info

EXAMPLE = """example:
  tflm deploy model.tflite labels.txt --port /dev/ttyACM0     # to the FAT filesystem
  tflm deploy model.tflite --romfs                            # as a ROMFS image: used in place from flash
                                                              # (replaces the board's ROMFS contents)"""


def add_parser(sub):
    p = sub.add_parser("deploy", help="copy a model to the board over serial, verified by hash",
                       description="Check the model fits the board (free heap measured on the board), copy it "
                       "(and a labels file) over the serial REPL with a progress bar, then hash the copy on the "
                       "board (sha256 with hashlib; size + Adler-32 where the firmware has no hashlib) and compare.",
                       epilog=EXAMPLE)
    p.add_argument("model", help=".tflite file")
    p.add_argument("labels", nargs="?", help="labels file (one per line), copied next to the model")
    p.add_argument("--port", help="serial port (default: auto-detect, as mpremote)")
    p.add_argument("--romfs", action="store_true", help="build a ROMFS image with the file(s) and deploy it "
                   "(mpremote romfs deploy); the model is then /rom/NAME")
    p.add_argument("--force", action="store_true", help="copy even if the model does not fit or the engine "
                   "cannot run it")
    p.set_defaults(func=main)
    return p


def check_fit(info, path, arena, free, romfs, force):
    need = arena + boardmod.MODEL_OVERHEAD + (0 if romfs else len(info.data))
    if need > free and not force:
        raise CliError("board too small: %s needs %s bytes of RAM (arena %s%s), the board has %s free"
                       % (os.path.basename(path), "{:,}".format(need), "{:,}".format(arena),
                          "" if romfs else " + the model read into RAM; --romfs uses it in place",
                          "{:,}".format(free)))


def copy_file(b, data, dest, label):
    prog = Progress("copy %s" % label, len(data))
    b.t.fs_writefile(dest, data, chunk_size=2048, progress_callback=lambda d, t: prog.update(d, t))
    prog.update(len(data), force=True)
    prog.done()


def verify(b, data, dest):
    size = b.file_size(dest)
    if size != len(data):
        raise CliError("verify failed: %s on the board is %s bytes, expected %d" % (dest, size, len(data)))
    algo, got = b.hash(dest)
    want = boardmod.local_hash(algo, data)
    if got != want:
        raise CliError("verify failed: %s %s on the board is %s, expected %s" % (dest, algo, got, want))
    return algo, got


def main(a):
    info = ModelInfo(a.model)
    files = [(os.path.basename(a.model), info.data)]
    if a.labels:
        lp = pathlib.Path(a.labels)
        if not lp.exists():
            raise CliError("%s: no such file" % a.labels)
        files.append((lp.name, lp.read_bytes()))
    try:
        arena = host_info(a.model)["arena_bytes"]
    except CliError as e:
        if not a.force:
            raise CliError("%s (use --force to copy it anyway)" % e)
        arena = 0
    port = boardmod.find_port(a.port)
    with boardmod.Board(port) as b:
        free = b.free_heap()
        check_fit(info, a.model, arena, free, a.romfs, a.force)
        if not a.romfs:
            st = b.exec("import os\ns=os.statvfs('/')\nprint(s[0]*s[4])").strip().splitlines()[-1]
            total = sum(len(d) for _, d in files)
            old = sum(b.file_size(n) or 0 for n, _ in files)
            if total > int(st) + old and not a.force:
                raise CliError("board too small: %s bytes to copy, the board's filesystem has %s free"
                               % ("{:,}".format(total), "{:,}".format(int(st) + old)))
            for name, data in files:
                copy_file(b, data, name, name)
            for name, data in files:
                algo, h = verify(b, data, name)
                print("%s: %d bytes on the board at :%s, %s %s verified" % (name, len(data), name, algo, h[:16]))
            print("arena %s bytes, board free heap %s bytes: load it with tflm.Model(%r)"
                  % ("{:,}".format(arena), "{:,}".format(free), files[0][0]))
            return 0
    # ROMFS: image built here, written by mpremote's own `romfs deploy`.
    with tempfile.TemporaryDirectory(prefix="tflm-romfs-") as d:
        stage = pathlib.Path(d) / "stage"
        stage.mkdir()
        for name, data in files:
            (stage / name).write_bytes(data)
        img = pathlib.Path(d) / "model.img"
        p = subprocess.run([sys.executable, str(TOP / "tools" / "mkromfs.py"), str(img), str(stage)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise CliError("mkromfs: " + (p.stderr.strip().splitlines() or ["failed"])[-1])
        size = img.stat().st_size
        prog = Progress("romfs deploy %s bytes" % "{:,}".format(size))
        proc = subprocess.Popen([sys.executable, "-m", "mpremote", "connect", port, "romfs", "deploy", str(img)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log = []
        for line in proc.stdout:
            log.append(line.rstrip())
            prog.update(0)
        proc.wait()
        prog.done("failed" if proc.returncode else None)
        if proc.returncode != 0:
            raise CliError("mpremote romfs deploy: " + (log[-1] if log else "failed"))
    with boardmod.Board(port, soft_reset=True) as b:  # ROMFS is mounted at /rom on (soft) reset
        for name, data in files:
            algo, h = verify(b, data, "/rom/" + name)
            print("%s: %d bytes in ROMFS at /rom/%s, %s %s verified" % (name, len(data), name, algo, h[:16]))
    print("arena %s bytes, board free heap %s bytes: load it with tflm.Model(%r)"
          % ("{:,}".format(arena), "{:,}".format(free), "/rom/" + files[0][0]))
    return 0
