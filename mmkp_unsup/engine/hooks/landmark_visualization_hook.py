"""Pictures of training and evaluation: keypoints, reconstructions, swaps."""
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS
from ...models.utils.coordinates import normalized_to_pixel
from ...models.utils.diagnostics import keypoint_diagnostics
from ...visualization.drawing import (colorize_maps, draw_keypoints,
                                      keypoint_colors, make_grid,
                                      to_uint8_rgb)


# the labels drawn at the left of the grids' rows (docs/training.md,
# "Curves and pictures")
TRAIN_ROWS = ('source', 'target + points', 'reconstruction', 'Gaussian maps')
EVAL_ROWS = ('image + points', 'reconstruction', 'previous image',
             'swap + points', 'Gaussian maps')


@HOOKS.register_module()
class LandmarkVisualizationHook(Hook):
    """Draws what the model does, through the runner's visualizer.

    - Training, every ``interval`` iterations (and at the last one): a grid
      whose columns are samples of the batch and whose rows are the source,
      the target with its learned keypoints, the reconstruction and the
      Gaussian maps (``train_reconstruction_<iter>.png``).
    - Validation / test, first batch: the images with their keypoints, the
      self-reconstructions, and appearance/geometry swaps (each image's
      keypoints rendered with the appearance of the previous image)
      (``val_keypoints_<iter>.png`` / ``test_keypoints_<iter>.png``).
    - Each row is named on a strip at its left (:data:`TRAIN_ROWS`,
      :data:`EVAL_ROWS`).
    - With ``out_dir`` (``tools/test.py --show-dir``): every test image
      with its keypoints, one PNG each, under
      ``<work_dir>/<timestamp>/<out_dir>/``.

    The model is run in eval mode on at most ``num_images`` samples.
    A caption above each grid gives the diagnostics of the drawn samples
    (see :func:`keypoint_diagnostics`): heatmap ``spread``, point
    ``dispersion`` over the object's box and, with boxes, the fraction of
    points ``in box``; collapsed points show there as a dispersion near 0.
    Images go to the visualizer's backends (``LocalVisBackend`` writes
    ``<work_dir>/<timestamp>/vis_data/vis_image/``).

    Args:
        enable (bool): Draw anything at all. Defaults to ``True``.
        interval (int): Training iterations between pictures.
            Defaults to ``1000``.
        num_images (int): Samples per grid. Defaults to ``8``.
        min_size (int): Images are upscaled (nearest) by an integer factor
            to at least this side. Defaults to ``128``.
        out_dir (str, optional): Per-image outputs of tests.
        show (bool): Also show grids in a window. Defaults to ``False``.
        wait_time (float): Seconds a shown window stays. Defaults to ``0``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 enable: bool = True,
                 interval: int = 1000,
                 num_images: int = 8,
                 min_size: int = 128,
                 out_dir: Optional[str] = None,
                 show: bool = False,
                 wait_time: float = 0.) -> None:
        if interval < 1 or num_images < 1:
            raise ValueError('interval and num_images must be >= 1, got '
                             f'{interval} and {num_images}')
        self.enable = enable
        self.interval = interval
        self.num_images = num_images
        self.min_size = min_size
        self.out_dir = out_dir
        self.show = show
        self.wait_time = wait_time
        self._out_path: Optional[str] = None

    # ------------------------------------------------------------------
    # hook points
    # ------------------------------------------------------------------
    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.enable or not (self.every_n_train_iters(
                runner, self.interval) or self.is_last_train_iter(runner)):
            return
        grid = self._draw(runner, data_batch, paired=True)
        self._emit(runner, 'train_reconstruction', grid, runner.iter + 1)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        if self.enable and batch_idx == 0:
            grid = self._draw(runner, data_batch, paired=False)
            self._emit(runner, 'val_keypoints', grid, runner.iter)

    def before_test(self, runner) -> None:
        if self.enable and self.out_dir is not None:
            self._out_path = osp.join(runner.work_dir, runner.timestamp,
                                      self.out_dir)
            os.makedirs(self._out_path, exist_ok=True)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        if not self.enable:
            return
        if batch_idx == 0:
            grid = self._draw(runner, data_batch, paired=False)
            self._emit(runner, 'test_keypoints', grid, runner.iter)
        if self._out_path is not None and outputs is not None:
            self._save_predictions(data_batch, outputs)

    # ------------------------------------------------------------------
    # drawing
    # ------------------------------------------------------------------
    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _head(self, data_batch: dict) -> dict:
        """The first ``num_images`` samples of a collated batch."""
        n = self.num_images

        def cut(value):
            if isinstance(value, dict):
                return {k: cut(v) for k, v in value.items()}
            return value[:n]

        return {k: cut(v) for k, v in data_batch.items()}

    @torch.no_grad()
    def _draw(self, runner, data_batch: dict, paired: bool) -> np.ndarray:
        model = self._model(runner)
        data = model.data_preprocessor(self._head(data_batch), False)
        inputs = data['inputs']
        target = inputs['target'] if isinstance(inputs, dict) else inputs
        source = inputs.get('source') if isinstance(inputs, dict) else None
        was_training = model.training
        model.eval()
        try:
            own = model.reconstruct(
                source if paired and source is not None else target, target)
            swap = None if paired else model.reconstruct(
                target.roll(1, dims=0), target)
        finally:
            model.train(was_training)

        to_pixels = model.data_preprocessor.to_pixels
        size_hw = target.shape[-2:]
        scale = max(1, math.ceil(self.min_size / min(size_hw)))
        colors = keypoint_colors(own['coords'].shape[1])
        points = normalized_to_pixel(own['coords'], size_hw).cpu().numpy()

        def plain(images) -> List[np.ndarray]:
            return [cv2.resize(img, None, fx=scale, fy=scale,
                               interpolation=cv2.INTER_NEAREST)
                    for img in to_uint8_rgb(to_pixels(images))]

        def with_points(images) -> List[np.ndarray]:
            return [
                draw_keypoints(img, pts, scale, max(2, scale // 2), colors)
                for img, pts in zip(to_uint8_rgb(to_pixels(images)), points)
            ]

        big = (size_hw[0] * scale, size_hw[1] * scale)
        maps = [
            colorize_maps(m, big, colors)
            for m in own['maps'].cpu().numpy()
        ]
        if paired:
            rows = [
                plain(source if source is not None else target),
                with_points(target),
                with_points(own['reconstruction']), maps
            ]
        else:
            rows = [
                with_points(target),
                with_points(own['reconstruction']),
                plain(target.roll(1, dims=0)),
                with_points(swap['reconstruction']), maps
            ]
        labels = list(TRAIN_ROWS if paired else EVAL_ROWS)
        labels[-1] = getattr(model, 'condition_name', labels[-1])
        stats = keypoint_diagnostics(
            own['coords'], own['spread'], size_hw,
            model._target_boxes(data.get('data_samples')))
        return add_caption(
            make_grid(rows, row_labels=labels), format_diagnostics(stats))

    def _emit(self, runner, name: str, grid: np.ndarray, step: int) -> None:
        runner.visualizer.add_image(name, grid, step=step)
        if self.show:
            runner.visualizer.show(grid, win_name=name,
                                   wait_time=self.wait_time)

    def _save_predictions(self, data_batch: dict,
                          outputs: Sequence) -> None:
        inputs = data_batch['inputs']
        images = inputs['target'] if isinstance(inputs, dict) else inputs
        for image, sample in zip(images, outputs):
            rgb = image.permute(1, 2, 0).cpu().numpy()[..., ::-1]
            scale = max(1, math.ceil(self.min_size / min(rgb.shape[:2])))
            drawn = draw_keypoints(
                np.ascontiguousarray(rgb), sample.pred_instances.keypoints[0],
                scale, max(2, scale // 2))
            cv2.imwrite(
                osp.join(self._out_path, self._file_name(sample)),
                drawn[..., ::-1])

    @staticmethod
    def _file_name(sample) -> str:
        meta: Dict = sample.metainfo
        stem = osp.splitext(osp.basename(meta.get('img_path') or ''))[0]
        stem = stem or f'{meta.get("id", "sample")}'
        split = meta.get('regression_split')
        return f'{split}_{stem}.png' if split else f'{stem}.png'


def format_diagnostics(stats: Dict[str, torch.Tensor]) -> str:
    """One line of text for :func:`keypoint_diagnostics`'s numbers."""
    names = dict(keypoint_spread='spread', keypoint_dispersion='dispersion',
                 keypoint_in_box='in box')
    return '  '.join(f'{names[k]} {float(v):.2f}' for k, v in stats.items()
                     if k in names)


def add_caption(grid: np.ndarray, text: str) -> np.ndarray:
    """A white strip with ``text`` (black) on top of an RGB grid."""
    height = 18
    strip = np.full((height, grid.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, text, (4, height - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([strip, grid], axis=0)
