"""The landmark-regression metric under other datasets' protocols
(docs/evaluation.md, "Regression protocols").

Each class fits the regressor exactly as :class:`LandmarkRegressionMetric`
(same splits, same options, same ``_mean_shape`` / ``_fit`` / few-shot
keys for its :attr:`primary_key`) and only changes how the regressed
landmarks are scored.
"""
from typing import Dict, Optional, Sequence

import numpy as np

from mmpose.registry import METRICS
from ..functional import (half_scale_accuracy, input_to_original_frame,
                          normalised_point_error, per_group_mean)
from .landmark_regression_metric import LandmarkRegressionMetric, _numpy

BBCPOSE_JOINTS = ('head', 'right_wrist', 'left_wrist', 'right_elbow',
                  'left_elbow', 'right_shoulder', 'left_shoulder')


class _OriginalFrameMixin:
    """Scores in the original image when the model saw a top-down crop.

    The regressor works in the model's input frame (it is fitted on
    ``gt_instances.transformed_keypoints`` when the pipeline packed them).
    For such samples the regressed points are mapped back to the original
    image with the sample's ``input_center``, ``input_scale`` and
    ``input_size`` (mmpose's ``TopdownAffine``) and compared with
    ``gt_instances.keypoints`` there, as mmpose scores its own models;
    without ``transformed_keypoints`` the two frames are one.
    """

    def frame_info(self, sample: dict) -> dict:
        gt = sample['gt_instances']
        original = _numpy(gt['keypoints'])[0]
        frame = np.full(6, np.nan)
        if 'transformed_keypoints' in gt:
            missing = [
                k for k in ('input_center', 'input_scale', 'input_size')
                if k not in sample
            ]
            if missing:
                raise KeyError(
                    f'sample {sample.get("img_path")}: transformed_keypoints'
                    f' were packed but the metainfo lacks {missing}, needed '
                    'to map the regressed landmarks back to the original '
                    'image')
            frame = np.concatenate([
                np.reshape(sample[k], -1)[:2]
                for k in ('input_center', 'input_scale', 'input_size')
            ]).astype(np.float64)
        return dict(gt_original=original, frame=frame)

    @staticmethod
    def to_original(pred: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """``[N, L, 2]`` input-frame points to the original images."""
        out = np.array(pred, np.float64)
        crop = ~np.isnan(frame).any(axis=1)
        if crop.any():
            f = frame[crop]
            out[crop] = input_to_original_frame(out[crop], f[:, :2],
                                                f[:, 2:4], f[:, 4:])
        return out


@METRICS.register_module()
class BBCPoseRegressionMetric(_OriginalFrameMixin, LandmarkRegressionMetric):
    """Regressed-joint accuracy of the BBCPose protocol.

    Joints are scored in the original frame (see
    :class:`_OriginalFrameMixin`), mapped to half scale as the official
    MATLAB evaluation does (``p' = 0.5 (p - 1) + 1`` on 1-based pixels:
    for 0-based pixels distances are simply halved), and a joint is
    correct if it lies within ``threshold`` pixels there.

    Reports ``accuracy`` (mean over joints, percent; higher is better) and
    ``accuracy_<joint>`` per joint, named from the dataset's metainfo
    (``keypoint_id2name``), else BBCPose's seven joints (head, right
    wrist, left wrist, right elbow, left elbow, right shoulder, left
    shoulder) when there are seven, else ``joint<j>``; plus
    ``accuracy_mean_shape``, ``accuracy_fit`` and the few-shot keys.

    Args:
        threshold (float): Pixels at the rescaled size. Defaults to ``6``.
        scale (float): Rescaling before thresholding. Defaults to ``0.5``.
        bias (bool): See :class:`LandmarkRegressionMetric`. Defaults to
            ``False`` (no-bias least squares, as for faces).
        few_shot (dict, optional): See :class:`LandmarkRegressionMetric`.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    primary_key = 'accuracy'
    higher_is_better = True

    def __init__(self,
                 threshold: float = 6.0,
                 scale: float = 0.5,
                 bias: bool = False,
                 few_shot: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            bias=bias,
            few_shot=few_shot,
            collect_device=collect_device,
            prefix=prefix)
        if threshold <= 0 or scale <= 0:
            raise ValueError('threshold and scale must be positive, got '
                             f'{threshold} and {scale}')
        self.threshold = threshold
        self.scale = scale

    def sample_info(self, sample: dict) -> dict:
        return self.frame_info(sample)

    def joint_names(self, num_joints: int) -> Sequence[str]:
        names = (self.dataset_meta or {}).get('keypoint_id2name')
        if names and len(names) == num_joints:
            return [str(names[j]).replace(' ', '_') for j in range(num_joints)]
        if num_joints == len(BBCPOSE_JOINTS):
            return BBCPOSE_JOINTS
        return [f'joint{j}' for j in range(num_joints)]

    def evaluate_predictions(self, pred: np.ndarray,
                             data: Dict[str, np.ndarray]) -> Dict[str, float]:
        per_joint = half_scale_accuracy(
            self.to_original(pred, data['frame']), data['gt_original'],
            data['visible'], self.threshold, self.scale)
        metrics = dict(accuracy=float(np.nanmean(per_joint)))
        for name, value in zip(self.joint_names(len(per_joint)), per_joint):
            metrics[f'accuracy_{name}'] = float(value)
        return metrics


@METRICS.register_module()
class Human36MRegressionMetric(LandmarkRegressionMetric):
    """Regressed-joint error of the simplified Human3.6M protocol.

    Per image: the mean over joints of the L2 distance in ``[0, 1]`` image
    coordinates (``x / w``, ``y / h`` of the model's input image), then the
    mean per activity, then the mean over activities, in percent. Reads
    per sample:

    - ``activity`` (a string) from the sample's metainfo: the dataset
      reader puts it in the data info and the packing transform's
      ``meta_keys`` must carry it (:class:`PackPairInputs` does);
    - the image size from ``input_size`` (``(w, h)``, mmpose's top-down
      pipelines), else ``img_shape``, else ``ori_shape`` (both
      ``(h, w)``).

    Reports ``error`` (lower is better), ``error_<activity>`` per activity,
    ``error_mean_shape``, ``error_fit`` and the few-shot keys; with
    ``flip_best`` also ``error_flip_best``: per image the better of the
    prediction and its left/right swap (``flip_indices`` from the sample's
    metainfo or the dataset's).

    Args:
        flip_best (bool): Also report the swap-tolerant variant. Defaults
            to ``False``.
        bias (bool): See :class:`LandmarkRegressionMetric`. Defaults to
            ``False``.
        few_shot (dict, optional): See :class:`LandmarkRegressionMetric`.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    primary_key = 'error'

    def __init__(self,
                 flip_best: bool = False,
                 bias: bool = False,
                 few_shot: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            bias=bias,
            few_shot=few_shot,
            collect_device=collect_device,
            prefix=prefix)
        self.flip_best = flip_best

    def sample_info(self, sample: dict) -> dict:
        path = sample.get('img_path')
        if 'activity' not in sample:
            raise KeyError(f'sample {path} has no `activity` in its '
                           'metainfo: the Human3.6M protocol averages per '
                           'activity (add it to the data info and to the '
                           "packing transform's meta_keys)")
        if 'input_size' in sample:
            size = np.reshape(sample['input_size'], -1)[:2]
        elif 'img_shape' in sample or 'ori_shape' in sample:
            shape = sample.get('img_shape', sample.get('ori_shape'))
            size = np.reshape(shape, -1)[:2][::-1]
        else:
            raise KeyError(f'sample {path} has none of input_size, '
                           'img_shape, ori_shape: the image size is needed')
        info = dict(
            activity=str(sample['activity']),
            image_size=np.asarray(size, np.float64))
        if self.flip_best:
            flip = sample.get('flip_indices',
                              (self.dataset_meta or {}).get('flip_indices'))
            if flip is None:
                raise KeyError(f'sample {path}: flip_best needs '
                               'flip_indices in the metainfo')
            info['flip_indices'] = np.asarray(flip, int)
        return info

    def evaluate_predictions(self, pred: np.ndarray,
                             data: Dict[str, np.ndarray]) -> Dict[str, float]:
        errors = normalised_point_error(pred, data['landmarks'],
                                        data['image_size'], data['visible'])
        per_activity, mean = per_group_mean(errors, data['activity'])
        metrics = dict(error=100.0 * mean)
        for name, value in per_activity.items():
            metrics[f'error_{name}'] = 100.0 * value
        if self.flip_best:
            swapped = np.take_along_axis(
                pred, data['flip_indices'][..., None], axis=1)
            errors_swapped = normalised_point_error(
                swapped, data['landmarks'], data['image_size'],
                data['visible'])
            _, best = per_group_mean(
                np.minimum(errors, errors_swapped), data['activity'])
            metrics['error_flip_best'] = 100.0 * best
        return metrics


@METRICS.register_module()
class MMPoseNMERegressionMetric(_OriginalFrameMixin,
                                LandmarkRegressionMetric):
    """Regressed-landmark NME normalised as mmpose's ``NME`` metric does.

    The regressed landmarks are scored by an instance of mmpose's own
    ``NME`` metric (``mmpose.evaluation.NME``), built with the given
    arguments: ``norm_mode='keypoint_distance'`` normalises by the distance
    of two keypoints (``keypoint_indices``, by default mmpose's per-dataset
    pair found from ``dataset_name`` in the metainfo: 300w, wflw, cofw,
    lapa, ...), ``norm_mode='use_norm_item'`` with ``norm_item='bbox_size'``
    by the larger side of the annotated box (mmpose's AFLW configs). The
    comparison happens in the original image (see
    :class:`_OriginalFrameMixin`), against ``gt_instances.keypoints``, so
    for the same landmarks the number equals mmpose's ``NME`` output times
    100: mmpose reports a fraction, this metric percent (``NME``; mmpose
    pools all visible landmarks of all images, unlike the per-image mean of
    :class:`LandmarkRegressionMetric`).

    Args:
        norm_mode (str): ``'keypoint_distance'`` or ``'use_norm_item'``.
            Defaults to ``'keypoint_distance'``.
        norm_item (str, optional): E.g. ``'bbox_size'``.
        keypoint_indices (Sequence[int], optional): The normalising pair.
        bias (bool): See :class:`LandmarkRegressionMetric`. Defaults to
            ``False``.
        few_shot (dict, optional): See :class:`LandmarkRegressionMetric`.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 norm_mode: str = 'keypoint_distance',
                 norm_item: Optional[str] = None,
                 keypoint_indices: Optional[Sequence[int]] = None,
                 bias: bool = False,
                 few_shot: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            bias=bias,
            few_shot=few_shot,
            collect_device=collect_device,
            prefix=prefix)
        self.nme = METRICS.build(
            dict(
                type='NME',
                norm_mode=norm_mode,
                norm_item=norm_item,
                keypoint_indices=keypoint_indices))

    def sample_info(self, sample: dict) -> dict:
        info = self.frame_info(sample)
        # mmpose's own per-sample record: ground truth, mask, norm item
        self.nme.process([], [sample])
        record = self.nme.results.pop()
        info['mask'] = np.asarray(record['mask']).reshape(-1)
        if self.nme.norm_item:
            info['norm_item'] = np.asarray(
                record[self.nme.norm_item], np.float64).reshape(-1)
        return info

    def evaluate_predictions(self, pred: np.ndarray,
                             data: Dict[str, np.ndarray]) -> Dict[str, float]:
        pred = self.to_original(pred, data['frame'])
        records = []
        for i in range(len(pred)):
            record = dict(
                pred_coords=pred[i:i + 1],
                gt_coords=data['gt_original'][i:i + 1],
                mask=data['mask'][i:i + 1])
            if self.nme.norm_item:
                record[self.nme.norm_item] = data['norm_item'][i:i + 1]
            records.append(record)
        self.nme.dataset_meta = self.dataset_meta
        return dict(NME=100.0 * self.nme.compute_metrics(records)['NME'])
