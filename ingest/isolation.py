"""Run one document's reading in a child process with a memory ceiling and a deadline.

Parsing libraries (python-docx/lxml, pdfminer, trafilatura) work on input that anyone can
upload; a file crafted to expand (a zip bomb, millions of empty paragraphs, millions of
tiny drawing operations) must cost one refusal, not the web worker or the whole ingest run.
The checks in ``ingest.formats`` refuse the known shapes cheaply, before parsing; this is
the backstop for the shapes nobody thought of.

The child is forked (no interpreter start-up, no imports: about a millisecond plus the
copy of the page tables), limits its own address space with ``RLIMIT_AS`` (what it already
maps, plus the budget), reads, and sends the result back pickled through a pipe. It never
touches the database: it is left with ``os._exit`` so nothing inherited (connections,
atexit hooks, temporary files) is closed or flushed twice.
"""

import os
import pickle
import select
import signal
import time

from ingest.reading import UnreadableDocument

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _mapped_bytes():
    """The address space the process maps now (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(budget):
    """Cap the address space at what is mapped now plus ``budget``; the cap, in bytes."""
    import resource

    limit = _mapped_bytes() + budget
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _reached(limit):
    """Whether the process came within a few MiB of ``limit`` (VmPeak of /proc/self/status).

    C libraries report a failed allocation in their own words (libxml2: "unknown error"):
    the peak tells that the ceiling, not the file, is what they ran into.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= limit - 16 * 2**20
    except (OSError, ValueError, IndexError):
        pass
    return False


def run(function, *args, seconds, memory_bytes):
    """``function(*args)`` in a child process; its result, or :class:`UnreadableDocument`.

    The function's own ``UnreadableDocument`` comes back with its message; running out of
    memory, the deadline and a crash each become a one-line reason of their own.
    """
    if not hasattr(os, "fork"):  # no fork (Windows): read in this process, unguarded
        return function(*args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_end)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
            limit = _limit_memory(memory_bytes)
            try:
                outcome = ("ok", function(*args))
            except MemoryError:
                outcome = ("memory", None)
            except Exception as exc:
                if _reached(limit):
                    outcome = ("memory", None)
                elif isinstance(exc, UnreadableDocument):
                    outcome = ("unreadable", str(exc))
                else:  # reported by name
                    outcome = ("error", type(exc).__name__)
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view) :]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + seconds)
    except TimeoutError:
        _kill(pid)
        raise UnreadableDocument(
            f"reading the file took longer than {seconds} s (limit per document)"
        ) from None
    finally:
        os.close(read_end)
    _pid, status = os.waitpid(pid, 0)
    if not payload:
        if os.WIFSIGNALED(status):
            raise UnreadableDocument(
                f"reading the file needed more than {memory_bytes // 2**20} MiB of memory "
                f"or crashed (signal {os.WTERMSIG(status)})"
            )
        raise UnreadableDocument("reading the file failed")
    kind, value = pickle.loads(payload)  # noqa: S301  (our own child's bytes)
    if kind == "ok":
        return value
    if kind == "unreadable":
        raise UnreadableDocument(value)
    if kind == "memory":
        raise UnreadableDocument(
            f"reading the file needed more than {memory_bytes // 2**20} MiB of memory "
            "(limit per document)"
        )
    raise UnreadableDocument(f"unreadable file ({value})")


def _read_until(fd, deadline):
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
