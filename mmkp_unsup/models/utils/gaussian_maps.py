"""Rendering keypoints as Gaussian maps (docs/method.md, "Model")."""
from typing import Sequence

import torch
import torch.nn as nn
from torch import Tensor

from mmpose.registry import MODELS


def render_gaussian_maps(coords: Tensor, size_hw: Sequence[int],
                         std: float = 0.1) -> Tensor:
    """Draw each keypoint as an isotropic Gaussian (release mode ``'rot'``).

    ``exp(-((y - mu_y)^2 + (x - mu_x)^2) / std^2)`` on a
    ``linspace(-1, 1)`` grid (no factor 2 in the denominator, as in the
    release).

    Args:
        coords (Tensor): ``[B, K, 2]`` as ``(x, y)`` in ``[-1, 1]``.
        size_hw (Sequence[int]): ``(H, W)`` of the maps.
        std (float): Standard deviation in normalised units.
            Defaults to ``0.1``.

    Returns:
        Tensor: Maps ``[B, K, H, W]`` with values in ``(0, 1]``.
    """
    if coords.dim() != 3 or coords.shape[-1] != 2:
        raise ValueError('coords must be [B, K, 2], got shape '
                         f'{tuple(coords.shape)}')
    if std <= 0:
        raise ValueError(f'std must be positive, got {std}')
    h, w = size_hw
    ys = torch.linspace(-1.0, 1.0, h, dtype=coords.dtype, device=coords.device)
    xs = torch.linspace(-1.0, 1.0, w, dtype=coords.dtype, device=coords.device)
    mu_x = coords[..., 0, None, None]
    mu_y = coords[..., 1, None, None]
    dist = (ys.view(1, 1, h, 1) - mu_y)**2 + (xs.view(1, 1, 1, w) - mu_x)**2
    return torch.exp(-dist / std**2)


@MODELS.register_module()
class GaussianMapRenderer(nn.Module):
    """Renders ``[B, K, 2]`` keypoints as ``[B, K, H, W]`` Gaussian maps.

    Args:
        std (float): Standard deviation in normalised ``[-1, 1]`` units.
            Defaults to ``0.1`` (the release's ``gauss_std``).
    """

    def __init__(self, std: float = 0.1) -> None:
        super().__init__()
        if std <= 0:
            raise ValueError(f'std must be positive, got {std}')
        self.std = std

    def forward(self, coords: Tensor, size_hw: Sequence[int]) -> Tensor:
        return render_gaussian_maps(coords, size_hw, self.std)

    def extra_repr(self) -> str:
        return f'std={self.std}'
