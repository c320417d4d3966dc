"""The landmark-regression metric (docs/evaluation.md, "Landmark
regression")."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.registry import METRICS
from ..functional import (apply_landmark_regressor, fit_landmark_regressor,
                          interocular_nme)

_STACKED = ('keypoints', 'landmarks', 'visible')


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
    - ``NME_fit``: the regressor's error on its own fitting samples;
    - with ``few_shot``: ``NME@<n>_mean`` and ``NME@<n>_std``, the error
      of regressors fitted on ``n`` random ``'fit'`` samples, over
      ``num_draws`` draws.

    This class is the protocol of MAFL and AFLW (docs/evaluation.md). Other
    datasets' protocols are subclasses that override
    :meth:`evaluate_predictions` (and :meth:`sample_info` for what they need
    of each sample): :class:`BBCPoseRegressionMetric`,
    :class:`Human36MRegressionMetric`, :class:`MMPoseNMERegressionMetric`.

    Args:
        bias (bool): Give the regressor a bias. Defaults to ``False`` (the
            release's protocol).
        norm_indices (Sequence[int]): Landmarks whose distance normalises
            the error. Defaults to ``(0, 1)`` (the eyes of MAFL and AFLW).
        few_shot (dict, optional): The few-shot curve: ``sizes`` (numbers
            of fitting samples, default ``(1, 5, 10, 100)``; sizes above
            the number of ``'fit'`` samples are skipped with a logged
            note), ``num_draws`` (random subsets per size, default ``5``)
            and ``seed`` (default ``0``). Below ``2K`` (+1) samples the
            regressor is the minimum-norm least-squares solution. ``None``
            (the default) computes no curve.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to
            ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    default_prefix: Optional[str] = None
    #: the metric that ``_mean_shape``, ``_fit`` and the few-shot curve
    #: report
    primary_key: str = 'NME'
    #: whether larger is better for ``primary_key``
    higher_is_better: bool = False
    FEW_SHOT_KEYS = ('sizes', 'num_draws', 'seed')

    def __init__(self,
                 bias: bool = False,
                 norm_indices: Sequence[int] = (0, 1),
                 few_shot: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if len(norm_indices) != 2:
            raise ValueError('norm_indices must name two landmarks, got '
                             f'{norm_indices}')
        self.bias = bias
        self.norm_indices = tuple(norm_indices)
        self.few_shot = self._check_few_shot(few_shot)

    def _check_few_shot(self, few_shot: Optional[dict]) -> Optional[dict]:
        if few_shot is None:
            return None
        unknown = set(few_shot) - set(self.FEW_SHOT_KEYS)
        if unknown:
            raise ValueError(f'unknown few_shot keys {sorted(unknown)}; '
                             f'expected some of {self.FEW_SHOT_KEYS}')
        cfg = dict(sizes=(1, 5, 10, 100), num_draws=5, seed=0)
        cfg.update(few_shot)
        cfg['sizes'] = tuple(int(n) for n in cfg['sizes'])
        if not cfg['sizes'] or min(cfg['sizes']) < 1:
            raise ValueError('few_shot.sizes must be positive numbers of '
                             f'samples, got {cfg["sizes"]}')
        if int(cfg['num_draws']) < 1:
            raise ValueError('few_shot.num_draws must be >= 1, got '
                             f'{cfg["num_draws"]}')
        return cfg

    # ------------------------------------------------------------------
    # Gathering
    # ------------------------------------------------------------------
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
            record = dict(
                split=split,
                keypoints=_numpy(_learned(sample['pred_instances']))[0],
                landmarks=_numpy(landmarks)[0],
                visible=_numpy(visible).reshape(
                    np.shape(landmarks)[:2])[0])
            record.update(self.sample_info(sample))
            self.results.append(record)

    def sample_info(self, sample: dict) -> dict:
        """What a protocol needs of a sample besides the landmarks.

        Args:
            sample (dict): A data sample as the evaluator gives it
                (metainfo keys at the top level).

        Returns:
            dict: Plain numpy values or strings, one per key; each key is
            stacked over the samples for :meth:`evaluate_predictions`.
        """
        return {}

    # ------------------------------------------------------------------
    # The protocol
    # ------------------------------------------------------------------
    def evaluate_predictions(self, pred: np.ndarray,
                             data: Dict[str, np.ndarray]) -> Dict[str, float]:
        """Errors of regressed landmarks against the annotations.

        Args:
            pred (np.ndarray): ``[N, L, 2]`` regressed landmarks, ``(x, y)``
                pixels of the model's input frame.
            data (dict[str, np.ndarray]): The stacked records of the same
                samples: ``landmarks`` ``[N, L, 2]``, ``visible``
                ``[N, L]``, and what :meth:`sample_info` added.

        Returns:
            dict[str, float]: At least :attr:`primary_key`.
        """
        return dict(
            NME=interocular_nme(pred, data['landmarks'], data['visible'],
                                self.norm_indices))

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

        vis = fit['visible'][..., None]
        mean_shape = ((fit['landmarks'] * vis).sum(0) /
                      np.maximum(vis.sum(0), 1))
        key = self.primary_key
        metrics = self.evaluate_predictions(
            apply_landmark_regressor(weights, test['keypoints'], self.bias),
            test)
        metrics[f'{key}_mean_shape'] = self.evaluate_predictions(
            np.broadcast_to(mean_shape, test['landmarks'].shape).copy(),
            test)[key]
        metrics[f'{key}_fit'] = self.evaluate_predictions(
            apply_landmark_regressor(weights, fit['keypoints'], self.bias),
            fit)[key]
        logger = MMLogger.get_current_instance()
        logger.info(
            f'landmark regression ({type(self).__name__}): '
            f'{len(split["fit"])} fitting and {len(split["eval"])} '
            f'evaluation samples, {fit["keypoints"].shape[1]} keypoints -> '
            f'{fit["landmarks"].shape[1]} landmarks, bias={self.bias}')
        if self.few_shot is not None:
            metrics.update(self._few_shot_curve(fit, test))
        return metrics

    def _few_shot_curve(self, fit: Dict[str, np.ndarray],
                        test: Dict[str, np.ndarray]) -> Dict[str, float]:
        """``<key>@<n>_mean`` / ``_std`` over random fitting subsets."""
        logger = MMLogger.get_current_instance()
        num_fit = len(fit['keypoints'])
        unknowns = fit['keypoints'][0].size + int(self.bias)
        rng = np.random.default_rng(self.few_shot['seed'])
        key, curve = self.primary_key, {}
        for n in self.few_shot['sizes']:
            if n > num_fit:
                logger.info(f'few-shot regression: size {n} skipped, the '
                            f"'fit' split has only {num_fit} samples")
                continue
            if n < unknowns:
                logger.info(f'few-shot regression: {n} samples for '
                            f'{unknowns} unknowns, minimum-norm solution')
            values = []
            for _ in range(self.few_shot['num_draws']):
                rows = rng.choice(num_fit, n, replace=False)
                weights = fit_landmark_regressor(
                    fit['keypoints'][rows], fit['landmarks'][rows],
                    fit['visible'][rows], self.bias, min_norm=True)
                pred = apply_landmark_regressor(weights, test['keypoints'],
                                                self.bias)
                values.append(self.evaluate_predictions(pred, test)[key])
            curve[f'{key}@{n}_mean'] = float(np.mean(values))
            curve[f'{key}@{n}_std'] = float(np.std(values))
        return curve

    @staticmethod
    def _stack(rows: List[dict]) -> Dict[str, np.ndarray]:
        keys = [k for k in rows[0] if k != 'split']
        return {key: np.stack([r[key] for r in rows]) for key in keys}


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
