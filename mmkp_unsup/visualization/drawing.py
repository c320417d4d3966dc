"""Drawing learned keypoints, Gaussian maps and image grids (RGB uint8)."""
import colorsys
from typing import List, Optional, Sequence, Tuple

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


# row labels: black Hershey text, readable whatever the image size
LABEL_FONT = cv2.FONT_HERSHEY_SIMPLEX
LABEL_SCALE = 0.4
LABEL_MARGIN = 4


def text_size(text: str, font_scale: float = LABEL_SCALE,
              thickness: int = 1) -> Tuple[int, int]:
    """``(width, height)`` in pixels of one line of ``text`` drawn with
    :func:`label_strip`'s font (height includes the baseline)."""
    (w, h), baseline = cv2.getTextSize(text, LABEL_FONT, font_scale,
                                       thickness)
    return w, h + baseline


def label_strip(labels: Sequence[str],
                row_height: int,
                pad: int = 2,
                pad_value: int = 255,
                font_scale: float = LABEL_SCALE) -> np.ndarray:
    """A strip that names the rows of a grid, to put at its left.

    The strip is as wide as its longest label needs (not the images), so
    labels stay readable beside 32x32 images. Each label (``\\n`` starts a
    new line) is drawn in black, centred on its row; the font shrinks only
    when a row is lower than the text.

    Args:
        labels (Sequence[str]): One label per row, top to bottom.
        row_height (int): Height of an image of the grid, ``H``.
        pad (int): Gap between and around the rows, as in
            :func:`make_grid`. Defaults to ``2``.
        pad_value (int): Background grey level. Defaults to ``255``.
        font_scale (float): OpenCV font scale. Defaults to ``0.4``.

    Returns:
        np.ndarray: RGB ``uint8`` ``[len(labels) * (H + pad) + pad, W_s, 3]``.
    """
    lines = [str(label).split('\n') for label in labels]
    line_h = max(text_size(ln, font_scale)[1] for ls in lines for ln in ls)
    most = max(len(ls) for ls in lines)
    if most * line_h > row_height:  # low rows: smaller text
        font_scale *= max(row_height / (most * line_h), 0.25)
        line_h = max(text_size(ln, font_scale)[1] for ls in lines
                     for ln in ls)
    width = max(text_size(ln, font_scale)[0] for ls in lines for ln in ls)
    strip = np.full((len(labels) * (row_height + pad) + pad,
                     width + 2 * LABEL_MARGIN, 3), pad_value, np.uint8)
    for i, row_lines in enumerate(lines):
        top = pad + i * (row_height + pad) + (
            row_height - len(row_lines) * line_h) // 2
        for k, line in enumerate(row_lines):
            _, baseline = cv2.getTextSize(line, LABEL_FONT, font_scale, 1)
            cv2.putText(strip, line,
                        (LABEL_MARGIN, top + (k + 1) * line_h - baseline),
                        LABEL_FONT, font_scale, (0, 0, 0), 1, cv2.LINE_AA)
    return strip


def make_grid(rows: List[List[np.ndarray]], pad: int = 2,
              pad_value: int = 255,
              row_labels: Optional[Sequence[str]] = None) -> np.ndarray:
    """Tile equally sized RGB images into a grid, row by row.

    Args:
        rows (List[List[np.ndarray]]): Rows of RGB ``uint8`` ``[H, W, 3]``
            images (rows may be shorter than the longest one).
        pad (int): Gap between and around the images. Defaults to ``2``.
        pad_value (int): Grey level of the gaps. Defaults to ``255``.
        row_labels (Sequence[str], optional): One label per row, drawn on a
            strip at the left of the grid (:func:`label_strip`). Defaults
            to ``None`` (no strip).

    Returns:
        np.ndarray: RGB ``uint8`` ``[R * (H + pad) + pad, W_s + C * (W +
        pad) + pad, 3]``, ``W_s`` the strip's width (0 without labels).
    """
    if not rows or not rows[0]:
        raise ValueError('make_grid needs at least one image')
    if row_labels is not None and len(row_labels) != len(rows):
        raise ValueError(f'make_grid got {len(row_labels)} row labels for '
                         f'{len(rows)} rows; expected one label per row')
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
    if row_labels is None:
        return grid
    strip = label_strip(row_labels, h, pad, pad_value)
    return np.concatenate([strip, grid], axis=1)


def to_uint8_rgb(images) -> List[np.ndarray]:
    """``[B, 3, H, W]`` RGB float tensors in pixel units to uint8 arrays."""
    array = images.detach().float().clamp(0, 255).round().byte()
    return [img.permute(1, 2, 0).cpu().numpy() for img in array]
