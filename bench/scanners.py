"""Scanner throughput and latency: 1,000 scans at 20 scans/s through the serial pty and the wedge.

    .venv/bin/python bench/scanners.py [--scans 1000] [--rate 20] [--only serial|wedge]

Serial: a real pseudo-terminal; a writer thread plays the scanner on the master
side (bytes paced like a 9600-baud scanner, ``--baud 0`` sends each scan in one
write), ``devices.serial_scanner.SerialScanner`` reads the slave through
pyserial in its own thread. Wedge: key events with scanner timing (a few ms
apart, with jitter) fed in real time to ``devices.wedge.WedgeDetector``, with the
app's deadline timer simulated, as ``App.on_event`` would.

Counted per path: scans received intact, lost, merged (two codes in one scan),
split (a piece of a code), unreadable; latency from the scan's last byte (the
terminator write; the Enter key event's timestamp) to the scan event. The codes
mix IMEIs, alphanumeric serials and GS1 codes with a group separator. Not yet
measured: Textual's own key dispatch and the serial appearing in the receipt list.
Target: 0 lost, merged or split; under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time

import benchlib
from stdnum import luhn

from devices.events import ScanEvent, ScanResult
from devices.serial_scanner import SerialScanner
from devices.source import Backoff, DeviceState
from devices.wedge import Action, WedgeConfig, WedgeDetector


def make_codes(count: int, seed: int = 7) -> list[str]:
    """Unique codes as a shop scans them: IMEIs, serials, GS1 (01)+(21) with FNC1."""
    rng = random.Random(seed)
    codes = []
    for n in range(count):
        kind = rng.random()
        if kind < 0.6:
            body = f"35693803{n:06d}"
            codes.append(body + luhn.calc_check_digit(body))
        elif kind < 0.85:
            codes.append(f"SN-{rng.randrange(36**6):06X}-{n:05d}")
        else:
            codes.append(f"0109506000134352\x1d21S{n:07d}")
    return codes


class Tally:
    """Scans received, matched against what was sent."""

    def __init__(self, sent: list[str]) -> None:
        self.sent = sent
        self.received: list[tuple[float, ScanResult]] = []
        self.lock = threading.Lock()

    def add(self, result: ScanResult, at: float | None = None) -> None:
        with self.lock:
            self.received.append((time.perf_counter() if at is None else at, result))

    def report(self, name: str, last_byte: dict[str, float], elapsed: float, size: str) -> None:
        sent = set(self.sent)
        codes = [r.code for _, r in self.received if isinstance(r, ScanEvent)]
        unreadable = len(self.received) - len(codes)
        intact = [c for c in codes if c in sent]
        others = [c for c in codes if c not in sent]
        # Merged: holds a whole code and more; split: a piece of one code; garbled: neither.
        merged = [c for c in others if any(s in c for s in self.sent)]
        split = [c for c in others if c not in merged and any(c in s for s in self.sent)]
        garbled = len(others) - len(merged) - len(split)
        lost = len(sent - set(intact))
        latencies = [
            at - last_byte[r.code]
            for at, r in self.received
            if isinstance(r, ScanEvent) and r.code in last_byte
        ]
        achieved = len(self.sent) / elapsed if elapsed else 0.0
        print(f"\n{name}: {len(self.sent):,} scans sent ({size}) in {elapsed:.1f} s")
        print(f"  achieved {achieved:.1f} scans/s")
        print(
            f"  received intact {len(intact):,}, lost {lost}, merged {len(merged)}, "
            f"split {len(split)}, garbled {garbled}, unreadable {unreadable}, "
            f"duplicated {len(intact) - len(set(intact))}"
        )
        if latencies:
            values = sorted(x * 1000 for x in latencies)
            print(
                f"  last byte -> scan event: median {statistics.median(values):.3f} ms, "
                f"p99 {benchlib.percentile(values, 99):.3f} ms, max {values[-1]:.3f} ms"
            )


def pace(start: float, index: int, rate: float) -> None:
    """Sleep until scan ``index`` is due (an absolute schedule: no drift)."""
    delay = start + index / rate - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def bench_serial(codes: list[str], rate: float, baud: int) -> None:
    master, slave = os.openpty()
    tally = Tally(codes)
    source = SerialScanner(os.ttyname(slave), 9600, b"\r", backoff=Backoff(0.01, 0.1))
    source.start(tally.add)
    deadline = time.monotonic() + 5
    while source.status.state is not DeviceState.CONNECTED and time.monotonic() < deadline:
        time.sleep(0.005)
    byte_time = 10 / baud if baud else 0.0  # start + 8 data + stop bits
    last_byte: dict[str, float] = {}
    payload = 0
    start = time.perf_counter()
    for index, code in enumerate(codes):
        pace(start, index, rate)
        data = code.encode()
        payload += len(data) + 1
        if byte_time:
            for offset in range(len(data)):
                os.write(master, data[offset : offset + 1])
                time.sleep(byte_time)
        else:
            os.write(master, data)
        last_byte[code] = time.perf_counter()
        os.write(master, b"\r")
    time.sleep(0.5)  # let the last scans arrive
    elapsed = time.perf_counter() - start
    source.close()
    os.close(master)
    os.close(slave)
    speed = f"{baud} baud" if baud else "one write per scan"
    size = f"{payload:,} bytes, {speed}, {rate:g} scans/s"
    tally.report("serial pty -> SerialScanner", last_byte, elapsed, size)


def keys_for(code: str) -> list[tuple[str, str]]:
    return [("ctrl+right_square_bracket", c) if c == "\x1d" else (c, c) for c in code] + [
        ("enter", "\r")
    ]


def bench_wedge(codes: list[str], rate: float, key_gap: float, jitter: float) -> None:
    detector = WedgeDetector(WedgeConfig())
    tally = Tally(codes)
    typed: list[str] = []
    last_byte: dict[str, float] = {}
    rng = random.Random(11)
    keys = 0
    start = time.perf_counter()
    for index, code in enumerate(codes):
        pace(start, index, rate)
        for key, char in keys_for(code):
            time.sleep(max(0.0, key_gap + rng.uniform(-jitter, jitter)))
            now = time.monotonic()  # Textual stamps each key event with monotonic time
            deadline = detector.deadline
            if deadline is not None and deadline < now:  # the app's timer fires first
                typed += [s.character or s.key for s in detector.expire(deadline)]
            if key == "enter":
                last_byte[code] = time.perf_counter()
            decision = detector.feed(key, char, now)
            keys += 1
            typed += [s.character or s.key for s in decision.typed]
            if decision.action is Action.PASS:
                typed.append(char)
            elif decision.action is Action.SCAN:
                tally.add(ScanEvent(decision.code, "wedge"))
    typed += [s.character or s.key for s in detector.expire(float("inf"))]
    elapsed = time.perf_counter() - start
    size = f"{keys:,} key events, {key_gap * 1000:g}±{jitter * 1000:g} ms apart, {rate:g} scans/s"
    tally.report("key events -> WedgeDetector", last_byte, elapsed, size)
    print(f"  keys that fell through as typing: {len(typed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="scans per second")
    parser.add_argument("--baud", type=int, default=9600, help="serial pacing; 0 = one write")
    # A USB scanner types 1-2 ms per key; slower settings cannot reach 20 scans/s of GS1 codes.
    parser.add_argument("--key-gap-ms", type=float, default=1.5)
    parser.add_argument("--jitter-ms", type=float, default=1.0)
    parser.add_argument("--only", choices=("serial", "wedge"))
    args = parser.parse_args()
    codes = make_codes(args.scans)
    chars = sum(len(c) for c in codes)
    print(f"scanner bench: {args.scans:,} codes, {chars:,} characters (IMEI / serial / GS1 mix)")
    print(f"machine: {benchlib.machine()}")
    if args.only in (None, "serial"):
        bench_serial(codes, args.rate, args.baud)
    if args.only in (None, "wedge"):
        bench_wedge(codes, args.rate, args.key_gap_ms / 1000, args.jitter_ms / 1000)


if __name__ == "__main__":
    main()
