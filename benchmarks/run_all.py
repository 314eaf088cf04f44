"""Every benchmark, one after the other (`make bench`), with a summary at the end.

1. bench_slots.py    slot computation, demo data and ten times it
2. http_bench.py     pages and the booking flow under gunicorn against a baseline; page weight; Lighthouse
3. email_bench.py    email through the outbox, Redis and a Celery worker (if present; needs Redis)
4. newsletter_send.py  one issue to 10,000 subscribers (if present; needs PostgreSQL and Redis)
5. load_test.py      100 patients on PostgreSQL with a Celery worker, then the integrity checks
6. bench_scale.py    every page and job at demo size and with 500 clinics (100x; --quick: 10x), on PostgreSQL

    .venv/bin/python benchmarks/run_all.py [--only http_bench,load_test] [--quick]

Each script uses its own throwaway databases: BENCH_DATABASE_URL and BENCH_REDIS_URL where set (see each
script's docstring); DATABASE_URL and REDIS_URL are not passed on, so no benchmark touches the database
you develop with. A script that cannot run here (no Redis, no PostgreSQL) is reported as skipped.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIPPED = 3  # load_test.py's exit code when PostgreSQL or Redis is missing

BENCHMARKS = [
    ("bench_slots", [], ["--runs", "10"]),
    ("http_bench", [], ["--duration", "4"]),
    ("email_bench", [], ["--messages", "200", "--latency-samples", "10"]),
    ("newsletter_send", [], ["--subscribers", "2000"]),
    ("load_test", [], ["--patients", "40", "--minutes", "1", "--spawn-seconds", "20"]),
    ("bench_scale", [], ["--scale", "10", "--runs", "3"]),
]


def services():
    """Whether PostgreSQL and Redis answer on this machine (the email and load benchmarks need them)."""
    import socket

    found = {}
    for name, port in (("postgres", 5432), ("redis", 6379)):
        with socket.socket() as sock:
            sock.settimeout(1)
            found[name] = sock.connect_ex(("127.0.0.1", port)) == 0
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated script names, e.g. http_bench,load_test")
    parser.add_argument("--quick", action="store_true", help="shorter runs, to check that everything works")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.setdefault("PYTHONUNBUFFERED", "1")
    up = services()
    results = []
    for name, default_args, quick_args in BENCHMARKS:
        script = HERE / f"{name}.py"
        if only and name not in only:
            continue
        if not script.exists():
            results.append((name, "not present", 0.0))
            continue
        if name in ("email_bench", "newsletter_send") and not (up["redis"] and up["postgres"]):
            results.append((name, "skipped: needs PostgreSQL and Redis on 127.0.0.1", 0.0))
            continue
        if name == "bench_scale" and not up["postgres"]:
            results.append((name, "skipped: needs PostgreSQL on 127.0.0.1", 0.0))
            continue
        command = [sys.executable, str(script), *(quick_args if args.quick else default_args)]
        print(
            f"\n{'=' * 100}\n== {' '.join(Path(c).name if c.endswith('.py') else c for c in command[1:])}\n", flush=True
        )
        started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        outcome = {0: "ok", SKIPPED: "skipped (see its output)"}.get(code, f"FAILED (exit {code})")
        results.append((name, outcome, time.monotonic() - started))

    print(f"\n{'=' * 100}\nBenchmarks ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores):")
    for name, outcome, seconds in results:
        print(f"  {name:<16} {outcome:<50} {seconds:6.0f} s")
    sys.exit(1 if any(outcome.startswith("FAILED") for _, outcome, _ in results) else 0)


if __name__ == "__main__":
    main()
