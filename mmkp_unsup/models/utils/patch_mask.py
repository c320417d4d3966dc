"""AutoLink's masking: most of the image hidden in square patches
(docs/autolink.md, "Modules")."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpose.registry import MODELS


@MODELS.register_module()
class RandomPatchMask(nn.Module):
    """Keeps each cell of a ``grid_size x grid_size`` grid with probability
    ``keep_prob`` and zeroes the rest of the image.

    The grid scales with the image: 16 cells a side are 8x8-pixel patches
    at 128x128 (the paper) and 2x2 at 32x32. Drawn anew at every call, in
    training and evaluation (the public code masks its validation
    pictures too). Zero is the pixel value after normalisation (mid-grey
    for images in ``[-1, 1]``).

    Args:
        grid_size (int): Cells per side. Defaults to ``16``.
        keep_prob (float): Probability that a cell stays visible.
            Defaults to ``0.2`` (the public code's ``missing=0.8``).

    Returns (forward):
        tuple[Tensor, Tensor]: The masked images ``[B, C, H, W]`` and the
        mask ``[B, 1, H, W]`` (1 visible, 0 hidden).
    """

    def __init__(self, grid_size: int = 16, keep_prob: float = 0.2) -> None:
        super().__init__()
        if grid_size < 1:
            raise ValueError(f'grid_size must be >= 1, got {grid_size}')
        if not 0.0 <= keep_prob <= 1.0:
            raise ValueError(f'keep_prob must be in [0, 1], got {keep_prob}')
        self.grid_size = grid_size
        self.keep_prob = keep_prob

    def draw(self, images: Tensor,
             generator: Optional[torch.Generator] = None) -> Tensor:
        """A mask ``[B, 1, H, W]`` for ``images`` ``[B, C, H, W]``."""
        b, _, h, w = images.shape
        if h % self.grid_size or w % self.grid_size:
            raise ValueError(
                f'RandomPatchMask with grid_size={self.grid_size} needs an '
                f'image size divisible by it, got {(h, w)}')
        cells = torch.rand(
            b, 1, self.grid_size, self.grid_size, generator=generator,
            device=images.device) < self.keep_prob
        return F.interpolate(cells.to(images.dtype), size=(h, w),
                             mode='nearest')

    def forward(self,
                images: Tensor,
                generator: Optional[torch.Generator] = None) -> tuple:
        mask = self.draw(images, generator)
        return images * mask, mask

    def extra_repr(self) -> str:
        return f'grid_size={self.grid_size}, keep_prob={self.keep_prob}'
