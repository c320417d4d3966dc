"""AutoLink's condition: the keypoints linked by a learned graph and drawn
as one edge map (docs/autolink.md, "Modules")."""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpose.registry import MODELS


def segment_squared_distance(points: Tensor, start: Tensor,
                             end: Tensor) -> Tensor:
    """Squared distance of points to line segments.

    Args:
        points (Tensor): ``[P, 2]`` points.
        start (Tensor): ``[B, E, 2]`` first ends of the segments.
        end (Tensor): ``[B, E, 2]`` second ends, same units.

    Returns:
        Tensor: ``[B, E, P]``: the distance of each point to the closest
        point of each segment, squared (to the end itself for a segment of
        length 0).
    """
    direction = end - start  # B, E, 2
    offset = points[None, None] - start[..., None, :]  # B, E, P, 2
    length2 = direction.square().sum(-1, keepdim=True)  # B, E, 1
    t = (offset * direction[..., None, :]).sum(-1) / (length2 + 1e-8)
    t = t.clamp(0.0, 1.0)
    closest = start[..., None, :] + t[..., None] * direction[..., None, :]
    return (points[None, None] - closest).square().sum(-1)


def render_edge_maps(coords: Tensor, weights: Tensor, size_hw: Sequence[int],
                     thickness: float) -> Tensor:
    """Draw the weighted edges between keypoints as one map.

    Each edge ``(i, j)``, ``i < j``, draws ``w_ij * exp(-d^2 / thickness)``
    with ``d`` the distance of a pixel to the segment from point ``i`` to
    point ``j``; the map is the maximum over edges. Pixel centres lie on
    ``linspace(-1, 1)`` grids, the frame of the keypoints.

    Args:
        coords (Tensor): ``[B, K, 2]`` as ``(x, y)`` in ``[-1, 1]``.
        weights (Tensor): ``[K, K]`` edge weights (only ``i < j`` read).
        size_hw (Sequence[int]): ``(H, W)`` of the map.
        thickness (float): Edge thickness in squared normalised units.

    Returns:
        Tensor: ``[B, 1, H, W]``.
    """
    if coords.dim() != 3 or coords.shape[-1] != 2:
        raise ValueError('coords must be [B, K, 2], got shape '
                         f'{tuple(coords.shape)}')
    b, k, _ = coords.shape
    if weights.shape != (k, k):
        raise ValueError(f'weights must be [{k}, {k}] for K={k} keypoints, '
                         f'got {tuple(weights.shape)}')
    h, w = size_hw
    if k < 2:
        return coords.new_zeros(b, 1, h, w)
    first, second = torch.triu_indices(k, k, offset=1, device=coords.device)
    ys = torch.linspace(-1.0, 1.0, h, dtype=coords.dtype, device=coords.device)
    xs = torch.linspace(-1.0, 1.0, w, dtype=coords.dtype, device=coords.device)
    grid = torch.stack(torch.meshgrid(xs, ys, indexing='xy'), -1)  # H, W, 2
    d2 = segment_squared_distance(
        grid.reshape(-1, 2), coords[:, first], coords[:, second])
    edges = torch.exp(-d2 / thickness) * weights[first, second][None, :, None]
    return edges.amax(dim=1).reshape(b, 1, h, w)


@MODELS.register_module()
class EdgeMapRenderer(nn.Module):
    """The learned graph and its edge map (AutoLink).

    The graph is a parameter ``theta`` ``[K, K]``, initialised
    ``(randn / 10 - 4) / lr_scale``; the weight of edge ``(i, j)``, ``i <
    j``, is ``softplus(lr_scale * theta_ij)`` (``lr_scale`` multiplies the
    learning rate of the graph: the public code's ``sklr``). At the
    initialisation every weight is about ``softplus(-4) = 0.018``.

    Args:
        num_keypoints (int): K.
        thickness (float): Edge thickness (squared normalised units):
            ``1e-3`` in the public code, ``2.5e-3`` for CelebA-wild at K=8.
            Defaults to ``1e-3``.
        lr_scale (float): Defaults to ``512``.

    Returns (forward):
        Tensor: ``[B, 1, H, W]`` for keypoints ``[B, K, 2]`` (``(x, y)`` in
        ``[-1, 1]``) and a size ``(H, W)``.
    """

    def __init__(self,
                 num_keypoints: int,
                 thickness: float = 1e-3,
                 lr_scale: float = 512.0) -> None:
        super().__init__()
        if num_keypoints < 1:
            raise ValueError(f'num_keypoints must be >= 1, got '
                             f'{num_keypoints}')
        if thickness <= 0 or lr_scale <= 0:
            raise ValueError('thickness and lr_scale must be positive, got '
                             f'{thickness} and {lr_scale}')
        self.num_keypoints = num_keypoints
        self.thickness = thickness
        self.lr_scale = lr_scale
        self.theta = nn.Parameter(
            (torch.randn(num_keypoints, num_keypoints) / 10 - 4) / lr_scale)

    def edge_weights(self) -> Tensor:
        """The graph: ``[K, K]`` symmetric weights, zero diagonal."""
        upper = torch.triu(F.softplus(self.theta * self.lr_scale), 1)
        return upper + upper.T

    def forward(self, coords: Tensor, size_hw: Sequence[int]) -> Tensor:
        return render_edge_maps(coords,
                                self.edge_weights().to(coords.dtype),
                                size_hw, self.thickness)

    def extra_repr(self) -> str:
        return (f'num_keypoints={self.num_keypoints}, '
                f'thickness={self.thickness}, lr_scale={self.lr_scale}')
