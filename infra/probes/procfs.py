"""Pure parsers for what a container's /proc says: its sockets and its processes.

Many images ship neither `ss` nor `netstat` (nor `ps`), so testinfra's Socket and Process modules
cannot be used on them; every Linux container has /proc. Reading the text is I/O and lives in the
probes; turning it into data lives here, pure and unit-tested.

/proc/net/tcp and /proc/net/tcp6 print each address as hex words in the *kernel's* byte order
("0100007F:1538" is 127.0.0.1:5432 on x86): the kernel prints the raw 32-bit words of the
network-order address with %08X. The container shares the host's kernel, so the host's byte order
(`sys.byteorder`) is the right default.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

ByteOrder = Literal["little", "big"]
TCP_LISTEN = 0x0A
TCP_STATES = {
    0x01: "ESTABLISHED",
    0x02: "SYN_SENT",
    0x03: "SYN_RECV",
    0x04: "FIN_WAIT1",
    0x05: "FIN_WAIT2",
    0x06: "TIME_WAIT",
    0x07: "CLOSE",
    0x08: "CLOSE_WAIT",
    0x09: "LAST_ACK",
    0x0A: "LISTEN",
    0x0B: "CLOSING",
    0x0C: "NEW_SYN_RECV",
}
_ADDRESS_HEX_LEN = {4: 8, 6: 32}


def _native() -> ByteOrder:
    return "little" if sys.byteorder == "little" else "big"


def decode_address(text: str, byteorder: ByteOrder | None = None) -> tuple[str, int]:
    """("127.0.0.1", 5432) from "0100007F:1538"; IPv6 from 32 hex digits. Errors name the bad value."""
    order = byteorder or _native()
    hex_ip, sep, hex_port = text.partition(":")
    if not sep or len(hex_port) != 4 or len(hex_ip) not in (8, 32):
        raise ValueError(f"not a /proc/net/tcp address: {text!r} (expected e.g. '0100007F:1538')")
    try:
        raw = bytes.fromhex(hex_ip)
        port = int(hex_port, 16)
    except ValueError:
        raise ValueError(f"not a /proc/net/tcp address: {text!r} (non-hex digits)") from None
    words = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    packed = b"".join(w[::-1] if order == "little" else w for w in words)
    return str(ipaddress.ip_address(packed)), port


def encode_address(ip: str, port: int, byteorder: ByteOrder | None = None) -> str:
    """The inverse of `decode_address`: how the kernel would print `ip`:`port`."""
    order = byteorder or _native()
    if not 0 <= port <= 0xFFFF:
        raise ValueError(f"port out of range: {port}")
    packed = ipaddress.ip_address(ip).packed
    words = [packed[i : i + 4] for i in range(0, len(packed), 4)]
    hex_ip = "".join((w[::-1] if order == "little" else w).hex().upper() for w in words)
    return f"{hex_ip}:{port:04X}"


@dataclass(frozen=True)
class TcpSocket:
    """One row of /proc/net/tcp{,6}."""

    family: Literal[4, 6]
    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int
    state: int
    uid: int
    inode: int

    @property
    def state_name(self) -> str:
        return TCP_STATES.get(self.state, f"0x{self.state:02X}")

    @property
    def listening(self) -> bool:
        return self.state == TCP_LISTEN

    @property
    def loopback_only(self) -> bool:
        """Bound to 127.x or ::1 only: unreachable through a published port."""
        address = ipaddress.ip_address(self.local_ip)
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        return (mapped or address).is_loopback

    def render(self) -> str:
        host = f"[{self.local_ip}]" if self.family == 6 else self.local_ip
        return f"{host}:{self.local_port} {self.state_name}"


def parse_proc_net_tcp(
    text: str, family: Literal[4, 6], byteorder: ByteOrder | None = None
) -> list[TcpSocket]:
    """Rows of /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6); the header line is skipped.

    A malformed row raises ValueError naming its line number and text: a parser that skipped it
    would report a listening port as missing and send someone hunting the wrong problem.
    """
    sockets = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] == "sl":
            continue
        try:
            if len(fields) < 10 or not fields[0].endswith(":"):
                raise ValueError("too few fields")
            local_ip, local_port = decode_address(fields[1], byteorder)
            remote_ip, remote_port = decode_address(fields[2], byteorder)
            if len(fields[1].partition(":")[0]) != _ADDRESS_HEX_LEN[family]:
                raise ValueError(f"not an IPv{family} address")
            sockets.append(
                TcpSocket(
                    family=family,
                    local_ip=local_ip,
                    local_port=local_port,
                    remote_ip=remote_ip,
                    remote_port=remote_port,
                    state=int(fields[3], 16),
                    uid=int(fields[7]),
                    inode=int(fields[9]),
                )
            )
        except ValueError as exc:
            raise ValueError(
                f"/proc/net/tcp{'6' if family == 6 else ''} line {number}: {exc}: {line!r}"
            ) from None
    return sockets


def listeners(sockets: Iterable[TcpSocket], port: int) -> list[TcpSocket]:
    """The sockets in LISTEN state on `port`, any address, any family."""
    return [s for s in sockets if s.listening and s.local_port == port]


@dataclass(frozen=True)
class ProcessInfo:
    """What /proc/<pid>/status and cmdline say about one process."""

    pid: int
    ppid: int
    name: str  # the kernel's comm: the executable's name, kept even when a server rewrites argv
    uids: tuple[int, int, int, int]  # real, effective, saved, filesystem
    cmdline: tuple[str, ...] = ()

    @property
    def uid(self) -> int:
        return self.uids[1]

    @property
    def any_root(self) -> bool:
        """Root in any of its uids: a saved uid 0 can be switched back to."""
        return 0 in self.uids

    def render(self) -> str:
        shown = " ".join(self.cmdline) or f"[{self.name}]"
        return f"pid {self.pid} {self.name!r} ({shown}) uids {'/'.join(map(str, self.uids))}"


PROCESS_MARK = "@@pid "


def parse_process_dump(text: str) -> dict[int, ProcessInfo]:
    """Processes from the dump the container probe prints: for each pid, a line `@@pid <n>`, the
    contents of /proc/<n>/status, and a line `Cmdline:<TAB>` with the NUL-separated cmdline.

    Processes that vanished while being read (no Name/Uid lines) are dropped, not guessed.
    """
    found: dict[int, ProcessInfo] = {}
    for block in text.split(PROCESS_MARK)[1:]:
        head, _, body = block.partition("\n")
        fields: dict[str, str] = {}
        for line in body.splitlines():
            key, sep, value = line.partition(":")
            if sep and key in ("Name", "PPid", "Uid", "Cmdline"):
                fields[key] = value.strip("\t ") if key != "Cmdline" else value.lstrip("\t")
        if not head.strip().isdigit() or not {"Name", "PPid", "Uid"} <= fields.keys():
            continue
        uids = [int(u) for u in fields["Uid"].split()]
        if len(uids) != 4:
            raise ValueError(f"pid {head.strip()}: malformed Uid line {fields['Uid']!r}")
        pid = int(head.strip())
        found[pid] = ProcessInfo(
            pid=pid,
            ppid=int(fields["PPid"]),
            name=fields["Name"],
            uids=(uids[0], uids[1], uids[2], uids[3]),
            cmdline=tuple(a for a in fields.get("Cmdline", "").split("\0") if a),
        )
    return found


# Minimal init processes that start the real server as their child (`docker run --init`, tini...).
INIT_SHIMS = frozenset({"docker-init", "tini", "dumb-init", "catatonit"})


def main_process(processes: dict[int, ProcessInfo]) -> ProcessInfo | None:
    """PID 1, or, when PID 1 is an init shim, its one child: the process the container exists for.

    A server that `exec`s itself from an entry-point script keeps PID 1, so PID 1 is it.
    """
    first = processes.get(1)
    if first is None or first.name not in INIT_SHIMS:
        return first
    children = sorted((p for p in processes.values() if p.ppid == 1), key=lambda p: p.pid)
    return children[0] if children else first
