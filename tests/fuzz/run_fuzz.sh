#!/usr/bin/env bash
# Bounded libFuzzer run over the engine: run_fuzz.sh BUILD_DIR SECONDS
#
# Seeds (used in place, copied under BUILD_DIR/seeds at run time, never into
# the repo): ../shared/models, ../shared/tflm-tests/seanet, the hostile corpus,
# and the small generated test models under build/ when they exist. New
# inputs accumulate in BUILD_DIR/corpus; crashes land in BUILD_DIR/artifacts/.
# Prints "fuzz: N executions in S s, C crashes"; exit 1 on any crash.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1
secs=${2:-180}
bin=$out/fuzz_model
mkdir -p "$out/corpus" "$out/artifacts"
rm -rf "$out/seeds"
mkdir -p "$out/seeds"
shopt -s nullglob
shared="${TFLM_SHARED:-$top/../shared}"
for f in "$shared"/models/*.tflite "$shared"/tflm-tests/seanet/*/*.tflite "$here"/hostile/*.tflite "$here"/regress/*.tflite; do
    d=$(basename "$(dirname "$f")")
    cp "$f" "$out/seeds/${d}_$(basename "$f")"
done
# Small single-op models other tests generate (not in the repo): at most 400.
n=0
for f in "$top"/build/conformance/models/*.tflite "$top"/build/*/models/*.tflite; do
    [ "$n" -ge 400 ] && break
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$out/seeds/gen_$n.tflite"
    n=$((n + 1))
done
echo "fuzz: $(ls "$out/seeds" | wc -l) seed files, $secs s"
log=$out/fuzz.log
before=$(ls "$out/artifacts" | wc -l)
"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len=400000 \
    -dict="$here/tflite.dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1 \
    "$out/corpus" "$out/seeds" > "$log" 2>&1
rc=$?
after=$(ls "$out/artifacts" | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
crashes=$((after - before))
grep -E "ERROR: |SUMMARY: |engine invariant broken|Test unit written" "$log" | head -20
echo "fuzz: ${execs:-0} executions in $secs s, $crashes crashes (log: $log)"
if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    echo "fuzz: FAILED (exit $rc); reproduce with: $bin $out/artifacts/<file>"
    exit 1
fi
