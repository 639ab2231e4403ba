#!/usr/bin/env python3
"""Round trip of an execute_request for `1+1` until its `idle` status, for the
Tessera kernel and ipykernel side by side (median over 200, after 20 warm-up
requests), with jupyter_client.

    cargo build --release -p tessera-repl
    target/release/tessera kernel install --prefix target/bench-kernel
    JUPYTER_PATH=$PWD/target/bench-kernel/share/jupyter python kernel/benches/round_trip.py

needs jupyter_client and ipykernel in the Python environment.
"""
import statistics
import time

from jupyter_client.manager import start_new_kernel


def round_trips(kernel_name, code, n=200, warmup=20):
    km, kc = start_new_kernel(kernel_name=kernel_name)
    try:
        times = []
        for i in range(warmup + n):
            start = time.perf_counter()
            msg_id = kc.execute(code)
            while True:
                msg = kc.get_iopub_msg(timeout=10)
                if (
                    msg["parent_header"].get("msg_id") == msg_id
                    and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"
                ):
                    break
            elapsed = time.perf_counter() - start
            kc.get_shell_msg(timeout=10)
            if i >= warmup:
                times.append(elapsed)
        return statistics.median(times)
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    ours = round_trips("tessera", "1+1")
    theirs = round_trips("python3", "1+1")
    print(f"execute_request 1+1 → idle, median of 200: tessera {ours * 1e3:.2f} ms, ipykernel {theirs * 1e3:.2f} ms, "
          f"ratio {theirs / ours:.2f}× (above 2: within half of ipykernel)")
