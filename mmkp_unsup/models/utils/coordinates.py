"""Heatmaps to keypoint coordinates, and coordinate-frame conversions.

Implements "Heatmaps to points" of docs/method.md ("Model").

Conventions, used everywhere in :mod:`mmkp_unsup`:

- Normalised coordinates are ``(x, y)`` in ``[-1, 1]``: the value ``-1``
  is the first cell of a ``linspace(-1, 1, n)`` grid laid over the map and
  ``+1`` the last one, as in the authors' release. (The release stores
  ``(y, x)``; only :func:`yx_to_xy` / :func:`xy_to_yx` swap orders.)
- Pixel coordinates are ``(x, y)`` in pixels of the network's input image,
  as mmpose stores keypoints. :func:`normalized_to_pixel` applies the
  release's evaluation formula ``(mu + 1) / 2 * size``.
"""
from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpose.registry import MODELS


def _grid(n: int, like: Tensor) -> Tensor:
    """``linspace(-1, 1, n)`` with the dtype and device of ``like``."""
    return torch.linspace(-1.0, 1.0, n, dtype=like.dtype, device=like.device)


def marginal_softmax_coords(logits: Tensor) -> Tuple[Tensor, Tensor]:
    """Separable marginal soft-argmax of the release ("get_coord").

    For ``y``, the logits are averaged over the ``x`` axis, soft-maxed along
    ``y`` and the expectation of ``linspace(-1, 1, H)`` is taken; ``x``
    likewise.

    Args:
        logits (Tensor): Heatmap logits ``[B, K, H, W]``.

    Returns:
        tuple[Tensor, Tensor]:
        - coords: ``[B, K, 2]`` as ``(x, y)`` in ``[-1, 1]``.
        - spread: ``[B, K, 2]`` standard deviation of each marginal, in
          the same units.
    """
    _check_logits(logits)
    h, w = logits.shape[-2:]
    prob_y = F.softmax(logits.mean(dim=3), dim=2)  # B, K, H
    prob_x = F.softmax(logits.mean(dim=2), dim=2)  # B, K, W
    grid_y, grid_x = _grid(h, logits), _grid(w, logits)
    mu_y = (prob_y * grid_y).sum(dim=2)
    mu_x = (prob_x * grid_x).sum(dim=2)
    var_y = (prob_y * (grid_y - mu_y[..., None])**2).sum(dim=2)
    var_x = (prob_x * (grid_x - mu_x[..., None])**2).sum(dim=2)
    coords = torch.stack([mu_x, mu_y], dim=-1)
    spread = torch.stack([var_x, var_y], dim=-1).clamp_min(0).sqrt()
    return coords, spread


def spatial_softmax_coords(logits: Tensor) -> Tuple[Tensor, Tensor]:
    """2-D soft-argmax: softmax over all ``H x W`` cells, then expectations.

    Args:
        logits (Tensor): Heatmap logits ``[B, K, H, W]``.

    Returns:
        tuple[Tensor, Tensor]: ``coords`` and ``spread``, both ``[B, K, 2]``
        as ``(x, y)`` in ``[-1, 1]`` (see :func:`marginal_softmax_coords`).
    """
    _check_logits(logits)
    b, k, h, w = logits.shape
    prob = F.softmax(logits.reshape(b, k, h * w), dim=2).reshape(b, k, h, w)
    prob_y, prob_x = prob.sum(dim=3), prob.sum(dim=2)
    grid_y, grid_x = _grid(h, logits), _grid(w, logits)
    mu_y = (prob_y * grid_y).sum(dim=2)
    mu_x = (prob_x * grid_x).sum(dim=2)
    var_y = (prob_y * (grid_y - mu_y[..., None])**2).sum(dim=2)
    var_x = (prob_x * (grid_x - mu_x[..., None])**2).sum(dim=2)
    coords = torch.stack([mu_x, mu_y], dim=-1)
    spread = torch.stack([var_x, var_y], dim=-1).clamp_min(0).sqrt()
    return coords, spread


def _check_logits(logits: Tensor) -> None:
    if logits.dim() != 4:
        raise ValueError('heatmap logits must be [B, K, H, W], got shape '
                         f'{tuple(logits.shape)}')


# Standard deviation of the uniform distribution on [-1, 1]: the spread of
# a flat heatmap, used to turn spreads into confidences.
UNIFORM_SPREAD = 1.0 / 3**0.5


def spread_to_score(spread: Tensor) -> Tensor:
    """Confidence of each keypoint from the spread of its distribution.

    ``1`` for a point mass, ``0`` for a flat heatmap (or broader).

    Args:
        spread (Tensor): ``[B, K, 2]`` marginal standard deviations in
            normalised units.

    Returns:
        Tensor: ``[B, K]`` scores in ``[0, 1]``.
    """
    return (1.0 - spread.mean(dim=-1) / UNIFORM_SPREAD).clamp(0.0, 1.0)


def normalized_to_pixel(coords: Tensor, size_hw: Sequence[int]) -> Tensor:
    """Normalised ``(x, y)`` in ``[-1, 1]`` to pixels of an ``H x W`` image.

    The release's evaluation formula: ``(mu + 1) / 2 * size``.

    Args:
        coords (Tensor): ``[..., 2]`` as ``(x, y)`` in ``[-1, 1]``.
        size_hw (Sequence[int]): ``(H, W)`` of the image.

    Returns:
        Tensor: ``[..., 2]`` as ``(x, y)`` in pixels.
    """
    h, w = size_hw
    scale = coords.new_tensor([w, h])
    return (coords + 1.0) / 2.0 * scale


def pixel_to_normalized(points: Tensor, size_hw: Sequence[int]) -> Tensor:
    """Inverse of :func:`normalized_to_pixel`.

    Args:
        points (Tensor): ``[..., 2]`` as ``(x, y)`` in pixels.
        size_hw (Sequence[int]): ``(H, W)`` of the image.

    Returns:
        Tensor: ``[..., 2]`` as ``(x, y)`` in ``[-1, 1]``.
    """
    h, w = size_hw
    scale = points.new_tensor([w, h])
    return points / scale * 2.0 - 1.0


def yx_to_xy(coords: Tensor) -> Tensor:
    """Swap the last axis between the release's ``(y, x)`` and ``(x, y)``."""
    return coords.flip(-1)


xy_to_yx = yx_to_xy


@MODELS.register_module()
class MarginalSoftArgmax(nn.Module):
    """Heatmap logits to coordinates by the release's marginal soft-argmax.

    See :func:`marginal_softmax_coords`. Input ``[B, K, H, W]``; output
    ``(coords, spread)``, both ``[B, K, 2]`` as ``(x, y)`` in ``[-1, 1]``.
    """

    def forward(self, logits: Tensor) -> Tuple[Tensor, Tensor]:
        return marginal_softmax_coords(logits)


@MODELS.register_module()
class SpatialSoftArgmax(nn.Module):
    """Heatmap logits to coordinates by a 2-D soft-argmax (paper option).

    See :func:`spatial_softmax_coords`. Input ``[B, K, H, W]``; output
    ``(coords, spread)``, both ``[B, K, 2]`` as ``(x, y)`` in ``[-1, 1]``.
    """

    def forward(self, logits: Tensor) -> Tuple[Tensor, Tensor]:
        return spatial_softmax_coords(logits)
