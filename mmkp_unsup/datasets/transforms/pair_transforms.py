"""Augmentations of (source, target) pairs: flip, swap, TPS on frame pairs.

See docs/training.md, "Image pairs". Results hold the target in ``img``
(with ``keypoints`` / ``keypoints_visible``) and the source in
``source_img`` (with ``source_keypoints`` / ``source_keypoints_visible``
when its dataset has landmarks), as :class:`FramePairDataset` makes them.
Keypoints are ``(x, y)`` in pixels, shape ``[1, K, 2]``, mmpose's layout.
After mmpose's crop (``TopdownAffine``), the landmarks in the frame of
the image are ``transformed_keypoints`` and ``keypoints`` / ``bbox`` stay in
the original image (of size ``ori_shape``); the transforms here keep both
consistent.
"""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmpose.registry import TRANSFORMS
from mmpose.structures.bbox import flip_bbox
from mmpose.structures.keypoint import flip_keypoints
from .tps import remap
from .tps_pair_warp import TPSPairWarp

# what a swap exchanges: key of the target frame, 'source_' + key of the
# source frame (FramePairDataset copies these from the source frame)
SOURCE_KEYS = ('keypoints', 'keypoints_visible', 'transformed_keypoints',
               'img_path', 'ori_shape', 'bbox', 'bbox_center', 'bbox_scale',
               'input_center', 'input_scale')
PAIR_KEYS = (('img', 'source_img'), ('id', 'source_id')) + tuple(
    (key, 'source_' + key) for key in SOURCE_KEYS)


def _check_pair(results: dict, name: str) -> None:
    if 'source_img' not in results:
        raise KeyError(f'{name} needs a pair: no `source_img` in the results '
                       '(use it in the pipeline of FramePairDataset, or after '
                       'TPSPairWarp)')
    if results['source_img'].shape != results['img'].shape:
        raise ValueError(
            f'{name}: source and target images must have one shape, got '
            f'{results["source_img"].shape} and {results["img"].shape} '
            '(crop/resize both frames in the frame dataset\'s pipeline)')


@TRANSFORMS.register_module()
class PairRandomFlip(BaseTransform):
    """Flip both images of a pair horizontally, with one draw.

    The release's pair augmentation (``imm/datasets/impair_dataset.py``):
    with probability ``prob`` both images, their landmarks, the loss mask
    and the box are mirrored together, so the pair stays a pair. A
    landmark at ``x`` moves to ``W - 1 - x`` (pixel centres at integers).
    Unlike the release, which only mirrors coordinates, left/right
    landmark identities are exchanged with the dataset's ``flip_indices``
    (mmpose puts them in every sample's data info) when present.

    Required Keys:

        - img
        - source_img

    Modified Keys:

        - img, source_img
        - keypoints, keypoints_visible, transformed_keypoints, bbox (xyxy),
          bbox_center, and their ``source_`` twins (each optional)
        - loss_mask (optional, ``[H, W]``)

    Added Keys:

        - flip (bool)
        - flip_direction (``'horizontal'`` or ``None``)

    Args:
        prob (float): Probability of flipping. Defaults to ``0.5``, as the
            release.
        use_flip_indices (bool): Exchange left/right landmarks with the
            results' ``flip_indices`` when present. Defaults to ``True``.
    """

    def __init__(self, prob: float = 0.5,
                 use_flip_indices: bool = True) -> None:
        super().__init__()
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob
        self.use_flip_indices = use_flip_indices

    @cache_randomness
    def _do_flip(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def transform(self, results: dict) -> dict:
        _check_pair(results, type(self).__name__)
        flip = self._do_flip()
        results['flip'] = flip
        results['flip_direction'] = 'horizontal' if flip else None
        if not flip:
            return results
        h, w = results['img'].shape[:2]
        for key in ('img', 'source_img', 'loss_mask'):
            if key in results:
                results[key] = np.ascontiguousarray(results[key][:, ::-1])
        cropped = 'input_size' in results  # mmpose's TopdownAffine ran
        for prefix in ('', 'source_'):
            if cropped:
                # landmarks of the crop, and the original image's landmarks
                # and box mirrored in the original image, as the crop is
                frame = results.get(prefix + 'ori_shape',
                                    results.get('ori_shape', (h, w)))[:2]
                self._flip_keypoints(results, prefix + 'transformed_keypoints',
                                     prefix, (h, w), update_visible=False)
            else:
                frame = (h, w)
            self._flip_keypoints(results, prefix + 'keypoints', prefix, frame)
            if prefix + 'bbox' in results:
                results[prefix + 'bbox'] = flip_bbox(
                    results[prefix + 'bbox'], frame[::-1], 'xyxy',
                    'horizontal')
            if prefix + 'bbox_center' in results:
                results[prefix + 'bbox_center'] = flip_bbox(
                    results[prefix + 'bbox_center'], frame[::-1], 'center',
                    'horizontal')
        return results

    def _flip_keypoints(self,
                        results: dict,
                        key: str,
                        prefix: str,
                        frame_hw: Sequence[int],
                        update_visible: bool = True) -> None:
        """Mirror ``results[key]`` in an image of size ``frame_hw``."""
        if key not in results:
            return
        keypoints = np.asarray(results[key])
        num_keypoints = keypoints.shape[-2]
        indices = results.get('flip_indices')
        if not self.use_flip_indices or indices is None:
            indices = list(range(num_keypoints))
        if len(indices) != num_keypoints:
            raise ValueError(
                f'flip_indices has {len(indices)} entries for '
                f'{num_keypoints} keypoints ({results.get("img_path")})')
        vis_key = prefix + 'keypoints_visible'
        visible = results.get(vis_key)
        if visible is None:
            visible = np.ones(keypoints.shape[:-1], np.float32)
        keypoints, flipped_visible = flip_keypoints(
            keypoints, visible, (frame_hw[1], frame_hw[0]), indices,
            'horizontal')
        results[key] = keypoints
        if update_visible and vis_key in results:
            results[vis_key] = flipped_visible

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'use_flip_indices={self.use_flip_indices})')


@TRANSFORMS.register_module()
class PairRandomSwap(BaseTransform):
    """Exchange source and target of a pair, with probability ``prob``.

    The release's second pair augmentation
    (``imm/datasets/impair_dataset.py``): either frame may be the one
    whose geometry is learned. Exchanges ``img``/``source_img`` and, when
    present, the landmarks, ``id`` and ``img_path`` of the two frames.
    Use it before any step that makes target-only keys (the TPS warps add
    the target's ``loss_mask``): a swap after them raises, as it would
    pair the mask with the wrong image.

    Required Keys:

        - img
        - source_img

    Modified Keys:

        - img <-> source_img, id <-> source_id, and each ``key`` <->
          ``source_key`` of ``SOURCE_KEYS`` (landmarks, box, path, shape)
          present, as :class:`FramePairDataset` makes them

    Added Keys:

        - pair_swapped (bool)

    Args:
        prob (float): Probability of swapping. Defaults to ``0.5``, as
            the release.
    """

    def __init__(self, prob: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    @cache_randomness
    def _do_swap(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def transform(self, results: dict) -> dict:
        _check_pair(results, type(self).__name__)
        if 'loss_mask' in results:
            raise ValueError(
                'PairRandomSwap found a `loss_mask`, which belongs to the '
                'target: put PairRandomSwap before TPSFramePairWarp / '
                'TPSPairWarp in the pipeline')
        for target_key, source_key in PAIR_KEYS:
            if (target_key in results) != (source_key in results):
                present = target_key if target_key in results else source_key
                raise KeyError(
                    f'PairRandomSwap: {target_key!r} and {source_key!r} must '
                    f'both be present or both absent, got only {present!r} '
                    f'({results.get("img_path")}); swaps are for pairs of '
                    'two frames (FramePairDataset)')
        swap = self._do_swap()
        results['pair_swapped'] = swap
        if swap:
            for target_key, source_key in PAIR_KEYS:
                if target_key in results and source_key in results:
                    results[target_key], results[source_key] = (
                        results[source_key], results[target_key])
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'


@TRANSFORMS.register_module()
class TPSFramePairWarp(TPSPairWarp):
    """The two TPS warps of :class:`TPSPairWarp`, on an existing pair.

    :class:`TPSPairWarp` makes both views from one image. This variant
    warps the two frames of a pair (e.g. from :class:`FramePairDataset`)
    with the same two warps: the target frame is sampled through the mild
    warp ``T_t``, the source frame as :class:`TPSPairWarp` samples its
    source (``source_from``: through ``T_t(T_s(p))`` in one step, or, as
    the release, warped by ``T_t`` and then resampled at ``T_s(p)``). So
    with ``source_img`` equal to ``img`` the result equals
    :class:`TPSPairWarp`'s for the same random state, and for two frames
    the TPS deformation adds to the motion between them. The target's
    landmarks and the loss mask follow the target warp, as in
    :class:`TPSPairWarp`; ``source_keypoints`` (and their visibility),
    which the warps would leave stale, are removed.

    Required Keys:

        - img
        - source_img (same shape as ``img``)

    Modified Keys:

        - img, source_img
        - keypoints, keypoints_visible (optional)

    Removed Keys:

        - source_keypoints, source_keypoints_visible

    Added Keys:

        - loss_mask (``[H, W]`` float32, if ``with_loss_mask``)

    Args:
        **kwargs: The arguments of :class:`TPSPairWarp`.
    """

    def transform(self, results: dict) -> dict:
        _check_pair(results, type(self).__name__)
        img, source = results['img'], results['source_img']
        size_hw = img.shape[:2]
        target_params, source_params = self._sample_warps()
        grid, basis = self._grid(size_hw)[:2]
        target_grid = basis @ target_params
        results['img'], results['source_img'], target_points = \
            self._warp_pair(img, source, target_params, source_params)
        if self.with_loss_mask:
            results['loss_mask'] = remap(
                self._border_mask(size_hw), target_points, 0.0)
        if 'keypoints' in results:
            self._warp_keypoints(results, target_params, grid, target_grid,
                                 size_hw)
        results.pop('source_keypoints', None)
        results.pop('source_keypoints_visible', None)
        return results

    def __repr__(self) -> str:
        return super().__repr__().replace('TPSPairWarp',
                                          self.__class__.__name__, 1)
