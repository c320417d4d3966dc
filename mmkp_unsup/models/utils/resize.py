"""Bilinear resizing as TensorFlow 1.x's ``tf.image.resize_images``.

See docs/method.md, "Resizing as the release". TF 1.x's default bilinear
resize (``align_corners=False``, no half-pixel centres) takes output pixel
``i`` from the input at ``i * n_in / n_out``, interpolates linearly between
the two neighbouring input pixels and clamps at the last one. PyTorch's
``F.interpolate(..., align_corners=False)`` samples at
``(i + 0.5) * n_in / n_out - 0.5`` instead, half a pixel apart in the
input's units; the two agree only when the size does not change.
"""
from typing import Sequence

import torch
from torch import Tensor

RESIZE_MODES = ('tf1', 'pytorch')


def tf1_bilinear_matrix(n_in: int,
                        n_out: int,
                        dtype: torch.dtype = torch.float32,
                        device=None) -> Tensor:
    """``[n_out, n_in]`` weights of TF 1.x's bilinear resize on one axis.

    Args:
        n_in (int): Input length.
        n_out (int): Output length.
        dtype (torch.dtype): Defaults to ``float32``.
        device: Defaults to the CPU.

    Returns:
        Tensor: Each row sums to one; row ``i`` mixes input pixels
        ``floor(s)`` and ``min(floor(s) + 1, n_in - 1)`` with
        ``s = i * n_in / n_out``.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f'sizes must be >= 1, got {n_in} -> {n_out}')
    src = torch.arange(n_out, dtype=torch.float64) * (n_in / n_out)
    lo = src.floor().clamp(max=n_in - 1)
    frac = src - lo
    lo = lo.long()
    hi = (lo + 1).clamp(max=n_in - 1)
    rows = torch.arange(n_out)
    matrix = torch.zeros(n_out, n_in, dtype=torch.float64)
    matrix.index_put_((rows, lo), 1.0 - frac, accumulate=True)
    matrix.index_put_((rows, hi), frac, accumulate=True)
    return matrix.to(dtype=dtype, device=device)


def resize_bilinear_tf1(x: Tensor, size: Sequence[int]) -> Tensor:
    """Resize ``[..., H, W]`` maps to ``size`` as TF 1.x's bilinear resize.

    Differentiable (two matrix products); works on any leading dimensions,
    e.g. ``[B, C, H, W]`` features or a ``[B, 1, H, W]`` loss mask.

    Args:
        x (Tensor): ``[..., H, W]``.
        size (Sequence[int]): ``(h, w)`` of the output.

    Returns:
        Tensor: ``[..., h, w]``, same dtype and device as ``x``.
    """
    h, w = (int(s) for s in size)
    if tuple(x.shape[-2:]) == (h, w):
        return x
    rows = tf1_bilinear_matrix(x.shape[-2], h, x.dtype, x.device)
    cols = tf1_bilinear_matrix(x.shape[-1], w, x.dtype, x.device)
    return torch.matmul(torch.matmul(rows, x), cols.t())


def check_resize_mode(name: str, mode: str) -> str:
    """Return ``mode`` if it is one of :data:`RESIZE_MODES`, else raise."""
    if mode not in RESIZE_MODES:
        raise ValueError(
            f'{name} must be one of {RESIZE_MODES}, got {mode!r}')
    return mode
