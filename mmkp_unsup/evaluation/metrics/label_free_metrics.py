"""Quality metrics that need no annotations (docs/evaluation.md,
"Label-free metrics")."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.registry import METRICS
from ..functional.label_free import (apply_affine, dense_flow, fit_affine,
                                     relative_error, sample_field,
                                     warp_points)
from .landmark_regression_metric import _learned, _numpy


def _image_size(sample: dict) -> Tuple[int, int]:
    """``(H, W)`` of the model's input image of a sample: the batch's
    input shape (the frame of the predicted pixels), else ``img_shape``."""
    for key in ('batch_input_shape', 'img_shape'):
        if key in sample:
            shape = np.reshape(sample[key], -1)
            return int(shape[0]), int(shape[1])
    raise KeyError(f'sample {sample.get("img_path")} has neither img_shape '
                   'nor batch_input_shape in its metainfo')


@METRICS.register_module()
class EquivarianceMetric(BaseMetric):
    """How well the keypoints follow a known warp of the image.

    Each sample carries a copy of its image under a random warp ``T``
    (:class:`EquivarianceWarp` in the pipeline, packed as the ``'warped'``
    view) and the estimator predicts both: ``pred_instances.keypoints``
    ``q`` on the image and ``pred_instances.keypoints_warped`` ``q_w`` on
    the copy. An equivariant detector puts ``q_w`` where the warp moves
    ``q``, i.e. at ``T^-1(q)``. Per point: ``|q_w - T^-1(q)|``. Points
    that the warp pushes out of the image (or where it folds) are left
    out, and counted.

    Reports, averaged over the kept points of all samples (prefix
    ``equivariance/``):

    - ``error_px``: in pixels of the input image;
    - ``error_pct``: in percent of the image size (``x / W``, ``y / H``);
    - ``baseline_px`` / ``baseline_pct``: the same for a detector that
      ignores the image (``q_w = q``), i.e. how far the warps move the
      points: a useful detector scores well below it;
    - ``kept_pct``: the share of points kept.

    No annotations are read: it runs on any dataset, beside or instead of
    the regression metrics.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to
            ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'equivariance'``.
    """

    default_prefix: Optional[str] = 'equivariance'

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            if 'keypoints_warped' not in pred or (
                    'equivariance_warp' not in sample):
                raise KeyError(
                    f'sample {sample.get("img_path")} has no warped '
                    'prediction or no equivariance_warp: put '
                    'EquivarianceWarp before PackPairInputs in the '
                    'pipeline (and use an estimator that predicts the '
                    "'warped' view)")
            size_hw = _image_size(sample)
            points = _numpy(_learned(pred))[0]
            warped = _numpy(pred['keypoints_warped'])[0]
            warp = sample['equivariance_warp']
            expected, kept = warp_points(points,
                                         np.asarray(warp['params']),
                                         np.asarray(warp['controls']),
                                         size_hw)
            self.results.append(
                dict(
                    error_px=np.linalg.norm(warped - expected, axis=-1)[kept],
                    error_pct=relative_error(warped - expected,
                                             size_hw)[kept],
                    baseline_px=np.linalg.norm(points - expected,
                                               axis=-1)[kept],
                    baseline_pct=relative_error(points - expected,
                                                size_hw)[kept],
                    num_points=len(points)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        total = sum(r['num_points'] for r in results)
        metrics = {}
        for key in ('error_px', 'error_pct', 'baseline_px', 'baseline_pct'):
            values = np.concatenate([r[key] for r in results])
            metrics[key] = float(values.mean()) if len(values) else np.nan
        kept = sum(len(r['error_px']) for r in results)
        metrics['kept_pct'] = 100.0 * kept / max(total, 1)
        if kept == 0:
            MMLogger.get_current_instance().warning(
                'equivariance: every point left the image under its warp')
        return metrics


@METRICS.register_module()
class TemporalStabilityMetric(BaseMetric):
    """Frame-to-frame jitter of the keypoints relative to the content.

    For two consecutive frames ``t``, ``t'`` of a clip (``clip_id`` and
    ``frame_id`` in each sample's metainfo; ``0 < t' - t <=
    max_frame_gap``; with a ``regression_split`` tag, clips of the two
    splits are told apart), each keypoint moves by ``d = q_t' - q_t``; the
    content at ``q_t`` moves by ``m``. The residual ``|d - m|`` is the
    jitter: 0 for points glued to the content, ``|m|`` for points that do
    not move. The content motion ``m`` comes from:

    - ``motion='flow'`` (label-free, the default): dense Farneback optical
      flow (OpenCV) from frame ``t`` to ``t'``, sampled bilinearly at
      ``q_t``; the frames are the packed input images of the batch (as
      grey ``uint8``, kept per sample until the end of the evaluation:
      ``H * W`` bytes each);
    - ``motion='landmarks'``: the affine map that best takes frame ``t``'s
      annotated landmarks (``gt_instances``) to frame ``t'``'s (exact for
      rigid motion; pairs with fewer than three common visible landmarks
      are skipped), applied at ``q_t``.

    Reports (prefix ``temporal/``): ``jitter_px`` and ``jitter_pct``
    (percent of the image size), ``motion_px`` (mean ``|m|``: the jitter
    of a detector that ignores the image), ``point_motion_px`` (mean
    ``|d|``), and ``pairs`` (frame pairs used). Points outside the image
    are left out.

    Args:
        motion (str): ``'flow'`` or ``'landmarks'``. Defaults to
            ``'flow'``.
        max_frame_gap (int): Largest ``frame_id`` step that counts as
            consecutive. Defaults to ``1``.
        flow_cfg (dict, optional): Arguments of :func:`dense_flow`.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to
            ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'temporal'``.
    """

    default_prefix: Optional[str] = 'temporal'
    MOTIONS = ('flow', 'landmarks')

    def __init__(self,
                 motion: str = 'flow',
                 max_frame_gap: int = 1,
                 flow_cfg: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if motion not in self.MOTIONS:
            raise ValueError(f'motion must be one of {self.MOTIONS}, got '
                             f'{motion!r}')
        if max_frame_gap < 1:
            raise ValueError(
                f'max_frame_gap must be >= 1, got {max_frame_gap}')
        self.motion = motion
        self.max_frame_gap = max_frame_gap
        self.flow_cfg = dict(flow_cfg or {})

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        images = None
        if self.motion == 'flow':
            images = _batch_images(data_batch, len(data_samples))
        for i, sample in enumerate(data_samples):
            missing = [k for k in ('clip_id', 'frame_id') if k not in sample]
            if missing:
                raise KeyError(f'sample {sample.get("img_path")} lacks '
                               f'{missing} in its metainfo: the temporal '
                               'metric needs frames of clips')
            record = dict(
                # clips of the two halves of a RegressionSplitDataset are
                # different clips even with one clip_id
                clip_id=(sample.get('regression_split'), sample['clip_id']),
                frame_id=int(sample['frame_id']),
                size_hw=_image_size(sample),
                keypoints=_numpy(_learned(sample['pred_instances']))[0])
            if images is not None:
                record['grey'] = _grey(images[i])
            else:
                gt = sample['gt_instances']
                record['landmarks'] = _numpy(
                    gt.get('transformed_keypoints', gt['keypoints']))[0]
                record['visible'] = _numpy(
                    gt.get('keypoints_visible',
                           np.ones(np.shape(gt['keypoints'])[:2]))).reshape(
                               -1)
            self.results.append(record)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        clips = defaultdict(list)
        for r in results:
            clips[r['clip_id']].append(r)
        jitter, jitter_pct, motion, point_motion = [], [], [], []
        pairs = skipped = 0
        for frames in clips.values():
            frames.sort(key=lambda r: r['frame_id'])
            for a, b in zip(frames[:-1], frames[1:]):
                if not 0 < b['frame_id'] - a['frame_id'] <= \
                        self.max_frame_gap:
                    continue
                content, ok = self._content_motion(a, b)
                if content is None:
                    skipped += 1
                    continue
                pairs += 1
                moved = b['keypoints'] - a['keypoints']
                residual = (moved - content)[ok]
                jitter.append(np.linalg.norm(residual, axis=-1))
                jitter_pct.append(relative_error(residual, a['size_hw']))
                motion.append(np.linalg.norm(content[ok], axis=-1))
                point_motion.append(np.linalg.norm(moved[ok], axis=-1))
        logger = MMLogger.get_current_instance()
        if skipped:
            logger.info(f'temporal stability: {skipped} frame pairs '
                        'skipped (fewer than three common visible '
                        'landmarks)')
        if not pairs:
            raise ValueError(
                'no pairs of consecutive frames to evaluate: the dataset '
                f'needs clips (clip_id, frame_id steps <= '
                f'{self.max_frame_gap})')

        def mean(values: list) -> float:
            values = np.concatenate(values)
            return float(values.mean()) if len(values) else np.nan

        return dict(
            jitter_px=mean(jitter),
            jitter_pct=mean(jitter_pct),
            motion_px=mean(motion),
            point_motion_px=mean(point_motion),
            pairs=pairs)

    def _content_motion(self, a: dict, b: dict
                        ) -> Tuple[Optional[np.ndarray], np.ndarray]:
        """``[K, 2]`` motion of the content at frame ``a``'s keypoints and
        ``[K]`` bool of the points it is known for."""
        points = a['keypoints']
        if self.motion == 'flow':
            flow = dense_flow(a['grey'], b['grey'], **self.flow_cfg)
            return sample_field(flow, points)
        matrix = fit_affine(a['landmarks'], b['landmarks'],
                            a['visible'] * b['visible'])
        if matrix is None:
            return None, np.zeros(len(points), bool)
        h, w = a['size_hw']
        inside = ((points >= 0) & (points <= [w - 1, h - 1])).all(axis=1)
        return apply_affine(matrix, points) - points, inside


def _batch_images(data_batch: dict, num: int) -> list:
    """The ``num`` input images of a batch, each ``[C, H, W]``."""
    inputs = data_batch['inputs'] if isinstance(data_batch, dict) else None
    if isinstance(inputs, dict):
        inputs = inputs['target']
    if inputs is None or len(inputs) != num:
        raise ValueError('TemporalStabilityMetric(motion="flow") reads the '
                         "frames from data_batch['inputs']: expected "
                         f'{num} images')
    return [_numpy(img) for img in inputs]


def _grey(image: np.ndarray) -> np.ndarray:
    """``[C, H, W]`` image (as packed: BGR) to ``[H, W]`` grey ``uint8``."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[0] in (1, 3):
        image = np.transpose(image, (1, 2, 0))
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(image.reshape(image.shape[:2]))
