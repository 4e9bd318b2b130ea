#!/usr/bin/env python3
"""`make calls`: what one request to each page of the benchmark costs in this process: Python function calls
(cProfile), SQL queries and bytes, as the benchmark's first virtual person (the coach with the most cases, staff)
sees it. Calls do not move with the machine's share of the CPU as milliseconds do: docs/benchmarks.md reads
them before and after a change. Uses the data and people `make bench` seeded and prepared (var/bench/plan.json);
the booking POST is left out (it books).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vamos_bench REDIS_URL=redis://127.0.0.1:6379/7 \
        python scripts/calls.py [page …] [--top 30] [--repeat 200]

--repeat N then asks for each page N more times and prints, per request, this process's CPU time and the CPU
time PostgreSQL's backend spent for it (read from /proc: PostgreSQL on this machine). Under valgrind, the N
requests are the only ones counted, which gives the instructions per request that docs/benchmarks.md compares
(the same figure run after run, whatever else the machine does):

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \
        python scripts/calls.py "my bookings" --repeat 20    # "Collected" ÷ 20
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

from bench import OUT_DIR, bench_env, page_paths  # noqa: E402 - scripts/bench.py beside this one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="names as printed (default: all)")
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with the most own time")
    parser.add_argument("--repeat", type=int, default=0, help="N more requests: CPU per request here and in PostgreSQL")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/vamos_bench"
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7")
    args = parser.parse_args()
    args.secret_key = secrets.token_urlsafe(50)
    plan_file = OUT_DIR / "plan.json"
    if not plan_file.exists():
        raise SystemExit("No var/bench/plan.json: run `make bench` (or scripts/bench.py) once first.")
    plan = json.loads(plan_file.read_text())
    os.environ.update(bench_env(args))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.chdir(BASE_DIR)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from vamos.bench.middleware import HEADER

    people = {}
    for name, whose, path in page_paths(plan):
        if args.pages and name not in args.pages:
            continue
        if whose not in people:
            people[whose] = Client()
            person = plan["members"][0] if whose == "members" else plan[whose]
            people[whose].force_login(get_user_model().objects.get(pk=person["user_id"]))
        client = people[whose]
        for _ in range(2):  # the first requests fill the caches and the memo, as a running server's have
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        profile = cProfile.Profile()
        profile.enable()
        response = client.get(path)
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"{name:22} {stats.total_calls:8,} calls {response[HEADER]:>3} queries {len(response.content):8,} bytes")
        if args.top:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
        if args.repeat:
            print(f"{'':22} {cpu_per_request(client, path, args.repeat)}")


def cpu_per_request(client, path: str, repeat: int) -> str:
    """This process's and PostgreSQL's backend's CPU per request over `repeat` requests (callgrind, when it runs
    this process, counts only these)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT NULL")
        backend = cursor.fetchone()[0]
    stat = Path(f"/proc/{backend}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float | None:
        if backend is None or not stat.exists():
            return None
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    # Under valgrind (its preload library is in the environment), count these requests only.
    callgrind = shutil.which("callgrind_control") if "vgpreload" in os.environ.get("LD_PRELOAD", "") else None
    if callgrind:
        subprocess.run([callgrind, "-i", "on", str(os.getpid())], capture_output=True, check=False)  # noqa: S603
    started, cpu, database = time.perf_counter(), time.process_time(), backend_cpu()
    for _ in range(repeat):
        client.get(path)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    database = None if database is None else backend_cpu() - database
    if callgrind:
        subprocess.run([callgrind, "-i", "off", str(os.getpid())], capture_output=True, check=False)  # noqa: S603
    postgres = "n/a" if database is None else f"{database / repeat * 1000:.2f} ms"
    return f"per request: {wall / repeat * 1000:.2f} ms, CPU {cpu / repeat * 1000:.2f} ms here, PostgreSQL {postgres}"


if __name__ == "__main__":
    main()
