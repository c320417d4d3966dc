"""The landmark-regression metric (METHOD.md, Evaluation)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.registry import METRICS
from ..functional import (apply_landmark_regressor, fit_landmark_regressor,
                          interocular_nme)


@METRICS.register_module()
class LandmarkRegressionMetric(BaseMetric):
    """Error of a linear regressor from learned keypoints to landmarks.

    ``process`` keeps, per sample, the predicted keypoints
    (``pred_instances.learned_keypoints`` if present, else
    ``pred_instances.keypoints``), the annotated landmarks
    (``gt_instances.transformed_keypoints`` if packed, else
    ``gt_instances.keypoints``: both in the frame of the model's input),
    their visibility and the ``regression_split`` tag set by
    :class:`RegressionSplitDataset`. ``compute_metrics`` (run once on the
    results gathered from all ranks) fits the regressor on the ``'fit'``
    samples and reports on the ``'eval'`` samples:

    - ``NME``: the inter-ocular normalised mean error, in percent;
    - ``NME_mean_shape``: the same for predicting the mean ``'fit'``
      landmarks everywhere (the baseline a useful model must beat);
    - ``NME_fit``: the regressor's error on its own fitting samples.

    Args:
        bias (bool): Give the regressor a bias. Defaults to ``False`` (the
            release's protocol).
        norm_indices (Sequence[int]): Landmarks whose distance normalises
            the error. Defaults to ``(0, 1)`` (the eyes of MAFL and AFLW).
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to
            ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    default_prefix: Optional[str] = None

    def __init__(self,
                 bias: bool = False,
                 norm_indices: Sequence[int] = (0, 1),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if len(norm_indices) != 2:
            raise ValueError('norm_indices must name two landmarks, got '
                             f'{norm_indices}')
        self.bias = bias
        self.norm_indices = tuple(norm_indices)

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            split = sample.get('regression_split')
            if split not in ('fit', 'eval'):
                raise KeyError(
                    f'sample {sample.get("img_path")} has no '
                    'regression_split tag (got '
                    f'{split!r}): evaluate on a RegressionSplitDataset')
            gt = sample['gt_instances']
            landmarks = gt.get('transformed_keypoints', gt['keypoints'])
            visible = gt.get('keypoints_visible',
                             np.ones(np.shape(landmarks)[:2]))
            self.results.append(
                dict(
                    split=split,
                    keypoints=_numpy(_learned(sample['pred_instances']))[0],
                    landmarks=_numpy(landmarks)[0],
                    visible=_numpy(visible).reshape(
                        np.shape(landmarks)[:2])[0]))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        split = {
            name: [r for r in results if r['split'] == name]
            for name in ('fit', 'eval')
        }
        for name, rows in split.items():
            if not rows:
                raise ValueError(f'no {name!r} samples to evaluate: the '
                                 'regression needs both splits')
        fit, test = (self._stack(split['fit']), self._stack(split['eval']))
        weights = fit_landmark_regressor(
            fit['keypoints'], fit['landmarks'], fit['visible'], self.bias)

        def nme(data: dict, pred: np.ndarray) -> float:
            return interocular_nme(pred, data['landmarks'], data['visible'],
                                   self.norm_indices)

        vis = fit['visible'][..., None]
        mean_shape = ((fit['landmarks'] * vis).sum(0) /
                      np.maximum(vis.sum(0), 1))
        metrics = dict(
            NME=nme(test,
                    apply_landmark_regressor(weights, test['keypoints'],
                                             self.bias)),
            NME_mean_shape=nme(
                test, np.broadcast_to(mean_shape, test['landmarks'].shape)),
            NME_fit=nme(
                fit,
                apply_landmark_regressor(weights, fit['keypoints'],
                                         self.bias)))
        MMLogger.get_current_instance().info(
            f'landmark regression: {len(split["fit"])} fitting and '
            f'{len(split["eval"])} evaluation samples, '
            f'{fit["keypoints"].shape[1]} keypoints -> '
            f'{fit["landmarks"].shape[1]} landmarks, bias={self.bias}')
        return metrics

    @staticmethod
    def _stack(rows: List[dict]) -> Dict[str, np.ndarray]:
        return {
            key: np.stack([r[key] for r in rows])
            for key in ('keypoints', 'landmarks', 'visible')
        }


def _learned(pred_instances):
    """The K learned keypoints of a prediction (a detector with a stored
    regressor puts its landmarks in ``keypoints``)."""
    if 'learned_keypoints' in pred_instances:
        return pred_instances['learned_keypoints']
    return pred_instances['keypoints']


def _numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)
