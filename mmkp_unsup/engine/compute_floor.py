"""The machine's compute floor for a training step: how fast its matrix
units multiply, how many floating-point operations a step needs, and
whether the CPU has bfloat16 units (docs/benchmark.md, "Compute floor")."""
import os
import statistics
import time
from typing import Callable

import torch
from torch.utils.flop_counter import FlopCounterMode

BF16_CPU_FLAGS = ('avx512_bf16', 'amx_bf16')


def _cpuinfo_field(name: str) -> str:
    """The first ``name: value`` of ``/proc/cpuinfo``; ``''`` when it is
    absent or the file cannot be read (not Linux)."""
    if not os.path.exists('/proc/cpuinfo'):
        return ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key.strip() == name:
                return value.strip()
    return ''


def cpu_bf16_units() -> str:
    """The CPU's bfloat16 units, as ``/proc/cpuinfo`` names them.

    Returns:
        str: e.g. ``'avx512_bf16 amx_bf16'``, or ``''`` when the CPU has
        none (or the flags cannot be read: not Linux).
    """
    flags = set(_cpuinfo_field('flags').split())
    return ' '.join(f for f in BF16_CPU_FLAGS if f in flags)


def cpu_model_name() -> str:
    """The CPU's model name (``lscpu``'s "Model name"), or ``'unknown'``."""
    return _cpuinfo_field('model name') or 'unknown'


def matmul_gflops(n: int = 2048,
                  reps: int = 10,
                  dtype: torch.dtype = torch.float32,
                  device: str = 'cpu') -> float:
    """Rate of an ``n x n`` by ``n x n`` matrix product on the device with
    torch's threads, in GFLOP/s (median of ``reps`` after one warm-up).

    Args:
        n (int): Matrix size. Defaults to 2048.
        reps (int): Timed products. Defaults to 10.
        dtype (torch.dtype): ``torch.float32`` (sgemm) or
            ``torch.bfloat16``. Defaults to ``torch.float32``.
        device (str): Defaults to ``'cpu'``.

    Returns:
        float: GFLOP/s (``2 n^3`` operations per product).
    """
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    times = []
    for i in range(reps + 1):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        torch.mm(a, b)
        if device == 'cuda':
            torch.cuda.synchronize()
        if i:
            times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def count_flops(step: Callable[[], object]) -> int:
    """Floating-point operations of one call of ``step`` (forward and
    backward passes; matrix products and convolutions, as
    :class:`torch.utils.flop_counter.FlopCounterMode` counts them).

    Args:
        step (callable): e.g. ``lambda: model.train_step(batch, wrapper)``.

    Returns:
        int: The operations (a multiply-add counts 2).
    """
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return int(counter.get_total_flops())
