"""Static-image pairs by two thin-plate-spline warps (docs/training.md,
"Image pairs")."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmpose.registry import TRANSFORMS
from .tps import (build_warp_cache, control_grid, interpolation_matrix,
                  nearest_preimage, pixel_grid, pixels_to_unit, remap,
                  sample_tps_params, smooth_border_mask, tps_basis,
                  tps_inverse_map, tps_map, unit_to_pixels)


def image_keypoints_key(results: dict) -> str:
    """The key of the landmarks in the frame of ``results['img']``.

    mmpose's crop (``TopdownAffine``) leaves ``keypoints`` in the original
    image and writes the cropped ones to ``transformed_keypoints``; without
    a crop, ``keypoints`` are in the image.
    """
    # without keypoints, TopdownAffine writes a 0-d placeholder
    if np.ndim(results.get('transformed_keypoints')) == 3:
        return 'transformed_keypoints'
    return 'keypoints'


# The release's warps (imm/datasets/tps_dataset.py defaults).
TARGET_WARP = dict(
    rotation_sd=0.0, scale_sd=0.0, translation_sd=0.1,
    jitter_sd=(0.001, 0.005))
SOURCE_WARP = dict(
    rotation_sd=5.0, scale_sd=0.1, translation_sd=0.1,
    jitter_sd=(0.001, 0.01))
SOURCE_FROM = ('original', 'target')


def check_source_from(source_from: str) -> str:
    if source_from not in SOURCE_FROM:
        raise ValueError(f'source_from must be one of {SOURCE_FROM}, got '
                         f'{source_from!r}')
    return source_from


def _as_dtype(image: np.ndarray, dtype) -> np.ndarray:
    """``image`` in ``dtype``, rounded and clipped for integer types."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        image = np.clip(np.rint(image), info.min, info.max)
    return image.astype(dtype)


@TRANSFORMS.register_module()
class TPSPairWarp(BaseTransform):
    """Make a (source, target) pair from one image with two TPS warps.

    The target is the image under a mild warp ``T_t``; the source is the
    target warped again by a stronger warp ``T_s``. Landmarks move with the
    target warp; the release's smooth border mask, warped like the target,
    becomes the loss mask. Works on any dataset that yields ``img``.

    How the source is sampled (``source_from``, docs/method.md, "Source of
    a TPS pair"): ``'target'``, as the release, resamples the warped
    target at ``T_s(p)`` (two bilinear interpolations; where ``T_s`` reads
    outside the target the source is ``border_value``, so the target's own
    border reappears inside the source); ``'original'`` samples the
    original image once at ``T_t(T_s(p))`` (one interpolation, the
    original's content wherever that point lies inside it).

    With ``warp_cache`` the warps come from the release's caches (one for
    ``T_t``, one for ``T_s``, see :class:`TPSWarpCache`), so they repeat;
    without, every pair draws fresh ones.

    Required Keys:

        - img

    Modified Keys:

        - img (the target view)
        - keypoints (optional: moved with the target warp), or
          transformed_keypoints when present (after mmpose's
          ``TopdownAffine``, which leaves ``keypoints`` in the original
          image; pack them with ``PackPairInputs(pack_transformed=True)``)
        - keypoints_visible (optional: 0 where a landmark left the image
          or has no pre-image under the warp)

    Added Keys:

        - source_img
        - loss_mask (``[H, W]`` float32, if ``with_loss_mask``)

    Args:
        control_points (Sequence[int]): Rows and columns of the control
            grid. Defaults to ``(10, 10)``.
        target_warp (dict): ``rotation_sd`` (degrees), ``scale_sd``,
            ``translation_sd`` and ``jitter_sd`` (two values) of the target
            warp. Defaults to the release's mild warp.
        source_warp (dict): The same for the source warp. Defaults to the
            release's strong warp.
        with_loss_mask (bool): Add ``loss_mask``. Defaults to ``True``.
        mask_margin (int): Zero pixels of the border mask. Defaults to
            ``10`` (for 128-pixel images).
        mask_ramp (int): Ramp pixels of the border mask. Defaults to ``20``.
        border_value (float): Pixel value outside the image. Defaults to
            ``0``, as the release.
        max_grid_size (int): The warps are evaluated exactly on a grid of
            at most this many points per side, spanning the image, and
            interpolated bilinearly in between (they are smooth); images
            up to this size are warped exactly at every pixel. Defaults to
            ``32``.
        source_from (str): ``'original'`` or ``'target'`` (the release),
            see above. Defaults to ``'original'``.
        warp_cache (dict, optional): ``dict(size, renew_prob)`` of the
            caches of warps; the release's is ``dict(size=1000,
            renew_prob=0.01)``. ``None``: fresh warps. Defaults to
            ``None``. The paper configs use the release's source and cache.
    """

    WARP_KEYS = ('rotation_sd', 'scale_sd', 'translation_sd', 'jitter_sd')

    def __init__(self,
                 control_points: Sequence[int] = (10, 10),
                 target_warp: Optional[dict] = None,
                 source_warp: Optional[dict] = None,
                 with_loss_mask: bool = True,
                 mask_margin: int = 10,
                 mask_ramp: int = 20,
                 border_value: float = 0.0,
                 max_grid_size: int = 32,
                 source_from: str = 'original',
                 warp_cache: Optional[dict] = None) -> None:
        super().__init__()
        self.source_from = check_source_from(source_from)
        self.warp_cache = None if warp_cache is None else dict(warp_cache)
        self._target_cache = build_warp_cache(self.warp_cache)
        self._source_cache = build_warp_cache(self.warp_cache)
        if len(control_points) != 2:
            raise ValueError('control_points must be (rows, cols), got '
                             f'{control_points}')
        self.control_points = tuple(control_points)
        self.controls = control_grid(*self.control_points)
        self.target_warp = self._check_warp(
            'target_warp', TARGET_WARP if target_warp is None else target_warp)
        self.source_warp = self._check_warp(
            'source_warp', SOURCE_WARP if source_warp is None else source_warp)
        self.with_loss_mask = with_loss_mask
        self.mask_margin = mask_margin
        self.mask_ramp = mask_ramp
        self.border_value = border_value
        if max_grid_size < 2:
            raise ValueError(
                f'max_grid_size must be >= 2, got {max_grid_size}')
        self.max_grid_size = max_grid_size
        # per image size: the evaluation grid, its TPS basis, the
        # interpolation matrices to the pixels
        self._grids: Dict[Tuple[int, int], tuple] = {}
        self._masks: Dict[Tuple[int, int], np.ndarray] = {}

    def _check_warp(self, name: str, warp: dict) -> dict:
        warp = dict(warp)
        if set(warp) != set(self.WARP_KEYS):
            raise ValueError(f'{name} must have exactly the keys '
                             f'{self.WARP_KEYS}, got {sorted(warp)}')
        if len(warp['jitter_sd']) != 2:
            raise ValueError(f'{name}.jitter_sd must have two values, got '
                             f'{warp["jitter_sd"]}')
        warp['jitter_sd'] = tuple(warp['jitter_sd'])
        return warp

    @cache_randomness
    def _sample_warps(self) -> Tuple[np.ndarray, np.ndarray]:
        m = len(self.controls)

        def target():
            return sample_tps_params(np.random, m, **self.target_warp)

        def source():
            return sample_tps_params(np.random, m, **self.source_warp)

        if self._target_cache is None:
            return target(), source()
        return (self._target_cache.draw(np.random, target),
                self._source_cache.draw(np.random, source))

    def _warp_pair(self, img: np.ndarray, source: np.ndarray,
                   target_params: np.ndarray, source_params: np.ndarray
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Target view of ``img`` and source view of ``source`` (the same
        image for static pairs), and the target's sampling points."""
        size_hw = img.shape[:2]
        basis = self._grid(size_hw)[1]
        target_points = self._dense(basis @ target_params, size_hw)
        warped = remap(img, target_points, self.border_value)
        if self.source_from == 'target':
            # the release: the target view (in float, unrounded) resampled
            if source is img and img.dtype == np.float32:
                intermediate = warped
            else:
                intermediate = remap(
                    source.astype(np.float32), target_points,
                    self.border_value)
            source_view = _as_dtype(
                remap(intermediate, self._dense(basis @ source_params,
                                                size_hw), self.border_value),
                source.dtype)
        else:
            source_grid = tps_map(basis @ source_params, target_params,
                                  self.controls)
            source_view = remap(source, self._dense(source_grid, size_hw),
                                self.border_value)
        return warped, source_view, target_points

    def _grid(self, size_hw: Tuple[int, int]) -> tuple:
        """Evaluation grid, its TPS basis and interpolation matrices."""
        if size_hw not in self._grids:
            coarse = tuple(min(n, self.max_grid_size) for n in size_hw)
            grid = pixel_grid(coarse)
            self._grids[size_hw] = (
                grid, tps_basis(grid, self.controls), coarse,
                interpolation_matrix(size_hw[0], coarse[0]),
                interpolation_matrix(size_hw[1], coarse[1]))
        return self._grids[size_hw]

    def _dense(self, points: np.ndarray, size_hw: Tuple[int, int]
               ) -> np.ndarray:
        """Grid values ``[G, 2]`` to every pixel, ``[H * W, 2]``."""
        _, _, coarse, rows, cols = self._grid(size_hw)
        if coarse == tuple(size_hw):
            return points
        grid = points.reshape(coarse[0], coarse[1], 2)
        dense = [rows @ grid[..., c] @ cols.T for c in range(2)]
        return np.stack(dense, axis=-1).reshape(-1, 2)

    def _border_mask(self, size_hw: Tuple[int, int]) -> np.ndarray:
        if size_hw not in self._masks:
            self._masks[size_hw] = smooth_border_mask(
                size_hw, self.mask_margin, self.mask_ramp)
        return self._masks[size_hw]

    def transform(self, results: dict) -> dict:
        img = results['img']
        size_hw = img.shape[:2]
        target_params, source_params = self._sample_warps()
        grid, basis = self._grid(size_hw)[:2]
        target_grid = basis @ target_params
        results['img'], results['source_img'], target_points = \
            self._warp_pair(img, img, target_params, source_params)
        if self.with_loss_mask:
            results['loss_mask'] = remap(
                self._border_mask(size_hw), target_points, 0.0)
        key = image_keypoints_key(results)
        # frames without annotations (e.g. users' footage) carry none
        if np.size(results.get(key, [])):
            self._warp_keypoints(results, target_params, grid, target_grid,
                                 size_hw, key)
        return results

    def _warp_keypoints(self,
                        results: dict,
                        params: np.ndarray,
                        grid: np.ndarray,
                        mapped_grid: np.ndarray,
                        size_hw: Tuple[int, int],
                        key: str = 'keypoints') -> None:
        """Move the landmarks ``results[key]`` with the target warp.

        A landmark lands where the warped image samples it: the solution
        of ``T_t(p) = q``, found by Newton's method from the nearest pixel.
        It stays visible if that point lies inside the image (and the
        solution exists: the release's warps may fold). The starting point
        is the nearest point of the evaluation grid.
        """
        keypoints = np.asarray(results[key])
        unit = pixels_to_unit(keypoints.reshape(-1, 2), size_hw)
        init = nearest_preimage(unit, grid, mapped_grid)
        moved, found = tps_inverse_map(unit, params, self.controls, init)
        inside = found & np.all(np.abs(moved) <= 1.0, axis=1)
        results[key] = unit_to_pixels(moved, size_hw).reshape(
            keypoints.shape).astype(keypoints.dtype)
        if 'keypoints_visible' in results:
            visible = np.asarray(results['keypoints_visible'])
            results['keypoints_visible'] = (
                visible * inside.reshape(visible.shape)).astype(visible.dtype)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'control_points={self.control_points}, '
                f'target_warp={self.target_warp}, '
                f'source_warp={self.source_warp}, '
                f'with_loss_mask={self.with_loss_mask}, '
                f'mask_margin={self.mask_margin}, '
                f'mask_ramp={self.mask_ramp}, '
                f'border_value={self.border_value}, '
                f'max_grid_size={self.max_grid_size}, '
                f'source_from={self.source_from!r}, '
                f'warp_cache={self.warp_cache})')
