#!/usr/bin/env bash
# Wall time of `talmint config merge` on a talosconfig holding 1,000 contexts (issue 4).
#
#   benches/merge.sh [RUNS]          (default 30; MERGE_N=1000 contexts)
#
# Two cases, each on a fresh copy of the big config (the copy is not timed):
#   one-into-1000   merge a one-context talosconfig into it (the daily case);
#   1000-into-1000  merge the big config into itself: every name collides, 1,000 renames.
# Uses hyperfine when installed, else a loop timed with bash's `time`. Prints the medians.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-30}
n=${MERGE_N:-1000}
cargo build --release --locked --quiet
bin=$PWD/target/release/talmint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Blobs as long as a real context's: OS CA (~700 base64 chars), client cert (~820), key (~160).
blob() { head -c "$1" /dev/urandom | base64 -w0; }
ca=$(blob 520)
crt=$(blob 610)
key=$(blob 120)
{
    echo "context: cluster-1"
    echo "contexts:"
    for i in $(seq 1 "$n"); do
        printf '    cluster-%d:\n        endpoints:\n            - 10.%d.%d.1\n' \
            "$i" $((i / 250)) $((i % 250))
        printf '        nodes:\n            - 10.%d.%d.2\n' $((i / 250)) $((i % 250))
        printf '        ca: %s\n        crt: %s\n        key: %s\n' "$ca" "$crt" "$key"
    done
} >"$work/big.yaml"
printf 'context: new\ncontexts:\n    new:\n        endpoints: [10.9.9.9]\n        ca: %s\n        crt: %s\n        key: %s\n' \
    "$ca" "$crt" "$key" >"$work/one.yaml"
echo "big config: $n contexts, $(wc -c <"$work/big.yaml") bytes; $runs runs per case"

bench() {
    local name=$1 from=$2
    local cmd="$bin config merge $from --talosconfig $work/target.yaml"
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 3 --runs "$runs" --prepare "cp $work/big.yaml $work/target.yaml" \
            --export-json "$work/$name.json" --output null "$cmd" >/dev/null
        python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; \
print('%-15s median %.2f ms (hyperfine, %d runs)' % (sys.argv[2], r['median']*1000, len(r['times'])))" \
            "$work/$name.json" "$name"
    else
        # Wall time and CPU time (user+sys) per run: on a shared, loaded machine the CPU time is
        # the steadier number.
        local TIMEFORMAT='%R %U %S'
        for _ in $(seq 1 "$runs"); do
            cp "$work/big.yaml" "$work/target.yaml"
            { time $cmd 2>/dev/null; } 2>&1
        done >"$work/$name.times"
        median() { sort -n | awk '{ t[NR] = $1 } END {
            printf "%.1f", ((NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2) * 1000 }'; }
        printf '%-15s median %s ms wall, %s ms cpu (user+sys) (%d runs)\n' "$name" \
            "$(awk '{ print $1 }' "$work/$name.times" | median)" \
            "$(awk '{ print $2 + $3 }' "$work/$name.times" | median)" "$runs"
    fi
    # Sanity: the merged file still parses with every context.
    "$bin" config contexts --talosconfig "$work/target.yaml" | tail -n +2 | wc -l |
        xargs printf '%-15s contexts after merge: %s\n' "$name"
}

bench one-into-1000 "$work/one.yaml"
bench 1000-into-1000 "$work/big.yaml"
