#!/usr/bin/env bash
# Wall time and peak memory (median of N runs, /usr/bin/time -v) of talmint's main commands next to
# openssl doing the equivalent work.
#   cargo build --release && benches/cli.sh [N]
# Equivalents: `gen secrets` ~ four CA certificates (3 ECDSA P-256, 1 Ed25519) plus an RSA-4096
# key; `config new` ~ one Ed25519 key plus a certificate signed by an Ed25519 CA.
set -euo pipefail
n=${1:-5}
bin=$(cd "$(dirname "$0")/.." && pwd)/target/release/talmint
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# wall_ms CMD...: milliseconds from spawning CMD (output discarded) to its exit.
wall_ms() {
    python3 - "$@" <<'PY'
import os, sys, time
argv = sys.argv[1:]
null = os.open(os.devnull, os.O_WRONLY)
acts = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
t = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=acts)
_, status = os.waitpid(pid, 0)
print(f"{(time.perf_counter() - t) * 1e3:.2f}")
PY
}

seq_id=0
# measure NAME CMD...: prints "NAME  median-wall-ms  median-peak-KiB"
# The working directory starts as a copy of $fixture (default: fixture).
measure() {
    local name=$1; shift
    local fixture=${fixture:-fixture}
    local walls=() rss=()
    for _ in $(seq "$n"); do
        seq_id=$((seq_id + 1))
        local i=$seq_id
        # A fresh copy per run, never deleted before the end: on ext4 without a journal, files
        # created right after a mass delete wait while the allocator skips the freed inodes.
        mkdir "run$i" && cp -r "./$fixture/." "run$i/"
        sync  # time only what the command itself writes and flushes
        # Wall time from spawn to exit, timed inside python3 so that no other process start is
        # counted (/usr/bin/time only resolves 10 ms; `date` around it adds two spawns).
        walls+=("$(cd "run$i" && wall_ms "$@")")
        mkdir "mem$i" && cp -r "./$fixture/." "mem$i/"
        (cd "mem$i" && /usr/bin/time -v -o ../time.txt "$@" >/dev/null 2>&1)
        rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)")
    done
    local mw mr
    mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk -v m=$(( (n+1)/2 )) 'NR==m')
    mr=$(printf '%s\n' "${rss[@]}" | sort -n | awk -v m=$(( (n+1)/2 )) 'NR==m')
    printf '%-44s %10s ms %10s KiB\n' "$name" "$mw" "$mr"
}

mkdir -p fixture
"$bin" gen secrets -o fixture/secrets.yaml
"$bin" gen ca --organization talos >/dev/null && mv talos.crt talos.key talos.sha256 fixture/
sed 's/ED25519 PRIVATE KEY/PRIVATE KEY/' fixture/talos.key > fixture/talos-openssl.key

openssl_secrets() {
    for o in etcd kubernetes front-proxy; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$o.key" \
            -out "$o.crt" -subj "/O=$o" -days 3650 -addext keyUsage=critical,digitalSignature,keyCertSign \
            -addext extendedKeyUsage=serverAuth,clientAuth 2>/dev/null
    done
    openssl req -x509 -newkey ed25519 -nodes -keyout os.key -out os.crt -subj /O=talos -days 3650 2>/dev/null
    openssl genrsa -traditional -out sa.key 4096 2>/dev/null
}
export -f openssl_secrets
openssl_config_new() {
    openssl genpkey -algorithm ed25519 -out c.key
    openssl req -new -key c.key -subj /O=os:admin -out c.csr
    printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > ext.cnf
    openssl x509 -req -in c.csr -CA talos.crt -CAkey talos-openssl.key -CAcreateserial -days 365 \
        -extfile ext.cnf -out c.crt 2>/dev/null
}
export -f openssl_config_new

echo "median of $n runs on $(nproc) cores"
measure "talmint gen secrets"                    "$bin" gen secrets -o new.yaml
measure "openssl equivalent (4 CAs + RSA-4096)"  bash -c openssl_secrets
measure "talmint config new --with-secrets"      "$bin" config new t1 --with-secrets secrets.yaml
# Issuing again beside the same bundle: its ledger exists (above, the first issuance creates it).
mkdir issued && cp -r fixture/. issued/ && (cd issued && "$bin" config new t0 --with-secrets secrets.yaml)
fixture=issued measure "  ... again (the ledger exists)"  "$bin" config new t1 --with-secrets secrets.yaml
fixture=issued measure "  ... again, to stdout (-o -)"    "$bin" config new -o - --with-secrets secrets.yaml
measure "talmint config new --ca-crt/--ca-key"   "$bin" config new t2 --ca-crt talos.crt --ca-key talos.key
measure "openssl equivalent (key + CSR + sign)"  bash -c openssl_config_new
