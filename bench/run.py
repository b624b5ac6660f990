#!/usr/bin/env python3
"""Whole-process benchmarks of overleg beside the tools a secretariat would otherwise use
(git, ripgrep, fzf), on synthetic repositories of several sizes. Writes BENCHMARKS.md.

    python3 bench/run.py                  # 1,000 and 100,000 records
    SIZES=1000 RUNS=3 python3 bench/run.py --out /tmp/b.md   # CI smoke
    SIZES="1000 100000 1000000" python3 bench/run.py

Needs hyperfine, ripgrep and fzf (Debian packages); repositories are generated once into
target/bench/ and reused."""

import json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/overleg"
SIZES = [int(s) for s in os.environ.get("SIZES", "1000 100000").split()]
RUNS = int(os.environ.get("RUNS", "10"))
OUT = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else ROOT / "BENCHMARKS.md"
HOME = os.path.expanduser("~")
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=tempfile.mkdtemp(), OVERLEG_TODAY="2024-06-01",
           CARGO_HOME=os.environ.get("CARGO_HOME", f"{HOME}/.cargo"), RUSTUP_HOME=os.environ.get("RUSTUP_HOME", f"{HOME}/.rustup"))


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, env=ENV, text=True, capture_output=True, **kw)


def hyperfine(cmds, prepare=None):
    """Median seconds of each command, in order."""
    out = tempfile.mktemp(suffix=".json")
    args = ["hyperfine", "-N" if not prepare else "", "--warmup", "2", "--runs", str(RUNS), "--export-json", out]
    args = [a for a in args if a]
    if prepare:
        args += ["--prepare", prepare]
    subprocess.run(args + cmds, check=True, env=ENV, capture_output=True)
    res = json.load(open(out))["results"]
    return [r["median"] for r in res]


def start_seconds(repo, runs=5, settle=0.0):
    """Median time from starting the workbench in a pseudo-terminal (100×30) to the first
    complete frame (the overview with its meetings and actions, not the loading screen), and
    the largest peak memory (MB) of the runs, `settle` seconds after that frame (so the check
    of every file behind the first screen is included)."""
    import fcntl, pty, select, struct, termios
    times, peak = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(str(BIN), [str(BIN), "--repo", str(repo)], dict(ENV, TERM="xterm-256color"))
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        buf, done = b"", None
        while time.perf_counter() - t0 < 60 and done is None:
            if select.select([fd], [], [], 0.005)[0]:
                try:
                    buf += os.read(fd, 1 << 16)
                except OSError:
                    break
                if b"Komende vergaderingen" in buf or b"Upcoming meetings" in buf:
                    done = time.perf_counter() - t0
        time.sleep(settle)
        with open(f"/proc/{pid}/status") as st:
            hwm = next((int(l.split()[1]) for l in st if l.startswith("VmHWM")), 0)
        peak = max(peak, hwm / 1024)
        os.write(fd, b"q")
        os.waitpid(pid, 0)
        os.close(fd)
        if done is None:
            raise RuntimeError(f"no complete frame from the workbench on {repo}")
        times.append(done)
    return sorted(times)[len(times) // 2], peak


def list_key_ms(repo, tab, keys=30):
    """Median milliseconds from a `j` (selection one down) to the first bytes of the redrawn
    screen, in the workbench in a pseudo-terminal (100×30), on the list of `tab` (`""` the
    overview, `"2"` the follow-ups, `"3"` the meetings): the frame a key costs on a long list."""
    import fcntl, pty, select, struct, termios
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(BIN), [str(BIN), "--repo", str(repo)], dict(ENV, TERM="xterm-256color"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))

    def drain(quiet):
        last = time.perf_counter()
        while time.perf_counter() - last < quiet:
            if select.select([fd], [], [], 0.01)[0]:
                os.read(fd, 1 << 16)
                last = time.perf_counter()

    buf, t0 = b"", time.perf_counter()
    while b"Komende vergaderingen" not in buf and b"Upcoming meetings" not in buf:
        if time.perf_counter() - t0 > 60:
            raise RuntimeError(f"no complete frame from the workbench on {repo}")
        if select.select([fd], [], [], 0.01)[0]:
            buf += os.read(fd, 1 << 16)
    drain(1.0)
    os.write(fd, tab.encode())
    drain(1.0)
    lat = []
    for _ in range(keys):
        t = time.perf_counter()
        os.write(fd, b"j")
        select.select([fd], [], [], 10)
        lat.append(time.perf_counter() - t)
        drain(0.1)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return sorted(lat)[len(lat) // 2]


class CountingRelay:
    """A relay on loopback to the server at `port` that counts the bytes clients send it."""

    def __init__(self, port):
        import socket, threading
        self.sent, self.lock, self.target = 0, threading.Lock(), port
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(16)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket, threading
        while True:
            client, _ = self.srv.accept()
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, a, b, count):
        import socket
        try:
            while data := a.recv(1 << 16):
                if count:
                    with self.lock:
                        self.sent += len(data)
                b.sendall(data)
        except OSError:
            pass
        finally:
            try:
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def git_daemon(base):
    """`git daemon` on a free loopback port serving `base`, pushes allowed: (process, port)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                             f"--base-path={base}", "--export-all", "--enable=receive-pack", str(base)],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError("git daemon did not start")


def sync_seconds(repo, n, runs=3, changed=1000):
    """Median whole-process `overleg sync` that merges `changed` incoming changed records (the
    other department's push) with as many local ones (other records, no conflicts), beside
    `git pull --no-rebase` (fetch and merge, no push) of the same commits in a third clone;
    the server a folder, then `git daemon`. And the bytes a sync of one changed record sends
    to `git daemon`, beside `git fetch` and `git push` of the same."""
    import re, shutil
    work = ROOT / f"target/bench/sync-{n}"
    if not (work / "c/.git").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        sh(f"git clone -q --bare {repo} {work}/server.git")
        for c in "abc":
            sh(f"git clone -q {work}/server.git {work}/{c}")
            sh(f"git -C {work}/{c} config user.name {c} && git -C {work}/{c} config user.email {c}@bench.invalid")
            sh(f"git -C {work}/{c} config overleg.department {c.upper()}")
    # git's automatic gc, started in the background by the clones' own `git pull` and `git
    # commit` below, repacked 100,000 objects on the other core while overleg was being timed
    # (it alone made some runs 300 ms slower). It is off here; instead a repository that has
    # gathered many packs is packed now, before the timing, so every run starts alike.
    for r in ["server.git", "a", "b", "c"]:
        sh(f"git -C {work}/{r} config gc.auto 0 && git -C {work}/{r} config maintenance.auto false"
           f" && git -C {work}/{r} config receive.autogc false")
        packs = work / r / ("objects" if r.endswith(".git") else ".git/objects") / "pack"
        if len(list(packs.glob("*.pack"))) > 20:
            sh(f"git -C {work}/{r} gc -q")
    actions = sorted(p.name for p in (work / "a/actions").iterdir())
    theirs, ours = actions[:changed], actions[changed:2 * changed]

    def edit(clone, names, tag):
        for name in names:
            p = work / clone / "actions" / name
            t = p.read_text()
            p.write_text(re.sub(r'^title = "(.*)"$', lambda m: f'title = "{m.group(1)[:60]} {tag}"', t, count=1, flags=re.M))
        sh(f"git -C {work}/{clone} commit -qam '{tag}'")

    def timed_sync(clones):
        """All `clones` up to date, `theirs` changed by b and pushed, `ours` changed in the
        others; then the seconds of `overleg sync` in a."""
        tag = f"r{time.time_ns()}"
        for c in clones:
            sh(f"git -C {work}/{c} pull -q --no-rebase --no-edit")
        edit("b", theirs, tag + "b")
        sh(f"git -C {work}/b push -q")
        for c in clones.replace("b", ""):
            edit(c, ours, tag + "a")
        t = time.perf_counter()
        sh(f"{BIN} --repo {work}/a sync")
        return time.perf_counter() - t

    ov, gt = [], []
    for i in range(runs):
        ov.append(timed_sync("abc"))
        t = time.perf_counter()
        sh(f"git -C {work}/c pull -q --no-rebase --no-edit")
        gt.append(time.perf_counter() - t)
        sh(f"git -C {work}/c reset -q --hard origin/HEAD")

    daemon, port = git_daemon(work)
    relay = CountingRelay(port)
    folder = f"{work}/server.git"
    try:
        sh(f"git -C {work}/a remote set-url origin git://127.0.0.1:{port}/server.git")
        od = [timed_sync("ab") for _ in range(runs)]
        # one changed record, nothing incoming: what goes over the wire
        via = f"git://127.0.0.1:{relay.port}/server.git"
        sh(f"git -C {work}/a remote set-url origin {via}")
        edit("a", ours[:1], "one")
        before = relay.sent
        sh(f"{BIN} --repo {work}/a sync")
        one_overleg = relay.sent - before
        sh(f"git -C {work}/c fetch -q {folder} && git -C {work}/c reset -q --hard FETCH_HEAD")
        edit("c", ours[1:2], "one")
        before = relay.sent
        sh(f"git -C {work}/c fetch -q {via} && git -C {work}/c push -q {via} HEAD:main")
        one_git = relay.sent - before
    finally:
        sh(f"git -C {work}/a remote set-url origin {folder}")
        daemon.kill()
        daemon.wait()
    sh(f"git -C {work}/c reset -q --hard origin/HEAD")
    med = lambda v: sorted(v)[len(v) // 2]
    return med(ov), med(gt), med(od), one_overleg, one_git


def peak_rss_mb(cmd):
    r = subprocess.run(f"/usr/bin/time -f %M {cmd} > /dev/null", shell=True, env=ENV, text=True, capture_output=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def cargo_bench(name, sizes):
    """The result lines of an in-process benchmark."""
    r = subprocess.run(["cargo", "bench", "-q", "--bench", name], cwd=ROOT, env=dict(ENV, SIZES=sizes),
                       text=True, capture_output=True, check=True)
    return [l.rstrip() for l in r.stdout.splitlines() if l.strip()]


def main():
    sh("cargo build --release -q", cwd=ROOT)
    rows = []
    for n in SIZES:
        repo = ROOT / f"target/bench/repo-{n}"
        if not (repo / ".git").exists():
            t = time.time()
            sh(f"rm -rf {repo} && {BIN} gen --records {n} --out {repo} --history 20")
            print(f"generated {n} in {time.time() - t:.0f}s", file=sys.stderr)
        huge = n >= 1_000_000
        global RUNS
        runs = RUNS
        if huge:
            RUNS = min(RUNS, 3)
        titles = repo / ".git/titles.txt"
        sh(f"grep -h '^title' -r {repo}/actions {repo}/items {repo}/meetings > {titles}")
        o = f"{BIN} --repo {repo}"
        sh(f"{o} check > /dev/null")  # the record cache and its stamps
        sh(f"{o} list actions --json > /dev/null")
        time.sleep(2.5)  # let the folders age past the two-second rule
        sh(f"{o} list actions --json > /dev/null")
        sh(f"{o} search financien > /dev/null")
        ref = json.loads(sh(f"{o} list actions --status open --json").stdout)[0]["ref"]
        (lo, srch, gst, rg, fzf) = hyperfine([
            f"{o} list actions --status open --json",
            f"{o} search financien",
            f"git -C {repo} status --porcelain",
            f"rg -q -F 'openstaande punten over de financiering' {repo}",
            f"sh -c 'fzf --filter financien < {titles}'",
        ])
        (chk,) = hyperfine([f"{o} check"]) if not huge else (None,)
        rss = peak_rss_mb(f"{o} list actions --status open --json")
        start_seconds(repo, runs=1)  # leaves the snapshots of a fresh start behind
        time.sleep(2.5)
        start, wb_rss = start_seconds(repo, runs=RUNS if not huge else 3, settle=3 if not huge else 15)
        keys = [list_key_ms(repo, tab) for tab in ["", "2", "3"]]
        (setv,) = hyperfine([f"sh -c '{o} set {ref} status_note=run-$(date +%s%N) > /dev/null'"])
        if not huge:
            victim = sorted((repo / "actions").iterdir())[0]
            (gcommit,) = hyperfine(
                [f"git -C {repo} -c user.name=b -c user.email=b@b commit -qam bench"],
                prepare=f"sh -c 'echo \"# $(date +%s%N)\" >> {victim}'",
            )
            sync, pull, sync_d, one_o, one_g = sync_seconds(repo, n, runs=3, changed=min(1000, n // 4))
        else:
            gcommit = sync = pull = sync_d = one_o = one_g = None
        RUNS = runs
        rows.append(dict(n=n, start=start, wb_rss=wb_rss, keys=keys, list=lo, search=srch, check=chk, set=setv, sync=sync,
                         sync_d=sync_d, one_o=one_o, one_g=one_g, gst=gst, gcommit=gcommit, pull=pull, rg=rg, fzf=fzf, rss=rss))
        print(rows[-1], file=sys.stderr)
    inproc = {name: cargo_bench(name, " ".join(str(n) for n in SIZES)) for name in ["keystroke", "save"]}
    inproc["merge"] = cargo_bench("merge", "")

    ms = lambda s: "—" if s is None else (f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s")
    mb = lambda m: f"{m:,.0f} MB"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    lines = [
        "# Benchmarks",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
        f"whole processes, warm page cache, median of {RUNS} runs (hyperfine; 3 at 1,000,000). Synthetic repositories "
        "from `overleg gen` (one TOML file per record, 20 commits of history). Regenerate with `python3 bench/run.py` "
        "(`SIZES=\"1000 100000 1000000\"` for all three).",
        "",
        "## overleg",
        "",
        "| records | workbench start (first complete frame) | peak RSS, workbench open | `list actions --status open --json` | peak RSS `list` | `search financien` | `check` | `set` (one commit) | `sync` (1,000 in, 1,000 out) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['n']:,} | {ms(r['start'])} | {mb(r['wb_rss'])} | {ms(r['list'])} | {mb(r['rss'])} | {ms(r['search'])} | "
                     f"{ms(r['check'])} | {ms(r['set'])} | {ms(r['sync'])} |")
    kb = lambda b: "—" if b is None else (f"{b:,} B" if b < 10_000 else f"{b / 1000:,.0f} kB")
    lines += [
        "",
        "Sync with `git daemon` as the server (loopback, the server's git on the same two cores), and the "
        "bytes sent to it to share one changed record:",
        "",
        "| records | `sync` (1,000 in, 1,000 out) | one record: `overleg sync` sends | `git fetch` + `git push` send |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['n']:,} | {ms(r['sync_d'])} | {kb(r['one_o'])} | {kb(r['one_g'])} |")
    lines += [
        "",
        "A key in a long list (`j`, from the key to the first bytes of the redrawn screen, median of 30):",
        "",
        "| records | overview (my follow-ups) | follow-ups list | meetings list |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['n']:,} | " + " | ".join(f"{k * 1000:.1f} ms" for k in r["keys"]) + " |")
    lines += [
        "",
        "## The anchors, measured in the same run",
        "",
        "| records | git status | git commit -am (one file) | git pull (fetch + merge, 1,000 in, 1,000 local) | rg phrase | fzf --filter titles |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['n']:,} | {ms(r['gst'])} | {ms(r['gcommit'])} | {ms(r['pull'])} | {ms(r['rg'])} | {ms(r['fzf'])} |")
    lines += ["", "Ratios (overleg / anchor):", ""]
    for r in rows:
        parts = [f"search / fzf = {r['search'] / r['fzf']:.1f}×", f"list / git status = {r['list'] / r['gst']:.2f}×"]
        if r["gcommit"]:
            parts.append(f"set / git commit -am = {r['set'] / r['gcommit']:.2f}×")
        if r["pull"]:
            parts.append(f"sync / git pull = {r['sync'] / r['pull']:.2f}× (sync also pushes)")
        lines.append(f"- {r['n']:,} records: " + "; ".join(parts))
    lines += ["", "## In process (`cargo bench`)", "",
              "`benches/keystroke.rs`: loading, building the search index, and keys typed into the search box "
              "(fuzzy + filters over every record; the workbench runs this on its search thread). "
              "`benches/save.rs`: a field edit in the workbench, from the key to the saved result with the agenda "
              "and search index up to date. `benches/merge.rs`: the record-aware merge alone.", "", "```"]
    for name in ["keystroke", "save", "merge"]:
        lines += inproc[name]
    lines += ["```", ""]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
