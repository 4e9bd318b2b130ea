#!/usr/bin/env python3
"""`make bench`: seeds a PostgreSQL database (once), serves the portal with gunicorn under the production
settings (vamos.settings.bench: production plus a bare view and a query-count header), drives it over HTTP
from this process, runs the booking storm and the background benchmark, and writes the results
(var/bench/results.json, docs/benchmarks.json, a table in docs/benchmarks.md).

The load driver is the standard library: one thread per virtual person, each with its own keep-alive
http.client connection and session cookie. No new dependency: locust would add gevent and a web UI for what
fits in a page here. The driver shares the 2 cores with the server, as a real client on the same machine
would; its own cost is part of the figures (the bare view shows it).

Each page is compared with the bare view measured right before it (for half a page's time), not only with the
first one: on a shared machine the share of the CPU this run gets drifts by a third within minutes, and a page
divided by a floor measured minutes earlier under other conditions says more about the neighbours than about
the page. The first bare view stays the table's first row; each page's row names the floor it was divided by.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vamos_bench REDIS_URL=redis://127.0.0.1:6379/7 \
        python scripts/bench.py [--scale 0.1] [--users 20] [--seconds 10] [--skip-background] [--port 8765]
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST, PORT = "127.0.0.1", 8765
MARK_BEGIN = "<!-- bench:begin (written by scripts/bench.py) -->"
MARK_END = "<!-- bench:end -->"


# ---- the environment of the server and the commands ------------------------------------------------------------
def bench_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "vamos.settings.bench",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "SECRET_KEY": args.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "INSECURE_LOCAL_HTTP": "true",
            "VAMOS_STAFF_MFA_REQUIRED": "false",
            "EMAIL_BACKEND": "vamos.bench.mail.CountingBackend",
            "MEDIA_ROOT": str(OUT_DIR / "media"),
            "STATIC_ROOT": str(OUT_DIR / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(args, *arguments, capture=False) -> str:
    result = subprocess.run(  # noqa: S603 - this interpreter, our manage.py
        [PYTHON, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=bench_env(args),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def ensure_database(args) -> bool:
    """Creates the database if missing; returns True when it holds no benchmark data yet."""
    import psycopg

    url = urllib.parse.urlparse(args.database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage(args, "migrate", "--no-input", "-v0")
    with psycopg.connect(args.database_url) as conn:
        return not conn.execute("SELECT 1 FROM academy_user WHERE email LIKE '%%@bench.invalid' LIMIT 1").fetchone()


# ---- the load driver ------------------------------------------------------------------------------------------
class Client:
    """One virtual person: a keep-alive connection, a session cookie, a CSRF secret of their own."""

    def __init__(self, session: str):
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret in the form
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"

    def request(self, method: str, path: str) -> tuple[float, int, int | None]:
        headers = {"Cookie": self.cookie, "Host": f"{HOST}:{PORT}"}
        body = None
        if method == "POST":
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
            return time.perf_counter() - began, 599, None
        elapsed = time.perf_counter() - began
        queries = response.getheader("X-Bench-Queries")
        return elapsed, response.status, int(queries) if queries else None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def drive(name: str, sessions: list[str], paths, *, method="GET", seconds: float, limit: int | None = None) -> dict:
    """Every session asks for its paths in a loop for `seconds` (or `limit` requests each), all at once."""
    results: list[tuple[float, int, int | None]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def person(index: int) -> None:
        client = Client(sessions[index])
        own = paths(index)
        client.request("GET", "/bench/bare/")  # connect and warm up outside the clock
        start.wait()
        mine, n = [], 0
        while time.perf_counter() < deadline[0] and (limit is None or n < limit):
            mine.append(client.request(method, own[n % len(own)]))
            n += 1
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds + 3600  # set properly once everyone is connected
    start.wait()
    began = time.perf_counter()
    deadline[0] = began + seconds
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    times = [r[0] * 1000 for r in results]
    statuses = [r[1] for r in results]
    queries = [r[2] for r in results if r[2] is not None]
    row = {
        "page": name,
        "method": method,
        "concurrency": len(sessions),
        "requests": len(results),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "throughput_rps": round(len(results) / wall, 1),
        "queries": max(queries) if queries else None,
        "queries_min": min(queries) if queries else None,
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "errors_5xx": sum(1 for s in statuses if s >= 500),
    }
    print(
        f"  {name:<28} p50 {row['p50_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f}  p99 {row['p99_ms']:>7.1f} ms  "
        f"{row['throughput_rps']:>6.1f}/s  {row['queries']} queries  {row['statuses']}",
        flush=True,
    )
    return row


def page_spec(plan: dict) -> list[tuple]:
    """The pages the benchmark measures: (name, whose sessions: "members", "coach" or "staff", the paths virtual
    person i asks for, options)."""
    members = plan["members"]

    def each(build):
        return lambda i: [build(members[i])]

    return [
        ("bare view (floor)", "members", lambda i: ["/bench/bare/"], {}),
        ("catalogue", "members", lambda i: ["/veranstaltungen/"], {}),
        (
            "catalogue, filtered",
            "members",
            lambda i: [f"/veranstaltungen/?topic={plan['topic']}&format=online&free=on"],
            {},
        ),
        ("event page", "members", each(lambda m: f"/veranstaltungen/{m['event']}/"), {}),
        (
            "booking POST",
            "members",
            lambda i: [f"/veranstaltungen/{pk}/buchen/" for pk in members[i]["book"]],
            {"method": "POST", "limit_own": True},
        ),
        ("my bookings", "members", lambda i: ["/veranstaltungen/meine-buchungen/"], {}),
        ("organisation home", "members", each(lambda m: f"/organisationen/{m['organisation']}/"), {}),
        ("module page", "members", each(lambda m: f"/lernen/module/{m['module']}/"), {}),
        ("lesson page", "members", each(lambda m: f"/lernen/module/{m['module']}/lektion/{m['lesson']}/"), {}),
        ("coach's case list", "coach", lambda i: ["/coaching/coach/"], {}),
        ("staff statistics", "staff", lambda i: ["/team/statistik/"], {}),
        ("admin booking list", "staff", lambda i: ["/admin/events/booking/"], {}),
    ]


def page_paths(plan: dict) -> list[tuple[str, str, str]]:
    """(name, whose, path) of each page that is read (not the booking POST), as the first virtual person asks for
    it: what scripts/calls.py measures."""
    return [
        (name, whose, paths(0)[0])
        for name, whose, paths, options in page_spec(plan)
        if options.get("method", "GET") == "GET"
    ]


def pages(plan: dict, args) -> list[dict]:
    members = plan["members"]
    sessions_of = {
        "members": [m["session"] for m in members],
        "coach": [plan["coach"]["session"]] * args.users,
        "staff": [plan["staff"]["session"]] * args.users,
    }
    rows = []
    for index, (name, whose, paths, options) in enumerate(page_spec(plan)):
        limit = None
        if options.get("limit_own"):
            limit = min(len(members[i]["book"]) for i in range(len(members)))
        floor = None
        if index:  # the bare view again, right before this page (the first row is the bare view itself)
            floor = drive(
                "  bare view, just before", sessions_of["members"], lambda i: ["/bench/bare/"], seconds=args.seconds / 2
            )
        row = drive(
            name, sessions_of[whose], paths, method=options.get("method", "GET"), seconds=args.seconds, limit=limit
        )
        row["floor_p95_ms"] = (floor or row)["p95_ms"]
        row["p95_ratio_to_floor"] = round(row["p95_ms"] / row["floor_p95_ms"], 1) if row["floor_p95_ms"] else None
        rows.append(row)
    return rows


def booking_storm(plan: dict, args) -> dict:
    storm = plan["storm"]
    path = f"/veranstaltungen/{storm['event']}/buchen/"
    row = drive("booking storm", storm["sessions"], lambda i: [path], method="POST", seconds=600, limit=1)
    outcome = json.loads(manage(args, "bench_prepare", "--storm-result", str(storm["event"]), capture=True))
    took = row["requests"] / row["throughput_rps"] if row["throughput_rps"] else 0
    return {
        "clients": len(storm["sessions"]),
        "seats": storm["seats"],
        "bookings_per_second": row["throughput_rps"],
        "seconds": round(took, 2),
        "p50_ms": row["p50_ms"],
        "p95_ms": row["p95_ms"],
        "statuses": row["statuses"],
        "errors_5xx": row["errors_5xx"],
        **outcome,
        "exactly_right": outcome["storm_confirmed"] == storm["seats"]
        and outcome["storm_waiting"] == len(storm["sessions"]) - storm["seats"]
        and outcome["confirmed"] == outcome["capacity"] == outcome["confirmed_count_column"]
        and outcome["people_with_two_active"] == 0,
    }


# ---- the server -----------------------------------------------------------------------------------------------
def port_is_free() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as gunicorn binds: the last run's connections waiting out TIME_WAIT do not make the port taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, PORT))
        except OSError:
            return False
    return True


def start_server(args) -> subprocess.Popen:
    if not port_is_free():  # else the driver would measure whatever answers there
        raise SystemExit(f"{HOST}:{PORT} is in use by another program; choose another with --port.")
    log = open(OUT_DIR / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(  # noqa: S603 - our gunicorn, fixed arguments
        [
            str(BIN / "gunicorn"),
            "vamos.wsgi",
            f"--bind={HOST}:{PORT}",
            f"--workers={args.workers}",
            "--worker-tmp-dir=/dev/shm",
            "--keep-alive=75",
            "--timeout=120",
            "--backlog=2048",
        ],
        cwd=BASE_DIR,
        env=bench_env(args),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped; see var/bench/gunicorn.log")
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/bench/bare/", headers={"Host": f"{HOST}:{PORT}"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer within a minute; see var/bench/gunicorn.log")


# ---- results --------------------------------------------------------------------------------------------------
def machine() -> dict:
    memory = 0
    with open("/proc/meminfo") as handle:
        memory = int(re.search(r"MemTotal:\s+(\d+)", handle.read()).group(1)) // 1024
    cpu = ""
    with open("/proc/cpuinfo") as handle:
        found = re.search(r"model name\s*:\s*(.+)", handle.read())
        cpu = found.group(1).strip() if found else platform.machine()
    versions = json.loads(
        subprocess.run(  # noqa: S603 - this interpreter
            [
                PYTHON,
                "-c",
                "import json, django, gunicorn, celery, psycopg, weasyprint; print(json.dumps({'django': "
                "django.get_version(), 'gunicorn': gunicorn.__version__, 'celery': celery.__version__, "
                "'psycopg': psycopg.__version__, 'weasyprint': weasyprint.__version__}))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    postgres = subprocess.run(
        ["psql", "-At", "-c", "SHOW server_version"],  # noqa: S607 - the client on PATH
        capture_output=True,
        text=True,
        env={**os.environ},
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": memory,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": postgres,
        **versions,
    }


def goals(results: dict) -> list[tuple[str, bool | None, str]]:
    rows = results["pages"]
    out = []
    slow = [r["page"] for r in rows[1:] if r["p95_ms"] > 5 * r["floor_p95_ms"]]
    out.append(("every page: p95 at most 5× the bare view", not slow, ", ".join(slow) or "all hold"))
    slow = [r["page"] for r in rows if r["p95_ms"] >= 100]
    out.append(
        (f"every page: p95 under 100 ms at {rows[0]['concurrency']} users", not slow, ", ".join(slow) or "all hold")
    )
    failed = [f"{r['page']} ({r['errors_5xx']})" for r in rows if r["errors_5xx"]]
    out.append(("no server error on any page", not failed, ", ".join(failed) or "none"))
    many = [f"{r['page']} ({r['queries']})" for r in rows if (r["queries"] or 0) > 12]
    out.append(("at most 12 queries per page", not many, ", ".join(many) or "all hold"))
    storm = results.get("storm")
    if storm:
        ok = storm["exactly_right"] and storm["errors_5xx"] == 0 and storm["bookings_per_second"] >= 100
        out.append(
            (
                "booking storm: exact, no error, ≥ 100 bookings/s",
                ok,
                f"{storm['storm_confirmed']} confirmed, {storm['storm_waiting']} waiting, "
                f"{storm['errors_5xx']} 5xx, {storm['bookings_per_second']}/s",
            )
        )
    background = results.get("background")
    if background:
        rem = background["reminders"]
        out.append(
            (
                f"reminders: {rem['count']:,} in under 60 s",
                rem["complete"] and rem["seconds"] < 60,
                f"{rem['seconds']} s",
            )
        )
        cert = background["certificates"]
        out.append(
            (
                "certificates: ≥ 10/s with 2 worker processes",
                cert["complete"] and cert["per_second"] >= 10,
                f"{cert['per_second']}/s",
            )
        )
        growth = cert["worker_rss_peak_mb"] - cert["worker_rss_start_mb"]
        out.append(
            (
                "worker memory: growth under 100 MB",
                growth < 100,
                f"{cert['worker_rss_start_mb']} → {cert['worker_rss_peak_mb']} MB",
            )
        )
    return out


def markdown(results: dict) -> str:
    m, c = results["machine"], results["counts"]
    lines = [
        MARK_BEGIN,
        "## The academy-scale benchmark (`make bench`)",
        "",
        f"Run {results['finished_at'][:16].replace('T', ' ')} UTC at scale {results['scale']}: "
        f"{c['users']:,} people, {c['organisations']:,} organisations, {c['events']:,} events with "
        f"{c['event_dates']:,} dates, {c['bookings']:,} bookings, {c['modules']} modules with "
        f"{c['lessons']:,} lessons, "
        f"{c['coaching_cases']:,} coaching cases, {c['certificates']:,} certificates. "
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_mb']:,} MB, load average {m['load_average_before']} "
        f"before the run (shared with other work); Python {m['python']}, Django {m['django']}, gunicorn "
        f"{m['gunicorn']} ({results['workers']} sync workers), PostgreSQL {m['postgresql']}, psycopg {m['psycopg']}, "
        f"Celery {m['celery']}, WeasyPrint {m['weasyprint']}. {results['users']} virtual people at once, "
        f"{results['seconds']} s per page, client and server on the same cores. The JSON is docs/benchmarks.json.",
        "",
        "| page | p50 ms | p95 ms | p99 ms | requests/s | floor p95 ms, just before | p95 ÷ floor | SQL queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["pages"]:
        queries = r["queries"] if r["queries"] == r["queries_min"] else f"{r['queries_min']}–{r['queries']}"
        lines.append(
            f"| {r['page']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['throughput_rps']} | "
            f"{r['floor_p95_ms']} | {r['p95_ratio_to_floor']} | {queries} |"
        )
    storm = results.get("storm")
    if storm:
        lines += [
            "",
            f"Booking storm: {storm['clients']} people book the last {storm['seats']} seats at once: "
            f"{storm['storm_confirmed']} confirmed, {storm['storm_waiting']} waiting, {storm['errors_5xx']} errors; "
            f"{storm['bookings_per_second']} bookings/s, p50 {storm['p50_ms']} ms, p95 {storm['p95_ms']} ms.",
        ]
    background = results.get("background")
    if background:
        rem, cert = background["reminders"], background["certificates"]
        lines += [
            "",
            f"Background ({background['worker_processes']} worker processes, Redis broker): {rem['count']:,} reminders "
            f"due at once sent in {rem['seconds']} s ({rem['per_second']}/s; deciding them took "
            f"{rem['decide_seconds']} s); {cert['count']} certificates issued and rendered in {cert['seconds']} s "
            f"({cert['per_second']}/s), worker memory {cert['worker_rss_start_mb']} MB at the start, "
            f"{cert['worker_rss_peak_mb']} MB at the peak (children replaced after "
            f"{cert['max_tasks_per_child']} tasks).",
        ]
    lines += ["", "| goal of issue 10 | holds | measured |", "|---|---|---|"]
    for goal, holds, measured in goals(results):
        lines.append(f"| {goal} | {'yes' if holds else 'no'} | {measured} |")
    lines.append(MARK_END)
    return "\n".join(lines)


def write(results: dict) -> None:
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    (OUT_DIR / "results.json").write_text(text)
    (BASE_DIR / "docs" / "benchmarks.json").write_text(text)
    doc = BASE_DIR / "docs" / "benchmarks.md"
    current = doc.read_text()
    section = markdown(results)
    if MARK_BEGIN in current:
        before, rest = current.split(MARK_BEGIN, 1)
        after = rest.split(MARK_END, 1)[1]
        current = before + section + after
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(current)


# ---- main -----------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/vamos_bench"
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1")))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--skip-background", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, but leave docs/ alone")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    args = parser.parse_args()
    global PORT
    PORT = args.port
    args.secret_key = secrets.token_urlsafe(50)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if "vamos_bench" not in args.database_url and not os.environ.get("BENCH_ANY_DATABASE"):
        raise SystemExit("The benchmark writes to its database: name it vamos_bench (or set BENCH_ANY_DATABASE=1).")

    results = {"scale": args.scale, "users": args.users, "seconds": args.seconds, "workers": args.workers}
    results["machine"] = machine()
    if ensure_database(args):
        print(f"Seeding at scale {args.scale} ...", flush=True)
        manage(args, "bench_seed", "--scale", str(args.scale))
    else:
        print("The database holds benchmark data already (drop it to seed at another scale).", flush=True)
    manage(args, "collectstatic", "--no-input", "-v0")
    plan_file = OUT_DIR / "plan.json"
    manage(args, "bench_prepare", "--out", str(plan_file), "--users", str(args.users))
    plan = json.loads(plan_file.read_text())
    results["counts"] = plan["counts"]

    server = start_server(args)
    try:
        print(f"Pages, {args.users} virtual people at once, {args.seconds} s each:", flush=True)
        results["pages"] = pages(plan, args)
        print("Booking storm:", flush=True)
        results["storm"] = booking_storm(plan, args)
        print(f"  {json.dumps(results['storm'])}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    if not args.skip_background:
        print("Background work (Celery worker, 2 processes):", flush=True)
        output = manage(
            args,
            "bench_background",
            "--reminders",
            str(args.reminders),
            "--certificates",
            str(args.certificates),
            capture=True,
        )
        results["background"] = json.loads(output.strip().splitlines()[-1])
        print(f"  {json.dumps(results['background'])}", flush=True)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["goals"] = [{"goal": g, "holds": h, "measured": m} for g, h, m in goals(results)]
    for goal, holds, measured in goals(results):
        print(f"{'HOLDS' if holds else 'MISSES'}  {goal}: {measured}")
    if not args.no_write:
        write(results)
        print("Written: var/bench/results.json, docs/benchmarks.json, docs/benchmarks.md")


if __name__ == "__main__":
    main()
