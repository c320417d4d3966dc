"""Helpers of the label-free quality metrics (docs/evaluation.md,
"Label-free metrics").

Points are ``(x, y)`` pixels, 0-based, pixel centres at integers (mmpose's
convention).
"""
from typing import Optional, Tuple

import cv2
import numpy as np

from mmkp_unsup.datasets.transforms.tps import (nearest_preimage, pixel_grid,
                                                pixels_to_unit, tps_basis,
                                                tps_inverse_map,
                                                unit_to_pixels)


def warp_points(points: np.ndarray,
                params: np.ndarray,
                controls: np.ndarray,
                size_hw: Tuple[int, int],
                grid_size: int = 32) -> Tuple[np.ndarray, np.ndarray]:
    """Move points of an image to where a backward warp puts them.

    A backward warp ``T`` (see :class:`EquivarianceWarp`) makes the
    warped image at ``p`` from the original at ``T(p)``, so an original
    point ``q`` lands at ``T^-1(q)``, found by Newton's method from the
    nearest point of a ``grid_size`` grid.

    Args:
        points (np.ndarray): ``[N, 2]`` points of the original image.
        params (np.ndarray): ``[M + 3, 2]`` warp parameters.
        controls (np.ndarray): ``[M, 2]`` control points (``M`` may be 0).
        size_hw (tuple[int, int]): ``(H, W)`` of both images.
        grid_size (int): Starting grid points per side. Defaults to
            ``32``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``[N, 2]`` points of the warped
        image, and ``[N]`` bool: ``True`` where the point has a pre-image
        inside the warped image (``False`` for points the warp pushes out
        of the frame, or where the warp folds).
    """
    unit = pixels_to_unit(np.asarray(points, np.float64).reshape(-1, 2),
                          size_hw)
    grid = pixel_grid(tuple(min(n, grid_size) for n in size_hw))
    init = nearest_preimage(unit, grid, tps_basis(grid, controls) @ params)
    moved, found = tps_inverse_map(unit, params, controls, init)
    inside = found & np.all(np.abs(moved) <= 1.0, axis=1)
    return unit_to_pixels(moved, size_hw), inside


def relative_error(delta: np.ndarray,
                   size_hw: Tuple[int, int]) -> np.ndarray:
    """``|(dx / W, dy / H)|`` in percent of the image size.

    Args:
        delta (np.ndarray): ``[..., 2]`` displacements in pixels.
        size_hw (tuple[int, int]): ``(H, W)``.

    Returns:
        np.ndarray: ``[...]`` lengths in percent.
    """
    h, w = size_hw
    return 100.0 * np.linalg.norm(
        np.asarray(delta, np.float64) / np.array([w, h], np.float64),
        axis=-1)


def dense_flow(first: np.ndarray,
               second: np.ndarray,
               pyr_scale: float = 0.5,
               levels: int = 3,
               winsize: int = 9,
               iterations: int = 3,
               poly_n: int = 5,
               poly_sigma: float = 1.1) -> np.ndarray:
    """Farneback optical flow from ``first`` to ``second``.

    Args:
        first (np.ndarray): ``[H, W]`` uint8 grey image.
        second (np.ndarray): ``[H, W]`` uint8 grey image.
        pyr_scale, levels, winsize, iterations, poly_n, poly_sigma: The
            arguments of ``cv2.calcOpticalFlowFarneback``.

    Returns:
        np.ndarray: ``[H, W, 2]`` float32: ``(dx, dy)`` in pixels; the
        content at ``(x, y)`` of ``first`` is at ``(x + dx, y + dy)`` of
        ``second``.
    """
    return cv2.calcOpticalFlowFarneback(first, second, None, pyr_scale,
                                        levels, winsize, iterations, poly_n,
                                        poly_sigma, 0)


def sample_field(field: np.ndarray,
                 points: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Bilinear samples of an ``[H, W, C]`` field at ``[N, 2]`` points.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``[N, C]`` values and ``[N]`` bool,
        ``True`` for points inside the image (others are clamped).
    """
    h, w = field.shape[:2]
    points = np.asarray(points, np.float64).reshape(-1, 2)
    inside = ((points[:, 0] >= 0) & (points[:, 0] <= w - 1) &
              (points[:, 1] >= 0) & (points[:, 1] <= h - 1))
    x = np.clip(points[:, 0], 0, w - 1)
    y = np.clip(points[:, 1], 0, h - 1)
    x0 = np.minimum(np.floor(x).astype(int), max(w - 2, 0))
    y0 = np.minimum(np.floor(y).astype(int), max(h - 2, 0))
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (x - x0)[:, None], (y - y0)[:, None]
    values = (field[y0, x0] * (1 - fx) * (1 - fy) + field[y0, x1] * fx *
              (1 - fy) + field[y1, x0] * (1 - fx) * fy +
              field[y1, x1] * fx * fy)
    return values, inside


def fit_affine(src: np.ndarray,
               dst: np.ndarray,
               weights: Optional[np.ndarray] = None) -> Optional[np.ndarray]:
    """Least-squares affine map ``dst ~ [x, y, 1] @ A`` from point pairs.

    Args:
        src (np.ndarray): ``[L, 2]`` points.
        dst (np.ndarray): ``[L, 2]`` points.
        weights (np.ndarray, optional): ``[L]``; points with weight 0 are
            left out.

    Returns:
        np.ndarray | None: ``[3, 2]`` matrix ``A``, or ``None`` with fewer
        than three usable, non-collinear points.
    """
    keep = (np.ones(len(src), bool)
            if weights is None else np.asarray(weights) > 0)
    if keep.sum() < 3:
        return None
    x = np.concatenate([src[keep], np.ones((keep.sum(), 1))], axis=1)
    if np.linalg.matrix_rank(x) < 3:
        return None
    matrix, *_ = np.linalg.lstsq(x, dst[keep], rcond=None)
    return matrix


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """``[N, 2]`` points through a ``[3, 2]`` affine matrix."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    return np.concatenate([points, np.ones((len(points), 1))], 1) @ matrix
