"""Appearance / geometry swap grid (see docs/inference.md).

The generator redraws image A's appearance at image B's learned points,
for every pair of a set of images -- the paper's "disentangling appearance
and geometry" figures:

    python tools/analysis_tools/swap_grid.py configs/synthetic_k10.py CKPT \\
        --images a.png b.png c.png --out grid.png

Layout: the top row shows the geometry images with their learned points
(one column each), the left column the appearance images (one row each);
cell (row i, column j) is the generated image with the appearance of row
i's image and the points of column j's image (the diagonal is each image's
own reconstruction). A title band says so.
"""
import argparse
import math
import os
import os.path as osp
import sys
from typing import List

import cv2
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.dataset import Compose, pseudo_collate

sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkp_unsup.apis import init_model, read_image  # noqa: E402
from mmkp_unsup.models.utils import normalized_to_pixel  # noqa: E402
from mmkp_unsup.visualization import (draw_keypoints,  # noqa: E402
                                      keypoint_colors, text_size,
                                      to_uint8_rgb)

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff',
                    '.webp')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Grid of generated images: appearance of one image, '
        'learned points (geometry) of another')
    parser.add_argument('config', help='training config file')
    parser.add_argument('checkpoint', help='checkpoint (or detector)')
    parser.add_argument(
        '--images',
        nargs='+',
        required=True,
        help='image files or folders (their images, sorted)')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument(
        '--max-images', type=int, default=8, help='use at most this many')
    parser.add_argument(
        '--cell-size',
        type=int,
        default=96,
        help='cells are upscaled (nearest) to at least this side')
    parser.add_argument('--device', default='cpu', help='cpu or cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as for tools/train.py (the '
        'model must be the one the checkpoint was trained with)')
    return parser.parse_args(argv)


def expand_images(items: List[str], limit: int) -> List[str]:
    """Files and folders (their image files) to a list of image paths."""
    paths = []
    for item in items:
        if osp.isdir(item):
            found = sorted(
                osp.join(item, n) for n in os.listdir(item)
                if n.lower().endswith(IMAGE_EXTENSIONS))
            if not found:
                raise ValueError(f'folder {item} holds no image files')
            paths.extend(found)
        elif osp.isfile(item):
            paths.append(item)
        else:
            raise FileNotFoundError(f'image {item} does not exist')
    if len(paths) < 2:
        raise ValueError(f'a swap grid needs at least 2 images, got '
                         f'{len(paths)}')
    return paths[:limit]


def network_inputs(model, paths: List[str]) -> torch.Tensor:
    """The images as the network sees them: ``[N, 3, H, W]``, normalised
    (whole image resized to the input by the config's inference
    pipeline)."""
    pipeline = Compose(model.cfg.inference_pipeline)
    batch = []
    for path in paths:
        image = read_image(path)
        h, w = image.shape[:2]
        batch.append(
            pipeline(
                dict(img=image, img_path=path,
                     bbox=np.array([[0, 0, w, h]], np.float32),
                     bbox_score=np.ones(1, np.float32))))
    data = model.data_preprocessor(pseudo_collate(batch), False)
    return data['inputs']


def appearance_labels(n: int) -> List[str]:
    """The labels of the grid's appearance rows."""
    return [f'appear. {i}' for i in range(n)]


def label_width(labels: List[str], font_scale: float = 0.35) -> int:
    """Width of the row labels' column: the longest label and a margin,
    at least 56 pixels."""
    return max(56, max(text_size(t, font_scale)[0] for t in labels) + 4)


@torch.no_grad()
def swap_grid(model, images: torch.Tensor, cell_size: int) -> np.ndarray:
    """The grid as an RGB ``uint8`` image (title band included).

    Args:
        model: An :class:`UnsupervisedLandmarkEstimator`.
        images (Tensor): ``[N, 3, H, W]`` normalised network inputs.
        cell_size (int): Minimum cell side in pixels.
    """
    n = len(images)
    coords = model.detect_keypoints(images)['coords']  # [N, K, 2]
    rows = []
    for i in range(n):  # appearance of image i, geometry of every image
        generated, _ = model.generate(images[i:i + 1].expand(n, -1, -1, -1),
                                      coords)
        rows.append(to_uint8_rgb(model.data_preprocessor.to_pixels(generated)))
    inputs = to_uint8_rgb(model.data_preprocessor.to_pixels(images))

    size_hw = images.shape[-2:]
    scale = max(1, math.ceil(cell_size / min(size_hw)))
    ch, cw = size_hw[0] * scale, size_hw[1] * scale
    pad = 4
    colors = keypoint_colors(coords.shape[1])
    points = normalized_to_pixel(coords, size_hw).cpu().numpy()

    def big(image: np.ndarray) -> np.ndarray:
        return cv2.resize(image, (cw, ch), interpolation=cv2.INTER_NEAREST)

    row_labels = appearance_labels(n)
    label_h = 18  # header text above the columns
    label_w = label_width(row_labels)
    title_h = 2 * label_h
    grid = np.full((title_h + label_h + (n + 1) * (ch + pad) + pad,
                    label_w + (n + 1) * (cw + pad) + pad, 3), 255, np.uint8)
    x0, y0 = label_w, title_h + label_h

    def put(image: np.ndarray, row: int, col: int) -> None:
        y, x = y0 + row * (ch + pad), x0 + col * (cw + pad)
        grid[y:y + ch, x:x + cw] = image

    def text(s: str, x: int, y: int, scale_: float = 0.4) -> None:
        cv2.putText(grid, s, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale_,
                    (0, 0, 0), 1, cv2.LINE_AA)

    text('columns: geometry (points of the top-row image)', 4, 14)
    text('rows: appearance (left-column image); cells: generated', 4, 30)
    for j in range(n):  # header row: geometry with its points
        put(draw_keypoints(inputs[j], points[j], scale, max(2, scale // 2),
                           colors), 0, j + 1)
        text(f'geometry {j}', x0 + (j + 1) * (cw + pad) + 2, y0 - 4)
    for i in range(n):  # header column: appearance
        put(big(inputs[i]), i + 1, 0)
        y = y0 + (i + 1) * (ch + pad) + ch // 2
        text(row_labels[i], 2, y, 0.35)
        for j in range(n):
            put(big(rows[i][j]), i + 1, j + 1)
    return grid


def main(argv=None) -> np.ndarray:
    args = parse_args(argv)
    paths = expand_images(args.images, args.max_images)
    model = init_model(
        args.config,
        args.checkpoint,
        device=args.device,
        cfg_options=args.cfg_options)
    images = network_inputs(model, paths)
    grid = swap_grid(model, images, args.cell_size)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, grid[..., ::-1]):
        raise RuntimeError(f'cannot write {args.out}')
    print(f'{len(paths)} x {len(paths)} swap grid written to {args.out}:')
    for k, path in enumerate(paths):
        print(f'  {k}: {path}')
    return grid


if __name__ == '__main__':
    main()
