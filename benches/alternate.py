#!/usr/bin/env python3
"""Time two talmint builds back to back, alternating, on the same command.

    benches/alternate.py RUNS OLD_BINARY NEW_BINARY ARGS...

Runs `OLD ARGS` and `NEW ARGS` alternately RUNS times each in a scratch directory holding a fresh
secrets bundle (made by NEW) and prints each build's median wall time, from spawn to exit, with
a bare `/bin/true` spawn for scale. An argument `t.talosconfig` is removed before every run, so
`config new t.talosconfig --with-secrets secrets.yaml` issues again beside an existing ledger.
Alternating keeps both builds in the same state of a machine whose speed drifts. Copy each build
aside and run `sync` first: a binary cargo has just written ran 0.26-0.33 ms slower per run here
until the disk had it.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    runs, args = int(sys.argv[1]), sys.argv[4:]
    # The runs happen in a scratch directory: resolve the builds' paths first.
    old, new = (os.path.abspath(p) for p in sys.argv[2:4])
    work = tempfile.mkdtemp(prefix="talmint-alternate-")
    os.chdir(work)
    subprocess.run([new, "gen", "secrets", "-o", "secrets.yaml"], check=True)
    null = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
    cmds = {"/bin/true": ["/bin/true"], "old": [old, *args], "new": [new, *args]}
    walls = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            if os.path.exists("t.talosconfig"):
                os.unlink("t.talosconfig")
            start = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
            _, status = os.waitpid(pid, 0)
            walls[name].append((time.perf_counter() - start) * 1e3)
            if status != 0:
                sys.exit(f"{name} failed: {' '.join(argv)}")
    for name, wall in walls.items():
        wall.sort()
        q = len(wall) // 4
        print(f"{name:10s} median {statistics.median(wall):.2f} ms  (p25 {wall[q]:.2f}, p75 {wall[-q - 1]:.2f})")
    print(f"scratch directory (delete when done): {work}")


if __name__ == "__main__":
    main()
