"""How spread the learned points are: numbers that show a collapse early.

A collapse (every keypoint at the same place, usually the image centre,
with flat heatmaps) gives a reconstruction loss that still falls, since the
generator learns to copy the source; these numbers show it long before an
evaluation does (docs/synthetic_data.md, "Diagnostics").
"""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor

from .coordinates import normalized_to_pixel


def keypoint_diagnostics(coords: Tensor,
                         spread: Tensor,
                         size_hw: Sequence[int],
                         bboxes: Optional[Tensor] = None) -> Dict[str, Tensor]:
    """Spread of the K points over the object, and heatmap sharpness.

    Args:
        coords (Tensor): Keypoints ``[B, K, 2]``, ``(x, y)`` in ``[-1, 1]``.
        spread (Tensor): Marginal standard deviations ``[B, K, 2]`` in the
            same units (the soft-argmax's).
        size_hw (Sequence[int]): ``(H, W)`` of the input images.
        bboxes (Tensor, optional): The object's box per image ``[B, 4]``
            (xyxy pixels of the input image), when labels exist.

    Returns:
        dict[str, Tensor]: Scalars (detached):

        - ``keypoint_spread``: mean marginal std, ``[-1, 1]`` units (about
          0.58 for a flat heatmap, 0 for a point mass);
        - ``keypoint_dispersion``: mean distance between two of the K
          points, over the diagonal of the object's box (of the image
          without ``bboxes``); near 0 when the points collapse;
        - ``keypoint_in_box``: fraction of the points inside the box (only
          with ``bboxes``).
    """
    coords = coords.detach().float()
    num = coords.shape[1]
    points = normalized_to_pixel(coords, size_hw)  # B, K, 2 pixels
    out = dict(keypoint_spread=spread.detach().float().mean())
    if num > 1:
        pair = torch.cdist(points, points).sum(dim=(1, 2)) / (num * (num - 1))
    else:
        pair = points.new_zeros(points.shape[0])
    if bboxes is not None:
        bboxes = bboxes.to(points).reshape(-1, 4)
        extent = torch.hypot(bboxes[:, 2] - bboxes[:, 0],
                             bboxes[:, 3] - bboxes[:, 1]).clamp_min(1e-6)
        x, y = points[..., 0], points[..., 1]
        inside = ((x >= bboxes[:, None, 0]) & (x <= bboxes[:, None, 2])
                  & (y >= bboxes[:, None, 1]) & (y <= bboxes[:, None, 3]))
        out['keypoint_in_box'] = inside.float().mean()
    else:
        extent = points.new_tensor(float(size_hw[0]**2 + size_hw[1]**2)**0.5)
    out['keypoint_dispersion'] = (pair / extent).mean()
    return out
