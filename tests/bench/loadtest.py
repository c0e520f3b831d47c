"""`make loadtest`: the production stack under load on this machine, and still answering after it.

Starts gunicorn as `make serve` and tests/bench/bench.py do (DEBUG off, collected static
files, gunicorn.conf.py, a throwaway SECRET_KEY and SQLite database in a temporary folder)
on a free port of 127.0.0.1, and drives it with wrk: 60 s at 32 connections posting the
text of a typical 70-line bill to the page, with the csrftoken cookie and the X-CSRFToken
header as a browser sends them (and HX-Request: the htmx partial). The rate limit is raised
for that run (RATELIMIT_EXPLAIN), so any non-2xx answer there is a failure.

Then the deliberate 429s: a second gunicorn with the rate limit at LIMIT an hour takes wrk's
32 connections for 5 s (plain posts, no htmx); exactly LIMIT answers may be 200, whichever
worker counted them, and all the others must be 429. Last, the first server must still answer a page, a bill
and /healthz normally.

Prints throughput, latency percentiles, errors and non-2xx counts; exits 1 if any check
fails. Everything is bounded (wrk's duration and timeouts, a deadline on every process)
and stays on the loopback interface; the temporary folder is removed at the end.

    .venv/bin/python tests/bench/loadtest.py                 # 60 s, 32 connections
    .venv/bin/python tests/bench/loadtest.py --seconds 10    # a quicker look
"""

import argparse
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench import (  # noqa: E402 - after the path is set
    LINES_PER_PAGE,
    WRK,
    bill_items,
    bill_text,
    checked,
    csrf_token,
    free_port,
    lua_string,
    manage,
    prepare_database,
    production_env,
    start_gunicorn,
    stop,
)

LIMIT = 50  # answers an hour in the deliberate-429 run
LUA = """
local threads = {}
wrk.method = "POST"
local f = assert(io.open(%(body)s, "rb"))
wrk.body = f:read("*a")
f:close()
%(headers)s
local marker = %(marker)s

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  limited = 0
  other = 0
  missing = 0
end

function response(status, headers, body)
  if status == 429 then
    limited = limited + 1
  elseif status < 200 or status > 299 then
    other = other + 1
  else
    ok = ok + 1
    if not string.find(body, marker, 1, true) then missing = missing + 1 end
  end
end

function done(summary, latency, requests)
  local ok_, limited_, other_, missing_ = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    ok_ = ok_ + t:get("ok")
    limited_ = limited_ + t:get("limited")
    other_ = other_ + t:get("other")
    missing_ = missing_ + t:get("missing")
  end
  local e = summary.errors
  io.write(string.format(
    "LOADTEST requests=%%d duration_us=%%d ok=%%d limited=%%d other=%%d missing=%%d " ..
    "connect=%%d read=%%d write=%%d timeout=%%d status=%%d " ..
    "p50=%%d p75=%%d p90=%%d p99=%%d max=%%d mean=%%d\\n",
    summary.requests, summary.duration, ok_, limited_, other_, missing_,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def say(message):
    print(f"loadtest: {message}", file=sys.stderr, flush=True)


def write_script(path, body_file, headers, marker):
    lines = "\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items() if v is not None)
    path.write_text(
        LUA % {"body": lua_string(str(body_file)), "headers": lines, "marker": lua_string(marker)}, encoding="utf-8"
    )
    return path


def run_wrk(url, script, seconds, connections, threads=2):
    process = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("LOADTEST "):
            figures = {key: int(value) for key, value in (pair.split("=") for pair in line.split()[1:])}
            figures["socket_errors"] = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            return figures
    raise RuntimeError(f"wrk printed no result: {process.stdout[-300:]} {process.stderr[-300:]}")


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def ms(microseconds):
    return f"{microseconds / 1000:.0f} ms"


def still_answers(port, token, text, marker):
    """A patient after the storm: the page, a bill explained, and the health check."""
    checks = []
    status, page = request(port, "GET", "/")
    checks.append(("GET / shows the form", status == 200 and "<form" in page))
    status, page = request(
        port,
        "POST",
        "/",
        urlencode({"text": text}),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={token}", "X-CSRFToken": token},
    )
    checks.append(("POST / explains the bill", status == 200 and marker in page))
    status, page = request(port, "GET", "/healthz")
    checks.append(("GET /healthz says ok", status == 200 and page == "ok"))
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--full-page", dest="htmx", action="store_false", help="post without HX-Request")
    args = parser.parse_args(argv)
    if not Path(WRK).exists():
        say("wrk is not installed: apt-get install -y wrk")
        return 1

    items = bill_items(2 * LINES_PER_PAGE, seed=7)
    text = bill_text(items)
    first_code = next(item.code for item in items if item.code)
    marker = f'id="code-{re.split(r"[-: ]", first_code)[0]}"'
    failures = []
    workdir = Path(tempfile.mkdtemp(prefix="billexplain-loadtest-"))
    servers = []
    try:
        say("preparing a throwaway SQLite database and static files")
        env = production_env(workdir, workdir / "db.sqlite3")
        prepare_database(env)
        checked(manage(env, "collectstatic", "--noinput", "--verbosity", "0"))
        body = workdir / "text.body"
        body.write_text(urlencode({"text": text}), encoding="ascii")

        # --- the load: the rate limit out of the way ---
        loaded_dir = workdir / "loaded"
        loaded_dir.mkdir()
        port = free_port()
        say(f"starting gunicorn on 127.0.0.1:{port} with RATELIMIT_EXPLAIN=1000000/m")
        server = start_gunicorn({**env, "RATELIMIT_EXPLAIN": "1000000/m"}, loaded_dir, port)
        servers.append(server)
        token = csrf_token(port)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "X-CSRFToken": token,
        }
        if args.htmx:
            headers["HX-Request"] = "true"
        script = write_script(workdir / "text.lua", body, headers, marker)
        say(f"wrk: {args.seconds} s, {args.connections} connections, POST / with a {len(text) / 1000:.1f} KB bill")
        load = run_wrk(f"http://127.0.0.1:{port}/", script, args.seconds, args.connections)
        if load["other"] or load["limited"]:
            failures.append(f"{load['other'] + load['limited']} non-2xx answers under load")
        if load["socket_errors"]:
            failures.append(f"{load['socket_errors']} socket errors under load")
        if load["missing"]:
            failures.append(f"{load['missing']} answers without the bill's first code")

        # --- deliberate 429s: the limit counted across all workers of a second server ---
        limited_dir = workdir / "limited"
        limited_dir.mkdir()
        limited_port = free_port()
        say(f"starting a second gunicorn on 127.0.0.1:{limited_port} with RATELIMIT_EXPLAIN={LIMIT}/h")
        limited_server = start_gunicorn({**env, "RATELIMIT_EXPLAIN": f"{LIMIT}/h"}, limited_dir, limited_port)
        servers.append(limited_server)
        limited_token = csrf_token(limited_port)
        limited_script = write_script(
            workdir / "limited.lua",
            body,
            # Without HX-Request: htmx gets its message with status 200, a plain post gets the 429 page.
            {**headers, "Cookie": f"csrftoken={limited_token}", "X-CSRFToken": limited_token, "HX-Request": None},
            marker,
        )
        began = time.time()
        burst = run_wrk(f"http://127.0.0.1:{limited_port}/", limited_script, 5, args.connections)
        windows = int(time.time() // 3600) - int(began // 3600) + 1  # 2 if the burst straddled the hour
        if not burst["limited"] or burst["ok"] > LIMIT * windows or burst["other"] or burst["socket_errors"]:
            failures.append(f"the limited server let {burst['ok']} through (limit {LIMIT}), other {burst['other']}")
        stop(limited_server)
        servers.remove(limited_server)

        # --- and afterwards ---
        checks = still_answers(port, token, text, marker)
        failures += [f"after the load: {name} failed" for name, ok in checks if not ok]
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"billexplain load test, {time.strftime('%Y-%m-%d %H:%M')}: gunicorn.conf.py on 127.0.0.1, DEBUG off, "
        f"SQLite; wrk {args.seconds} s, {args.connections} connections, 2 threads; POST / "
        f"{'(htmx partial)' if args.htmx else '(whole page)'}, csrftoken cookie + X-CSRFToken header"
    )
    print(f"  requests         {load['requests']} in {load['duration_us'] / 1e6:.1f} s = {load['rps']:.1f} req/s")
    print(
        f"  latency          p50 {ms(load['p50'])}, p75 {ms(load['p75'])}, p90 {ms(load['p90'])}, "
        f"p99 {ms(load['p99'])}, max {ms(load['max'])}, mean {ms(load['mean'])}"
    )
    print(f"  2xx              {load['ok']} (answers without the bill's first code: {load['missing']})")
    print(f"  non-2xx          {load['other'] + load['limited']} (429: {load['limited']})")
    print(
        f"  socket errors    {load['socket_errors']} (connect {load['connect']}, read {load['read']}, "
        f"write {load['write']}, timeout {load['timeout']})"
    )
    print(
        f"  deliberate 429s  a second server limited to {LIMIT}/h, 5 s of wrk: {burst['ok']} answered 200, "
        f"{burst['limited']} answered 429, other {burst['other']}, socket errors {burst['socket_errors']}"
    )
    print("  afterwards       " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks))
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("OK: no errors, no non-2xx answers under load, the limit held, and the server answers normally.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
