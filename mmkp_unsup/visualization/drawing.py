"""Drawing learned keypoints, Gaussian maps and image grids (RGB uint8)."""
import colorsys
from typing import List, Sequence

import cv2
import numpy as np


def keypoint_colors(num: int) -> np.ndarray:
    """``num`` distinct RGB colours, ``[num, 3]`` uint8."""
    hues = np.arange(num) / max(num, 1)
    return np.array([[round(255 * c) for c in colorsys.hsv_to_rgb(h, 1, 1)]
                     for h in hues], dtype=np.uint8).reshape(num, 3)


def upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling by an integer factor (pixels stay crisp)."""
    if scale == 1:
        return image
    return cv2.resize(
        image, (image.shape[1] * scale, image.shape[0] * scale),
        interpolation=cv2.INTER_NEAREST)


def draw_keypoints(image: np.ndarray,
                   keypoints: np.ndarray,
                   scale: int = 1,
                   radius: int = 2,
                   colors: np.ndarray = None) -> np.ndarray:
    """Draw keypoints as filled circles on an upscaled copy of ``image``.

    Args:
        image (np.ndarray): RGB ``uint8`` ``[H, W, 3]``.
        keypoints (np.ndarray): ``[K, 2]`` as ``(x, y)`` in pixels of
            ``image`` (pixel centres at integers).
        scale (int): Integer upscaling before drawing. Defaults to ``1``.
        radius (int): Circle radius in output pixels. Defaults to ``2``.
        colors (np.ndarray, optional): ``[K, 3]`` RGB colours; defaults to
            :func:`keypoint_colors`.

    Returns:
        np.ndarray: RGB ``uint8`` ``[H * scale, W * scale, 3]``.
    """
    canvas = np.ascontiguousarray(upscale(image, scale))
    keypoints = np.asarray(keypoints, np.float64).reshape(-1, 2)
    colors = keypoint_colors(len(keypoints)) if colors is None else colors
    for (x, y), color in zip(keypoints, colors):
        if not np.isfinite([x, y]).all():
            continue
        center = (int(round((x + 0.5) * scale - 0.5)),
                  int(round((y + 0.5) * scale - 0.5)))
        cv2.circle(canvas, center, radius + 1, (0, 0, 0), -1, cv2.LINE_AA)
        cv2.circle(canvas, center, radius, tuple(int(c) for c in color), -1,
                   cv2.LINE_AA)
    return canvas


def colorize_maps(maps: np.ndarray,
                  size_hw: Sequence[int],
                  colors: np.ndarray = None) -> np.ndarray:
    """Render ``[K, h, w]`` maps in ``[0, 1]`` as one colour image.

    Each map is tinted with its keypoint's colour; overlaps take the
    maximum. The result is resized (bilinear) to ``size_hw``.

    Returns:
        np.ndarray: RGB ``uint8`` ``[H, W, 3]``.
    """
    maps = np.clip(np.asarray(maps, np.float32), 0.0, 1.0)
    colors = keypoint_colors(len(maps)) if colors is None else colors
    tinted = maps[..., None] * colors[:, None, None, :].astype(np.float32)
    image = tinted.max(axis=0) if len(maps) else np.zeros(
        maps.shape[1:] + (3, ), np.float32)
    image = cv2.resize(image, (size_hw[1], size_hw[0]),
                       interpolation=cv2.INTER_LINEAR)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_grid(rows: List[List[np.ndarray]], pad: int = 2,
              pad_value: int = 255) -> np.ndarray:
    """Tile equally sized RGB images into a grid, row by row."""
    if not rows or not rows[0]:
        raise ValueError('make_grid needs at least one image')
    h, w = rows[0][0].shape[:2]
    ncols = max(len(r) for r in rows)
    grid = np.full((len(rows) * (h + pad) + pad, ncols * (w + pad) + pad, 3),
                   pad_value, np.uint8)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            if image.shape[:2] != (h, w):
                raise ValueError(f'grid images must all be {h}x{w}, got '
                                 f'{image.shape[:2]}')
            y, x = pad + i * (h + pad), pad + j * (w + pad)
            grid[y:y + h, x:x + w] = image
    return grid


def to_uint8_rgb(images) -> List[np.ndarray]:
    """``[B, 3, H, W]`` RGB float tensors in pixel units to uint8 arrays."""
    array = images.detach().float().clamp(0, 255).round().byte()
    return [img.permute(1, 2, 0).cpu().numpy() for img in array]
