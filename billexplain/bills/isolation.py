"""Run an untrusted parse in a forked child with limits on CPU, memory and wall time.

A PDF can make pdfminer loop for ever, recurse, or inflate a few kilobytes into
gigabytes, and pypdfium2 aborts the whole process when it runs out of memory.
In a child, such a file costs one request a few seconds, never a worker or the
machine. A fork costs milliseconds and the child shares the parent's loaded
code; it only parses and sends back plain values through a pipe.
"""

import os
import pickle
import resource
import select
import signal
import time


class ParseFailed(Exception):
    """The child ran out of time or memory, or died."""


def run_isolated(function, *args, seconds=10, memory_mb=1536):
    """function(*args) in a child; its return value or exception comes back through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, send the answer, leave without running any cleanup of the parent's
        try:
            os.close(read_end)
            _limit(seconds, memory_mb)
            try:
                answer = (True, function(*args))
            except Exception as error:  # sent back and raised again in the parent
                answer = (False, error)
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + seconds + 1)
    finally:
        os.close(read_end)
        _reap(pid)
    if not payload:
        raise ParseFailed("no answer")
    ok, value = pickle.loads(payload)  # noqa: S301 - our own child's answer, never outside data
    if ok:
        return value
    raise value


def _limit(seconds, memory_mb):
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    # The child starts with the parent's whole address space; allow that much more.
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    current = pages * resource.getpagesize()
    cap = current + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _read_until(fd, deadline):
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b""  # out of time: the caller kills the child
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid):
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
