"""The writer's WAL file, synced by us after each commit: FULL durability without a thread.

In WAL mode, `synchronous=FULL` is `NORMAL` plus one sync of the WAL file after each commit
(sqlite.org/pragma.html#pragma_synchronous; everything else NORMAL syncs as FULL does: the WAL
before a checkpoint copies it, the database after, the WAL's header when it is reused, and the
folder when the WAL is created). So the writer's connection runs with NORMAL, commits on the
event loop, where the WAL frames go to the page cache (tens of µs, no disk), and then syncs the
WAL file itself before the batch counts as committed: nothing is relayed before the sync has
returned, as with FULL. What it saves is the thread: a FULL commit handed to the writer thread
cost ~60 µs of CPU on a quiet loop and much more on a busy one, where the thread waits for the
GIL after the fsync (py-spy, session 7: half of a commit's CPU).

On Linux the sync is asked of the kernel with no thread of ours: one `IOCB_CMD_FDSYNC` through
the AIO system calls (Linux 4.18+), whose completion the kernel signals on an eventfd that the
loop watches while a sync is in flight. Where the kernel refuses that (another architecture, a
seccomp filter, `fs.aio-max-nr` reached, a file system without it), fdatasync runs in the
writer thread instead: one hand-off per commit, the cost FULL had before.

The descriptor stays right: SQLite removes the WAL file only when the last connection to the
database closes, and the writer's connection stays open as long as this descriptor (they are
closed together).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import sys
from collections.abc import Awaitable, Callable
from typing import Final

import structlog

log = structlog.get_logger(__name__)

# io_setup, io_destroy, io_submit, io_getevents: the numbers differ by architecture.
_AIO_SYSCALLS: Final[dict[str, tuple[int, int, int, int]]] = {
    "x86_64": (206, 207, 209, 208),
    "aarch64": (0, 1, 2, 4),
}
_IOCB_CMD_FDSYNC: Final = 3
_IOCB_FLAG_RESFD: Final = 1
_MAX_EVENTS: Final = 8
_NONE: Final = ctypes.c_long(0)
_ONE: Final = ctypes.c_long(1)
_MAX: Final = ctypes.c_long(_MAX_EVENTS)


class _Iocb(ctypes.Structure):
    """struct iocb of linux/aio_abi.h, little-endian."""

    _fields_ = [
        ("aio_data", ctypes.c_uint64),
        ("aio_key", ctypes.c_uint32),
        ("aio_rw_flags", ctypes.c_int32),
        ("aio_lio_opcode", ctypes.c_uint16),
        ("aio_reqprio", ctypes.c_int16),
        ("aio_fildes", ctypes.c_uint32),
        ("aio_buf", ctypes.c_uint64),
        ("aio_nbytes", ctypes.c_uint64),
        ("aio_offset", ctypes.c_int64),
        ("aio_reserved2", ctypes.c_uint64),
        ("aio_flags", ctypes.c_uint32),
        ("aio_resfd", ctypes.c_uint32),
    ]


class _IoEvent(ctypes.Structure):
    """struct io_event of linux/aio_abi.h."""

    _fields_ = [
        ("data", ctypes.c_uint64),
        ("obj", ctypes.c_uint64),
        ("res", ctypes.c_int64),
        ("res2", ctypes.c_int64),
    ]


class KernelSync:
    """fdatasync of one file through Linux AIO, completed on the event loop; see the module
    docstring. Several syncs may be in flight (the writer has one at a time); each awaits its
    own completion."""

    def __init__(self, fd: int) -> None:
        """In the writer thread: set up the AIO context and prove one sync works (a blocking
        wait, once). Raises OSError where the kernel refuses."""
        numbers = _AIO_SYSCALLS.get(platform.machine())
        if sys.platform != "linux" or numbers is None or sys.byteorder != "little":
            raise OSError(f"no Linux AIO on {sys.platform} {platform.machine()}")
        self._setup, self._destroy, self._submit, self._getevents = map(ctypes.c_long, numbers)
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._libc.syscall.restype = ctypes.c_long
        self._events = (_IoEvent * _MAX_EVENTS)()
        self._next = 0
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._watched: asyncio.AbstractEventLoop | None = None
        self._context = ctypes.c_ulong(0)
        self._call(self._setup, _MAX, ctypes.byref(self._context))
        self._eventfd = -1
        try:
            self._eventfd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            # The kernel copies a request when it is submitted, so one serves every sync.
            self._request = _Iocb(
                aio_lio_opcode=_IOCB_CMD_FDSYNC,
                aio_fildes=fd,
                aio_flags=_IOCB_FLAG_RESFD,
                aio_resfd=self._eventfd,
            )
            self._requests = (ctypes.POINTER(_Iocb) * 1)(ctypes.pointer(self._request))
            self._submit_one(self._next)
            self._call(self._getevents, self._context, _ONE, _ONE, self._events, None)
            _raise_for(int(self._events[0].res))
            os.eventfd_read(self._eventfd)
        except BaseException:
            self.close()
            raise

    async def fdatasync(self) -> None:
        """Return once the file's data is on the disk; raises OSError as fdatasync does."""
        loop = asyncio.get_running_loop()
        if self._watched is not loop:
            # Watched from the first sync on, until closed: registering costs more than a
            # wake-up that finds nothing.
            self._unwatch()
            loop.add_reader(self._eventfd, self._completed)
            self._watched = loop
        self._next += 1
        token = self._next
        self._submit_one(token)
        future: asyncio.Future[None] = loop.create_future()
        self._waiting[token] = future
        await future

    def _submit_one(self, token: int) -> None:
        self._request.aio_data = token
        self._call(self._submit, self._context, _ONE, self._requests)

    def _completed(self) -> None:
        """On the loop, when the eventfd is readable: settle every finished sync."""
        try:
            os.eventfd_read(self._eventfd)
        except BlockingIOError:
            return
        done = _MAX_EVENTS
        while done == _MAX_EVENTS:
            done = self._call(self._getevents, self._context, _NONE, _MAX, self._events, None)
            for event in self._events[:done]:
                future = self._waiting.pop(int(event.data), None)
                if future is None or future.done():
                    continue
                try:
                    _raise_for(int(event.res))
                except OSError as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(None)

    def _call(self, number: ctypes.c_long, *arguments: object) -> int:
        result = int(self._libc.syscall(number, *arguments))
        if result < 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))
        return result

    def close(self) -> None:
        """Stop watching, and free the context (the kernel waits for syncs in flight)."""
        self._unwatch()
        if self._context.value:
            self._call(self._destroy, self._context)
            self._context = ctypes.c_ulong(0)
        if self._eventfd >= 0:
            os.close(self._eventfd)
            self._eventfd = -1

    def _unwatch(self) -> None:
        watched, self._watched = self._watched, None
        if watched is not None and not watched.is_closed():
            watched.remove_reader(self._eventfd)


def _raise_for(result: int) -> None:
    if result < 0:
        raise OSError(-result, os.strerror(-result))


InThread = Callable[[Callable[[], None]], Awaitable[None]]


class WalFile:
    """The WAL file of the writer's connection, opened in the writer thread after its
    first commit (the file exists by then)."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            self._kernel: KernelSync | None = KernelSync(self._fd)
        except OSError as exc:
            log.info("sqlite_wal_synced_in_thread", reason=repr(exc))
            self._kernel = None

    def sync_here(self) -> None:
        """fdatasync, blocking: for jobs already in the writer thread."""
        os.fdatasync(self._fd)

    async def sync(self, in_thread: InThread) -> None:
        """fdatasync without blocking the loop: through the kernel, else in the thread."""
        if self._kernel is not None:
            await self._kernel.fdatasync()
        else:
            await in_thread(self.sync_here)

    def close(self) -> None:
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None
        os.close(self._fd)
