"""The /proc parsers: pure, so their failures (and the listening check's) are proven without an engine."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.probes.containers import ContainerTarget, PathOwner, listening_verdict, parse_stat
from infra.probes.procfs import (
    PROCESS_MARK,
    decode_address,
    encode_address,
    listeners,
    main_process,
    parse_proc_net_tcp,
    parse_process_dump,
)

pytestmark = [pytest.mark.containers]

# Captured from the offline redis container (trailing columns cut): a LISTEN socket on 0.0.0.0:6379,
# Docker's DNS on 127.0.0.11, one TIME_WAIT connection from the health check.
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:A34F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 94711 1 0
   1: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   100        0 94767 1 0
   2: 0100007F:8158 0100007F:18EB 06 00000000:00000000 03:00000938 00000000     0        0 0 3 0
"""
TCP6 = """\
  sl  local_address                         remote_address                        st ...
   0: 00000000000000000000000000000000:18EB 00000000000000000000000000000000:0000 0A 0:0 0:0 0 100 0 94768
"""
TARGET = ContainerTarget("redis", "redis-test", "orderflow/redis:offline", "offline")


def test_decodes_the_kernel_format():
    assert decode_address("0100007F:1538", "little") == ("127.0.0.1", 5432)
    assert decode_address("0B00007F:A34F", "little") == ("127.0.0.11", 41807)
    assert decode_address("00000000000000000000000001000000:18EB", "little") == ("::1", 6379)
    assert decode_address("7F000001:1538", "big") == ("127.0.0.1", 5432)


@pytest.mark.parametrize("bad", ["", "0100007F", "0100007F:15", "0100007G:1538", "01007F:1538"])
def test_bad_addresses_are_named(bad):
    with pytest.raises(ValueError, match="not a /proc/net/tcp address"):
        decode_address(bad)


@given(
    ip=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str),
    port=st.integers(0, 0xFFFF),
    order=st.sampled_from(["little", "big"]),
)
def test_encode_decode_round_trip(ip, port, order):
    text = encode_address(ip, port, order)
    assert decode_address(text, order) == (str(ipaddress.ip_address(ip)), port)
    assert text == text.upper() and len(text) in (13, 37)


def test_parses_both_families():
    sockets = parse_proc_net_tcp(TCP, 4, "little") + parse_proc_net_tcp(TCP6, 6, "little")
    assert [(s.local_ip, s.local_port, s.state_name) for s in sockets] == [
        ("127.0.0.11", 41807, "LISTEN"),
        ("0.0.0.0", 6379, "LISTEN"),  # noqa: S104 - parsed text, nothing binds
        ("127.0.0.1", 33112, "TIME_WAIT"),
        ("::", 6379, "LISTEN"),
    ]
    assert [s.render() for s in listeners(sockets, 6379)] == ["0.0.0.0:6379 LISTEN", "[::]:6379 LISTEN"]
    assert sockets[1].uid == 100 and sockets[1].inode == 94767


def test_malformed_row_names_its_line():
    with pytest.raises(ValueError, match=r"/proc/net/tcp6 line 2: .*not an IPv6 address"):
        parse_proc_net_tcp(TCP6.splitlines()[0] + "\n" + TCP.splitlines()[2], 6)


@pytest.mark.negative(listening_verdict.check)
def test_no_listen_entry_for_the_port_fails():
    """Only a TIME_WAIT connection to 6379 and a LISTEN on another port: not listening."""
    text = "\n".join(line for line in TCP.splitlines() if ":18EB 00000000" not in line)
    verdict = listening_verdict(TARGET, parse_proc_net_tcp(text, 4, "little"), 6379)
    assert len(verdict.findings) == 1
    assert verdict.findings[0].check_id == listening_verdict.id
    assert "no LISTEN socket on port 6379" in verdict.findings[0].found
    assert "redis" in verdict.findings[0].where


@pytest.mark.negative(listening_verdict.check)
def test_loopback_only_listener_fails():
    """Listening on 127.0.0.1 inside the container: the published port reaches nothing."""
    text = TCP.replace(
        "00000000:18EB 00000000:0000 0A", encode_address("127.0.0.1", 6379, "little") + " 00000000:0000 0A"
    )
    verdict = listening_verdict(TARGET, parse_proc_net_tcp(text, 4, "little"), 6379)
    assert [f.found for f in verdict.findings] == [
        "LISTEN only on loopback (127.0.0.1:6379 LISTEN): unreachable from the published port"
    ]


def test_every_published_port_must_listen_on_every_profile():
    """No allowance left: the offline MinIO serves its console on 9001 like upstream."""
    target = ContainerTarget("minio", "m", "orderflow/minio:offline", "offline")
    verdict = listening_verdict(target, parse_proc_net_tcp(TCP, 4, "little"), 9001)
    assert not verdict.allowed and "no LISTEN socket on port 9001" in verdict.findings[0].found


def _dump(*procs):
    return "".join(
        f"{PROCESS_MARK}{pid}\nName:\t{name}\nUmask:\t0022\nPPid:\t{ppid}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n"
        f"Cmdline:\t{chr(0).join(argv)}{chr(0)}\n"
        for pid, ppid, name, uid, argv in procs
    )


def test_parses_processes_and_picks_pid_one():
    procs = parse_process_dump(
        _dump((1, 0, "redis-server", 100, ["redis-server *:6379"]), (42, 0, "sh", 0, ["/bin/sh", "-c", "x"]))
        + f"{PROCESS_MARK}77\n"  # vanished while being read
    )
    assert sorted(procs) == [1, 42]
    main = main_process(procs)
    assert main is not None and main.name == "redis-server" and main.uids == (100, 100, 100, 100)
    assert main.cmdline == ("redis-server *:6379",)
    assert not main.any_root


def test_init_shim_hands_over_to_its_child():
    procs = parse_process_dump(
        _dump((1, 0, "tini", 0, ["/tini", "--", "minio"]), (7, 1, "minio", 1000, ["minio", "server"]))
    )
    main = main_process(procs)
    assert main is not None and (main.pid, main.name) == (7, "minio")


def test_parse_stat_keeps_order_and_reports_missing_paths():
    text = "100|redis|directory|/data\n0|root|regular empty file|/etc/x\n"
    assert parse_stat(text, ["/etc/x", "/missing", "/data"]) == [
        PathOwner("/etc/x", True, False, 0, "root"),
        PathOwner("/missing", exists=False),
        PathOwner("/data", True, True, 100, "redis"),
    ]
