"""How fast the site answers over HTTP, under gunicorn with production settings, against a baseline.

For each page the same gunicorn is started with BENCHMARK_BASELINE_BYTES set to that page's size, and
wrk (C, from Debian) loads the baseline view (/bench/baseline: no database, no template) and the page
in turn, on loopback, for --rounds rounds of half --duration each: the ratio page ÷ baseline (the
median round's) holds on a noisy machine. The booking flow (GET step 3,
POST, GET the confirmation) runs under locust with 20 concurrent clients. Then the page weight of a
first visit (Chromium, through Playwright: bytes on the wire, compressed, and the number of requests)
and Lighthouse's four scores (npm lighthouse, CHROME_PATH=/usr/bin/chromium).

Content pages are also measured against the floor any Django site starts from: a bare
`django-admin startproject` app, its default middleware untouched, serving a fixed page of the
same size under the same gunicorn settings, in the same alternating rounds.

    .venv/bin/python benchmarks/http_bench.py [--duration 10] [--rounds 3] [--connections 8]
                                              [--booking-clients 20] [--no-lighthouse] [--json var/bench/http.json]

Uses a throwaway database: PostgreSQL when BENCH_DATABASE_URL is set (dropped and re-created), else
SQLite under var/bench/; Redis (cache, rate limits, Celery broker: emails are queued, not sent) when
BENCH_REDIS_URL is set (that database is flushed), else the in-process cache with tasks run in-process
(emails go nowhere: dummymail). For example:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/armorpt_bench_http \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python benchmarks/http_bench.py
 Needs `wrk`
(apt-get install wrk), locust (pip install -r requirements-bench.txt), Chromium and `npm ci`.
"""

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
sys.path.insert(0, str(ROOT))
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (after the path is set)

UNLIMITED = "1000000/m"
TARGETS = {
    "content_ratio": 0.7,
    # A cached content page against a bare `django-admin startproject` app serving the same bytes.
    "content_vs_bare": 0.8,
    "booking_page_ratio": 0.5,
    "booking_post_p95_ms": 150,
    "first_load_kb": 150,
    "first_load_requests": 15,
}

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, "socket_errors": %d,' ..
    ' "p50": %d, "p95": %d, "p99": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message):
    print(message, flush=True)


# --- A throwaway copy of the site -----------------------------------------------------------------


class Site:
    """The site on a fresh database, served by gunicorn with production settings (DEBUG off)."""

    def __init__(self, *, name, database_url=None, redis_url=None, email_url="dummymail://", workers=3, env=None):
        self.name = name
        self.workdir = BENCH_DIR / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres = database_url
        self.database_url = database_url or f"sqlite:///{self.workdir / 'db.sqlite3'}"
        self.redis_url = redis_url or ""
        self.workers = workers
        self.port = None
        self.process = None
        self.secret_key = "bench-" + secrets.token_urlsafe(48)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")},
            "DJANGO_SETTINGS_MODULE": "armorpt.settings",
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback; in production TLS ends at the proxy in front.
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": email_url,
            "STATIC_ROOT": str(self.workdir / "static"),
            "LOG_LEVEL": "WARNING",
            # One client address makes every request here: the per-address limits would refuse it.
            **{f"RATE_LIMIT_{scope}": UNLIMITED for scope in ("BOOKING", "BOOKING_CHANGE", "SLOTS_API", "NEWSLETTER")},
            **(env or {}),
        }

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def prepare(self):
        """A fresh database with the demo data, and the static files collected."""
        if self.postgres:
            recreate_postgres(self.postgres)
        else:
            Path(self.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        if self.redis_url:
            flush_redis(self.redis_url)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo")
        self.manage("collectstatic", "--noinput", "-v0")
        return self

    def start(self, baseline_bytes=0, port=None):
        self.port = port or free_port()
        env = {**self.env, "SITE_URL": self.url, "BENCHMARK_BASELINE_BYTES": str(baseline_bytes)}
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "armorpt.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
            + ["--log-level", "warning", "--graceful-timeout", "5"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/robots.txt", timeout=2).read()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start") from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 30 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class BareDjango:
    """The floor: a fresh `django-admin startproject` app, its default middleware untouched, whose
    one view answers a fixed page of `size` bytes, served by the same gunicorn settings."""

    URLS = """
import os

from django.http import HttpResponse
from django.urls import path

PAGE = b"x" * int(os.environ["BARE_PAGE_BYTES"])


def page(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", page)]
"""

    def __init__(self, workers):
        self.workers = workers
        self.dir = BENCH_DIR / "bare"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        subprocess.run([str(BIN / "django-admin"), "startproject", "bare", str(self.dir)], check=True)
        (self.dir / "bare" / "urls.py").write_text(self.URLS)
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def start(self, size):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bare.settings",
            "BARE_PAGE_BYTES": str(size),
            "PYTHONPATH": str(self.dir),
        }
        # Production-like, as the site runs: DEBUG off (startproject's settings say True).
        settings_file = self.dir / "bare" / "settings.py"
        text = settings_file.read_text().replace("DEBUG = True", "DEBUG = False")
        settings_file.write_text(text.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['127.0.0.1']"))
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "bare.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
            + ["--log-level", "warning", "--graceful-timeout", "5"],
            cwd=self.dir,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the bare Django app did not answer within 30 s")

    stop = Site.stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def recreate_postgres(url):
    import psycopg2
    from environ import Env

    config = Env.db_url_config(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config.get("PASSWORD") or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def flush_redis(url):
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


# --- Loads -------------------------------------------------------------------------------------


def wrk(url, *, duration, connections, script):
    completed = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("@@"))
    result = json.loads(line[2:])
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds,
        "p50": result["p50"] / 1000,
        "p95": result["p95"] / 1000,
        "p99": result["p99"] / 1000,
        "requests": result["requests"],
        "errors": result["non_2xx_3xx"] + result["socket_errors"],
    }


def a_day_with_times(site_url, clinic):
    today = dt.date.today()
    for offset in range(2, 14):
        day = today + dt.timedelta(days=offset)
        _, body = get(f"{site_url}/api/slots/?clinic={clinic}&date={day}")
        if json.loads(body)["slots"]:
            return day
    raise RuntimeError(f"no free times at {clinic} in the next two weeks")


def free_slots(site_url, clinics, days=30, spacing=dt.timedelta(minutes=90)):
    """(clinic, start, specialist) triples from the slot API, spaced so that no two overlap for one specialist."""
    found, last = [], {}
    for offset in range(1, days + 1):
        day = dt.date.today() + dt.timedelta(days=offset)
        for clinic in clinics:
            _, body = get(f"{site_url}/api/slots/?clinic={clinic}&date={day}")
            for slot in json.loads(body)["slots"]:
                start = dt.datetime.fromisoformat(slot["start"])
                for person in slot["specialists"]:
                    if person["slug"] not in last or start - last[person["slug"]] >= spacing:
                        last[person["slug"]] = start
                        found.append({"clinic": clinic, "start": slot["start"], "specialist": person["slug"]})
    return found


def run_locust(site, user_class, *, users, spawn_rate, run_time, env, csv_prefix):
    """Locust headless on load_test.py's user class; returns its stats rows by name."""
    command = [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "load_test.py"), user_class]
    command += ["--headless", "--host", site.url, "-u", str(users), "-r", str(spawn_rate), "--run-time", run_time]
    command += ["--csv", str(csv_prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "30"]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=False, stdout=subprocess.DEVNULL)
    import csv

    with open(f"{csv_prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    failures = {}
    if Path(f"{csv_prefix}_failures.csv").exists():
        with open(f"{csv_prefix}_failures.csv") as handle:
            for row in csv.DictReader(handle):
                failures[f"{row['Method']} {row['Name']}: {row['Error']}"] = int(row["Occurrences"])
    return rows, failures


def locust_row(row):
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
    }


# --- Page weight and Lighthouse ---------------------------------------------------------------------


def page_weight(url):
    """Bytes on the wire (headers and compressed bodies) and requests for a first visit, in Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        transferred, requests, outside = {}, [], []
        cdp.on("Network.requestWillBeSent", lambda e: requests.append(e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(url, wait_until="networkidle")
        browser.close()
    origin = re.match(r"https?://[^/]+", url).group(0)
    outside = [r for r in requests if not r.startswith((origin, "data:"))]
    return {"bytes": sum(transferred.values()), "requests": len(requests), "third_party": outside}


def lighthouse(url, out_dir, tries=3):
    """Lighthouse's default run (a mid-range phone on a slow 4G line, simulated), with its four scores."""
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    path = url.split("//", 1)[1].split("/", 1)[1]
    report = Path(out_dir) / f"lighthouse-{re.sub(r'[^a-z0-9]+', '-', path).strip('-') or 'home'}.json"
    for attempt in range(1, tries + 1):
        # Now and then Chromium's trace lacks a navigation start (NO_NAVSTART): then Lighthouse is run again.
        completed = subprocess.run(
            [str(binary), url, "--quiet", "--output=json", f"--output-path={report}"]
            + ["--only-categories=performance,accessibility,best-practices,seo"]
            + ["--chrome-flags=" + " ".join(CHROMIUM_ARGS)],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        if completed.returncode == 0:
            break
        log(f"  Lighthouse {url}: try {attempt} failed: {completed.stderr.strip().splitlines()[-1:]}")
    else:
        return {}, ["Lighthouse did not finish"]
    data = json.loads(report.read_text())
    scores = {key: category["score"] for key, category in data["categories"].items()}
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in data["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"
    ]
    return scores, failing


# --- The run ------------------------------------------------------------------------------------


# (path, label, the ratio to the baseline it must reach)
PAGES = [
    ("/", "home", TARGETS["content_ratio"]),
    ("/guides/back-pain-exercises/", "guide", TARGETS["content_ratio"]),
    ("/locations/kalamazoo/", "location", TARGETS["content_ratio"]),
    ("/book/kalamazoo/", "book step 2", TARGETS["booking_page_ratio"]),
    # The Spanish pages are cached the same way, under their own addresses.
    ("/es/", "home, Spanish", TARGETS["content_ratio"]),
    ("/es/book/kalamazoo/", "book step 2, Spanish", TARGETS["booking_page_ratio"]),
]


def measure_pages(site, args, script, clinic_day):
    """Each page against the baseline in alternating rounds; the ratio is the median round's.

    Alternating short runs, rather than one long run of each, keeps a slow spell of a shared
    machine from landing on one side only.
    """
    pages = PAGES + [(f"/api/slots/?clinic=kalamazoo&date={clinic_day}", "slot API", TARGETS["booking_page_ratio"])]
    with site.start():
        sizes = {path: len(get(site.url + path)[1]) for path, _, _ in pages}
    seconds = max(3, args.duration // 2)
    bare = BareDjango(site.workers)
    rows = []
    for path, label, target in pages:
        size = sizes[path]
        content = target == TARGETS["content_ratio"]

        def load(url):
            return wrk(url, duration=seconds, connections=args.connections, script=script)

        with site.start(baseline_bytes=size), bare.start(size):
            for url in (site.url + path, site.url + "/bench/baseline", bare.url):
                wrk(url, duration=2, connections=args.connections, script=script)  # warm up
            # Baseline, page and (for content pages) the bare app take turns in each round.
            rounds = [
                (
                    load(site.url + "/bench/baseline"),
                    load(site.url + path),
                    load(bare.url) if content else None,
                )
                for _ in range(args.rounds)
            ]
        ratios = [page["rps"] / base["rps"] for base, page, _ in rounds]
        page, base = combined(page for _, page, _ in rounds), combined(base for base, _, _ in rounds)
        row = {
            "label": label,
            "path": path,
            "bytes": size,
            "target": target,
            "page": page,
            "baseline": base,
            "ratio": statistics.median(ratios),
            "round_ratios": ratios,
        }
        line = f"  {label:<12} {page['rps']:7.0f} req/s   baseline {base['rps']:7.0f} req/s   ratio {row['ratio']:.2f}"
        if content:
            bare_ratios = [page["rps"] / floor["rps"] for _, page, floor in rounds]
            row.update(bare=combined(floor for _, _, floor in rounds), bare_ratio=statistics.median(bare_ratios))
            line += f"   bare Django {row['bare']['rps']:7.0f} req/s   ratio {row['bare_ratio']:.2f}"
        log(line + f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
        rows.append(row)
    return rows


def combined(runs):
    """Several wrk runs as one: requests per second over them all, the median of each percentile."""
    runs = list(runs)
    return {
        "rps": sum(run["requests"] for run in runs) / sum(run["requests"] / run["rps"] for run in runs),
        **{key: statistics.median(run[key] for run in runs) for key in ("p50", "p95", "p99")},
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
    }


def measure_booking(site, args, *, think, seconds, run):
    """The booking flow under locust; `think` seconds (or more) on the form, or none at all."""
    slots = free_slots(site.url, ["kalamazoo", "portage", "battle-creek", "paw-paw", "st-joseph"])
    slots_file = site.workdir / "slots.json"
    slots_file.write_text(json.dumps(slots))
    env = {"BENCH_SLOTS_FILE": str(slots_file), "BENCH_SECRET_KEY": site.secret_key, "BENCH_THINK": str(think)}
    rows, failures = run_locust(
        site,
        "BookingFlowUser",
        users=args.booking_clients,
        # Patients arrive over 5 s rather than all in the same millisecond; the stress run starts at once.
        spawn_rate=args.booking_clients / 5 if think else args.booking_clients,
        run_time=f"{seconds}s",
        env={**env, "BENCH_RUN": str(run)},
        csv_prefix=site.workdir / f"booking-{run}",
    )
    label = "no pause" if not think else f"{think:g} s on the form"
    stats = {f"{name} ({label})": locust_row(row) for name, row in rows.items() if name != "Aggregated"}
    return stats, failures, len(slots)


def table(rows, booking):
    lines = [
        "| endpoint | bytes | req/s | p50 ms | p95 ms | p99 ms | baseline req/s | baseline p50/p95/p99 ms | ratio "
        "| bare Django req/s | ratio to bare |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        page, base = row["page"], row["baseline"]
        bare = f"| {row['bare']['rps']:.0f} | **{row['bare_ratio']:.2f}** |" if "bare" in row else "| | |"
        lines.append(
            f"| {row['label']} `{row['path']}` | {row['bytes']:,} | {page['rps']:.0f} | {page['p50']:.1f} | {page['p95']:.1f} "
            f"| {page['p99']:.1f} | {base['rps']:.0f} | {base['p50']:.1f} / {base['p95']:.1f} / {base['p99']:.1f} "
            f"| **{row['ratio']:.2f}** " + bare
        )
        if page["errors"] or base["errors"]:
            lines.append(f"|   ↳ errors: page {page['errors']}, baseline {base['errors']} | | | | | | | | | | |")
    for name, stats in booking.items():
        lines.append(
            f"| {name} | | {stats['rps']:.1f} | {stats['p50']:.0f} | {stats['p95']:.0f} | {stats['p99']:.0f} | | | | | |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating baseline/page runs per page (default 3)")
    parser.add_argument("--booking-clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as the Procfile)")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "http.json")
    args = parser.parse_args()

    missing = [tool for tool in ("wrk",) if not shutil.which(tool)] + [
        tool for tool in ("gunicorn", "locust") if not (BIN / tool).exists()
    ]
    if missing:
        sys.exit(f"needs {', '.join(missing)}: apt-get install wrk; pip install -r requirements-bench.txt")

    database = os.environ.get("BENCH_DATABASE_URL")
    redis_url = os.environ.get("BENCH_REDIS_URL")
    log(
        f"Database: {'PostgreSQL' if database else 'SQLite'}; cache and broker: {'Redis' if redis_url else 'in-process'}"
    )
    log(
        f"gunicorn --workers {args.workers}; wrk -t1 -c{args.connections}, {args.rounds} rounds of {max(3, args.duration // 2)} s per side; machine: {os.cpu_count()} cores"
    )
    site = Site(name="http", database_url=database, redis_url=redis_url, workers=args.workers).prepare()
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(WRK_REPORT)
    script.close()
    results = {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "database": "postgresql" if database else "sqlite",
    }
    try:
        with site.start():
            clinic_day = a_day_with_times(site.url, "kalamazoo")
        log("\nPages against the baseline (same server, same size):")
        results["pages"] = rows = measure_pages(site, args, script.name, clinic_day)

        log(f"\nBooking flow, {args.booking_clients} concurrent clients (locust):")
        with site.start():
            # Patients: the bot trap makes a person spend 2 s or more on the form.
            booking, failures, slot_count = measure_booking(site, args, think=2, seconds=args.duration * 3, run=1)
            # Capacity: the same clients with no pause at all.
            saturated, more_failures, _ = measure_booking(site, args, think=0, seconds=args.duration, run=2)
            booking.update(saturated)
            failures.update(more_failures)
            weight = {
                "/": page_weight(site.url + "/"),
                "/book/kalamazoo/": page_weight(site.url + "/book/kalamazoo/"),
            }
            scores = {}
            if not args.no_lighthouse:
                for path in ("/", "/guides/back-pain-exercises/", "/book/kalamazoo/", "/es/", "/es/book/kalamazoo/"):
                    scores[path] = lighthouse(site.url + path, site.workdir)
        results.update(booking=booking, booking_failures=failures, weight=weight, lighthouse=scores)
    finally:
        site.stop()
        os.unlink(script.name)
        if redis_url:
            flush_redis(redis_url)  # the emails queued for a worker that never ran

    print("\n" + table(rows, booking))
    if failures:
        print("\nBooking flow failures:", json.dumps(failures, indent=1))
    print(f"\n(slots offered to the booking clients: {slot_count})")
    print("\n| first load | transferred | requests | other sites |\n|---|---|---|---|")
    for path, w in weight.items():
        print(f"| `{path}` | {w['bytes'] / 1024:.1f} KB | {w['requests']} | {len(w['third_party'])} |")
    if scores:
        print("\n| Lighthouse | performance | accessibility | best practices | SEO |\n|---|---|---|---|---|")
        for path, (score, failing) in scores.items():
            cells = " | ".join(
                f"{score.get(key, 0):.2f}" for key in ("performance", "accessibility", "best-practices", "seo")
            )
            print(f"| `{path}` | {cells} |" + (f"  failing: {', '.join(failing)}" if failing else ""))

    verdicts = targets(rows, booking, weight, scores, database)
    print("\nTargets:")
    for line in verdicts:
        print("  " + line)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**results, "targets": verdicts}, indent=1, default=str))
    print(f"\nAll figures: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


def targets(rows, booking, weight, scores, database):
    verdicts = []
    for row in rows:
        ratio, target = row["ratio"], row["target"]
        verdicts.append(
            f"{'ok  ' if ratio >= target else 'MISS'} {row['label']}: {ratio:.2f} of the baseline (target ≥ {target})"
        )
        if "bare_ratio" in row:
            floor, goal = row["bare_ratio"], TARGETS["content_vs_bare"]
            verdicts.append(
                f"{'ok  ' if floor >= goal else 'MISS'} {row['label']}: {floor:.2f} of a bare startproject app "
                f"(target ≥ {goal})"
            )
    post = booking.get("booking: POST (book) (2 s on the form)")
    if post:
        ok = post["p95"] < TARGETS["booking_post_p95_ms"]
        where = "PostgreSQL" if database else "SQLite (the target is for PostgreSQL)"
        verdicts.append(
            f"{'ok  ' if ok else 'MISS'} booking POST p95 {post['p95']:.0f} ms on {where} (target < 150 ms)"
        )
    home = weight["/"]
    ok = home["bytes"] / 1024 < TARGETS["first_load_kb"] and home["requests"] < TARGETS["first_load_requests"]
    verdicts.append(
        f"{'ok  ' if ok else 'MISS'} first load of /: {home['bytes'] / 1024:.0f} KB in {home['requests']} requests "
        "(target < 150 KB, < 15)"
    )
    for path, (score, _) in scores.items():
        low = {k: v for k, v in score.items() if v is None or v < 0.95}
        verdicts.append(
            f"{'ok  ' if not low else 'MISS'} Lighthouse {path}: " + ", ".join(f"{k} {v}" for k, v in score.items())
        )
    return verdicts


if __name__ == "__main__":
    main()
