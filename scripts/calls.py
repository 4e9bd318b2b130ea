#!/usr/bin/env python3
"""`make calls`: what one request to each page of the benchmark costs in this process: Python function calls
(cProfile), SQL queries and bytes, as the benchmark's first virtual person (the coach with the most cases, staff)
sees it. Calls do not move with the machine's share of the CPU as milliseconds do: docs/benchmarks.md reads
them before and after a change. Uses the data and people `make bench` seeded and prepared (var/bench/plan.json);
the booking POST is left out (it books).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vamos_bench REDIS_URL=redis://127.0.0.1:6379/7 \
        python scripts/calls.py [page …] [--top 30]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

from bench import OUT_DIR, bench_env, page_paths  # noqa: E402 - scripts/bench.py beside this one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="names as printed (default: all)")
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with the most own time")
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


if __name__ == "__main__":
    main()
