"""A warped copy of each image for the equivariance metric
(docs/evaluation.md, "Equivariance error")."""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS
from .tps import (control_grid, pixel_grid, sample_tps_params, tps_basis,
                  unit_to_pixels)

BORDER_MODES = dict(constant=cv2.BORDER_CONSTANT,
                    replicate=cv2.BORDER_REPLICATE,
                    reflect=cv2.BORDER_REFLECT_101)


@TRANSFORMS.register_module()
class EquivarianceWarp(BaseTransform):
    """Add a copy of the image under a known random warp.

    The warp ``T`` is a thin-plate spline on a ``control_points`` grid
    (with an affine part: rotation, scale, translation) or, with
    ``control_points=None``, the affine part alone (a similarity of the
    ``[-1, 1]`` square; on non-square images an affine map of the pixels).
    Like :class:`TPSPairWarp`, ``T`` is a backward map: the warped image at
    point ``p`` is the original image at ``T(p)``, in ``(x, y)``
    coordinates in ``[-1, 1]`` with ``-1`` / ``+1`` at the centres of the
    first / last pixels (``align_corners=True``). The original image is
    left untouched, so metrics on the original predictions (e.g. the
    landmark regression) are unchanged; :class:`PackPairInputs` packs the
    copy as the ``'warped'`` view, the estimator predicts it into
    ``pred_instances.keypoints_warped`` and :class:`EquivarianceMetric`
    compares the two.

    The warps are reproducible: with ``seed`` set, sample ``i``'s warp is
    drawn from a generator seeded with ``(seed, i)`` (``i`` =
    ``sample_idx``, else ``id``, else ``img_id`` of the data info), so
    every run, worker count and rank sees the same warps.

    Required Keys:

        - img
        - sample_idx, id or img_id (with ``seed``)

    Added Keys:

        - warped_img (same shape and dtype as ``img``)
        - equivariance_warp (dict: ``params`` ``[M + 3, 2]`` and
          ``controls`` ``[M, 2]``, see :func:`tps_map`; ``M = 0`` for the
          affine warp)

    Args:
        rotation_sd (float): Degrees. Defaults to ``5`` (the release's
            source warp).
        scale_sd (float): Defaults to ``0.1``.
        translation_sd (float): In ``[-1, 1]`` units. Defaults to ``0.1``.
        jitter_sd (Sequence[float]): TPS kernel weights, see
            :func:`sample_tps_params`. Defaults to ``(0.001, 0.005)`` (the
            release's target warp: its source warp's ``0.01`` folds the
            image near the borders too often for a point-wise measure).
        control_points (Sequence[int], optional): Rows and columns of the
            TPS control grid; ``None`` for the affine warp. Defaults to
            ``(10, 10)``.
        seed (int, optional): Seed of the per-sample warps; ``None`` draws
            from ``np.random``. Defaults to ``0``.
        border_mode (str): What the copy shows where the warp reaches
            outside the image: ``'replicate'`` (the nearest edge pixel),
            ``'reflect'``, or ``'constant'`` (``border_value``, black as in
            the release's TPS training pairs). Defaults to ``'replicate'``:
            black borders are unlike anything a model trained on frame
            pairs has seen and move its points by themselves (measured in
            docs/evaluation.md).
        border_value (float): Pixel value outside the image in the
            ``'constant'`` mode. Defaults to ``0``.
    """

    def __init__(self,
                 rotation_sd: float = 5.0,
                 scale_sd: float = 0.1,
                 translation_sd: float = 0.1,
                 jitter_sd: Sequence[float] = (0.001, 0.005),
                 control_points: Optional[Sequence[int]] = (10, 10),
                 seed: Optional[int] = 0,
                 border_mode: str = 'replicate',
                 border_value: float = 0.0) -> None:
        super().__init__()
        if len(jitter_sd) != 2:
            raise ValueError(f'jitter_sd must have two values, got '
                             f'{jitter_sd}')
        if control_points is not None and len(control_points) != 2:
            raise ValueError('control_points must be (rows, cols) or None, '
                             f'got {control_points}')
        self.rotation_sd = rotation_sd
        self.scale_sd = scale_sd
        self.translation_sd = translation_sd
        self.jitter_sd = tuple(jitter_sd)
        self.control_points = (None if control_points is None else
                               tuple(control_points))
        self.controls = (np.zeros((0, 2)) if control_points is None else
                         control_grid(*control_points))
        if border_mode not in BORDER_MODES:
            raise ValueError(f'border_mode must be one of '
                             f'{sorted(BORDER_MODES)}, got {border_mode!r}')
        self.seed = seed
        self.border_mode = border_mode
        self.border_value = border_value
        self._bases: Dict[Tuple[int, int], np.ndarray] = {}

    def _rng(self, results: dict) -> np.random.RandomState:
        if self.seed is None:
            return np.random
        for key in ('sample_idx', 'id', 'img_id'):
            if results.get(key) is not None:
                return np.random.RandomState(
                    np.random.SeedSequence(
                        [self.seed, int(results[key])]).generate_state(1))
        raise KeyError(
            f'EquivarianceWarp(seed={self.seed}) needs sample_idx, id or '
            f'img_id in the results of {results.get("img_path")} to seed '
            "the sample's warp (or seed=None)")

    def sample_params(self, results: dict) -> np.ndarray:
        """Draw the warp of one sample, ``[M + 3, 2]``."""
        params = sample_tps_params(
            self._rng(results),
            max(len(self.controls), 1),
            rotation_sd=self.rotation_sd,
            scale_sd=self.scale_sd,
            translation_sd=self.translation_sd,
            jitter_sd=self.jitter_sd)
        if not len(self.controls):
            params = params[1:]  # the affine part alone
        return params

    def transform(self, results: dict) -> dict:
        img = results['img']
        size_hw = img.shape[:2]
        params = self.sample_params(results)
        if size_hw not in self._bases:
            self._bases[size_hw] = tps_basis(pixel_grid(size_hw),
                                             self.controls)
        pixels = unit_to_pixels(self._bases[size_hw] @ params,
                                size_hw).astype(np.float32)
        channels = img.shape[2] if img.ndim == 3 else 1
        results['warped_img'] = cv2.remap(
            img,
            pixels[:, 0].reshape(size_hw),
            pixels[:, 1].reshape(size_hw),
            cv2.INTER_LINEAR,
            borderMode=BORDER_MODES[self.border_mode],
            borderValue=(self.border_value, ) * min(channels, 4))
        results['equivariance_warp'] = dict(
            params=params.astype(np.float64), controls=self.controls.copy())
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'rotation_sd={self.rotation_sd}, '
                f'scale_sd={self.scale_sd}, '
                f'translation_sd={self.translation_sd}, '
                f'jitter_sd={self.jitter_sd}, '
                f'control_points={self.control_points}, '
                f'seed={self.seed}, border_mode={self.border_mode!r}, '
                f'border_value={self.border_value})')
