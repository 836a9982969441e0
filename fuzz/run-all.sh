#!/usr/bin/env bash
# Fuzzes every target in turn, continuously, and stops by itself.
#
#   fuzz/run-all.sh                      # 10 min per target, 1 h in all
#   PER_TARGET=60 TOTAL=600 fuzz/run-all.sh
#   SANITIZER=address fuzz/run-all.sh    # ASan on stable, via RUSTC_BOOTSTRAP=1
#
# Each round runs every target for PER_TARGET seconds (libFuzzer's
# -max_total_time), one after the other (one process: the machine is shared), with
# the dictionary, writing new corpus entries back into fuzz/corpus/<target>/.
# Rounds repeat until TOTAL seconds have passed. A crash stops only its target:
# the artifact stays in fuzz/artifacts/<target>/, the other targets go on, and
# the script exits 1 at the end. Minimise what it found with `cargo fuzz cmin`
# before committing (see fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")"

PER_TARGET=${PER_TARGET:-600}
TOTAL=${TOTAL:-3600}
SANITIZER=${SANITIZER:-none}
TARGETS=${TARGETS:-$(cargo fuzz list)}

sanitizer_env=()
if [ "$SANITIZER" != none ]; then
    sanitizer_env=(env RUSTC_BOOTSTRAP=1)
fi

"${sanitizer_env[@]}" cargo fuzz build -s "$SANITIZER"

deadline=$((SECONDS + TOTAL))
crashed=()
mkdir -p logs
while ((SECONDS < deadline)); do
    for target in $TARGETS; do
        left=$((deadline - SECONDS))
        ((left > 0)) || break 2
        budget=$((left < PER_TARGET ? left : PER_TARGET))
        dict=()
        case "$target" in
        pool_ops | date_format) ;;
        resolve_range | evaluate_conditions | normalize_target | negotiate_content) dict=(-dict=semantics.dict) ;;
        *) dict=(-dict=http.dict) ;;
        esac
        mkdir -p "corpus/$target"
        echo "=== $target for ${budget}s ($(date -u +%T))"
        if ! "${sanitizer_env[@]}" cargo fuzz run -s "$SANITIZER" "$target" "corpus/$target" -- \
            -max_total_time="$budget" -timeout=10 -print_final_stats=1 "${dict[@]}" \
            >"logs/$target.log" 2>&1; then
            echo "!!! $target crashed: see fuzz/logs/$target.log and fuzz/artifacts/$target/"
            crashed+=("$target")
            TARGETS=$(printf '%s\n' $TARGETS | grep -vx "$target" || true)
        fi
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|DONE' "logs/$target.log" | tail -3 || true
        echo "    corpus: $(find "corpus/$target" -type f | wc -l) files"
    done
    [ -n "$TARGETS" ] || break
done
if ((${#crashed[@]})); then
    echo "crashed: ${crashed[*]}"
    exit 1
fi
echo "no crash"
