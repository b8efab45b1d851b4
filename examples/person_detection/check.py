"""Host check of the person_detection example: our engine == TFLM, right verdicts.

Each ../shared/data/person_detection/*.bmp goes through the board script's
own read_bmp_gray() and person_detect.tflite with our engine and with the
tflite_micro oracle; the scores must be byte-identical, person.bmp must say
person and no_person.bmp no person.

    .deps/venv/bin/python examples/person_detection/check.py
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hostlib  # noqa: E402

EXAMPLE = "person_detection"
EXPECT = {"person.bmp": "person", "no_person.bmp": "no person"}


def host_results():
    """[(image name, result line, raw scores, input bytes, oracle agrees)]."""
    bs = hostlib.board_script(EXAMPLE)
    model = hostlib.MODELS / bs.MODEL
    res = []
    for img in sorted((hostlib.DATA / EXAMPLE).glob("*.bmp")):
        w, h, pixels = bs.read_bmp_gray(str(img))
        if (w, h) != (bs.SIZE, bs.SIZE):
            continue
        ours = hostlib.run_ours(model, [pixels])
        same = ours == hostlib.oracle(model, [pixels])
        raw = hostlib.signed(ours)
        res.append((img.name, bs.describe(img.name, raw), raw, bytes(pixels), same))
    return res


def main():
    from tflmkit import load_labels

    ok = True
    bs = hostlib.board_script(EXAMPLE)
    labels = load_labels(str(HERE / "labels.txt"))
    if labels != list(bs.LABELS):
        print("labels.txt %s != the script's LABELS %s" % (labels, list(bs.LABELS)))
        ok = False
    results = host_results()
    for name, line, raw, _, same in results:
        _, verdict, _ = hostlib.parse_line(line)
        want = EXPECT.get(name)
        right = want is None or verdict == want
        ok &= same and right
        print("%s  | %s%s" % (line, "bit-exact with TFLM" if same else "MISMATCH with TFLM",
                              "" if right else "  WRONG (want %s)" % want))
    ok &= len(results) >= 2
    return hostlib.finish(ok, "person_detection host check")


if __name__ == "__main__":
    sys.exit(main())
