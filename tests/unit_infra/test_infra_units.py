"""Units in the spellings the docker provider reads back (a mismatch is a diff each run)."""

import pytest

from ticket_dashboard.units import (
    MEBIBYTE,
    cpu_shares,
    go_duration,
    parse_memory_bytes,
    provider_cpus,
    whole_mebibytes,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512Mi", 512 * MEBIBYTE),
        ("512m", 512 * MEBIBYTE),
        ("512MB", 512 * MEBIBYTE),
        ("1g", 1024 * MEBIBYTE),
        ("1Gi", 1024 * MEBIBYTE),
        ("65536k", 64 * MEBIBYTE),
        ("1048576", MEBIBYTE),
    ],
)
def test_memory_sizes_use_docker_binary_units(text: str, expected: int) -> None:
    assert parse_memory_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "1.5g", "-1m", "12 parsecs", "1t"])
def test_bad_memory_sizes_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="512Mi"):
        parse_memory_bytes(text)


def test_memory_must_be_whole_mebibytes() -> None:
    assert whole_mebibytes(256 * MEBIBYTE) == 256
    with pytest.raises(ValueError, match="whole number of MiB"):
        whole_mebibytes(MEBIBYTE + 1)


@pytest.mark.parametrize(
    ("cpus", "spelled"), [(0.5, "0.5"), (1, "1.0"), (2.0, "2.0"), (0.25, "0.25"), (1.5, "1.5")]
)
def test_cpus_spelled_as_the_provider_reads_them_back(cpus: float, spelled: str) -> None:
    assert provider_cpus(cpus) == spelled


def test_cpu_reservation_maps_to_proportional_shares() -> None:
    assert cpu_shares(1) == 1024
    assert cpu_shares(0.25) == 256
    assert cpu_shares(0.0001) == 2


@pytest.mark.parametrize(
    ("seconds", "spelled"), [(0, "0s"), (5, "5s"), (60, "1m0s"), (90, "1m30s"), (3600, "1h0m0s")]
)
def test_durations_spelled_like_go(seconds: int, spelled: str) -> None:
    assert go_duration(seconds) == spelled
