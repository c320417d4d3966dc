"""The untrained network's error beside every regression metric.

An untrained keypoint encoder already follows an object's position and
orientation, and the linear regressor turns that into a low error: the
mean shape is a weak baseline (docs/evaluation.md, "The untrained
baseline"). This hook evaluates, with the same data, the same regressor and
the same protocol, a keypoint encoder freshly drawn from the config's
initialisation, and reports ``<key>_untrained`` beside ``<key>`` and
``<key>_mean_shape``.
"""
import copy
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.evaluator import Evaluator
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS
from ...evaluation.metrics.landmark_regression_metric import \
    LandmarkRegressionMetric


def _reset_init_flags(module: nn.Module) -> None:
    """Let ``init_weights`` run again on ``module`` and its children
    (mmengine runs it once per module)."""
    for m in module.modules():
        if hasattr(m, '_is_init'):
            m._is_init = False


def untrained_copy(encoder: nn.Module, seed: int) -> nn.Module:
    """A copy of ``encoder`` re-drawn from its initialisation.

    The copy is initialised on the CPU as a newly built network is (every
    layer's own initialisation, then ``init_weights``), under a private
    random state seeded with ``seed`` (the global random state is left as it was), so that the
    same config and seed give the same untrained network on every device
    and every rank; it is then moved to the device of ``encoder``.

    Args:
        encoder (nn.Module): The keypoint encoder (an mmengine
            ``BaseModule`` with ``init_weights``).
        seed (int): Seed of the draw.

    Returns:
        nn.Module: The re-initialised copy, BatchNorm statistics reset.
    """
    param = next(iter(encoder.parameters()), None)
    device = param.device if param is not None else torch.device('cpu')
    fresh = copy.deepcopy(encoder).to('cpu')
    _reset_init_flags(fresh)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # as when the network is built (PyTorch's default initialisation of
        # every layer, in order) and then initialised by the runner
        for m in fresh.modules():
            if hasattr(m, 'reset_parameters'):
                m.reset_parameters()
        fresh.init_weights()
    for m in fresh.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
    return fresh.to(device)


@torch.no_grad()
def calibrate_batch_norm(encoder: nn.Module, batches: List[torch.Tensor]
                         ) -> None:
    """Set the BatchNorm statistics of ``encoder`` to those of ``batches``.

    An untrained network's BatchNorm layers hold mean 0 and variance 1, not
    the statistics of its own features; these are re-estimated as the plain
    average over the given images (momentum ``None``), which gives the
    untrained network its best chance.

    Args:
        encoder (nn.Module): The keypoint encoder; left in eval mode.
        batches (list[Tensor]): Input batches ``[B, 3, H, W]``, normalised
            as the model sees them.
    """
    norms = [
        m for m in encoder.modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
    ]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    encoder.train()
    for images in batches:
        encoder(images)
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    encoder.eval()


@HOOKS.register_module()
class UntrainedBaselineHook(Hook):
    """Report the untrained network's regression error beside the trained.

    After each validation and test epoch, for every
    :class:`LandmarkRegressionMetric` of the loop's evaluator (all the
    regression protocols), the same loop's data is evaluated once more with
    the keypoint encoder replaced by an untrained one: a copy drawn again
    from the config's initialisation with the run's seed, its BatchNorm
    statistics estimated on ``num_bn_samples`` evaluation images
    (:func:`calibrate_batch_norm`). The protocol's key ``<key>`` gets a
    companion ``<key>_untrained`` (e.g. ``NME_untrained``) in the loop's
    metrics, so that the log, ``tools/test.py --out`` and ``make demo``
    show it. The value does not depend on the trained weights and is
    computed once per loop and run.

    Args:
        num_bn_samples (int): Evaluation samples (the first ones of the
            dataset, the same on every rank) whose images set the untrained
            encoder's BatchNorm statistics. ``0`` keeps mean 0 and variance
            1. Defaults to ``256``.
        seed (int, optional): Seed of the untrained draw. Defaults to the
            runner's seed.
        enable (bool): Defaults to ``True``.
    """

    priority = 'ABOVE_NORMAL'  # before the logger writes the metrics

    def __init__(self,
                 num_bn_samples: int = 256,
                 seed: Optional[int] = None,
                 enable: bool = True) -> None:
        if num_bn_samples < 0:
            raise ValueError('num_bn_samples must be >= 0, got '
                             f'{num_bn_samples}')
        self.num_bn_samples = num_bn_samples
        self.seed = seed
        self.enable = enable
        self._cache: Dict[str, Dict[str, float]] = {}

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._add(runner, runner.val_loop, 'val', metrics)

    def after_test_epoch(self, runner, metrics: Optional[dict] = None
                         ) -> None:
        self._add(runner, runner.test_loop, 'test', metrics)

    # ------------------------------------------------------------------
    def _add(self, runner, loop, phase: str, metrics: Optional[dict]) -> None:
        if not self.enable or metrics is None:
            return
        regression = [
            m for m in loop.evaluator.metrics
            if isinstance(m, LandmarkRegressionMetric)
        ]
        if not regression:
            return
        if phase not in self._cache:
            self._cache[phase] = self._evaluate_untrained(
                runner, loop, regression)
        metrics.update(self._cache[phase])
        # the runtime-info hook has already recorded the loop's metrics for
        # the logger: record these beside them
        for key, value in self._cache[phase].items():
            runner.message_hub.update_scalar(f'{phase}/{key}', value)

    def _evaluate_untrained(self, runner, loop,
                            regression: List[LandmarkRegressionMetric]
                            ) -> Dict[str, float]:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        seed = self.seed if self.seed is not None else runner.seed
        seed = 0 if seed is None else int(seed)
        trained = model.backbone
        fresh = untrained_copy(trained, seed)
        if getattr(model, 'channels_last', False):
            fresh.to(memory_format=torch.channels_last)
        fresh.eval()
        was_training = model.training
        model.eval()
        model.backbone = fresh
        try:
            calibrate_batch_norm(fresh, self._bn_batches(model, loop))
            evaluator = Evaluator(regression)
            with torch.no_grad():
                for data_batch in loop.dataloader:
                    outputs = model.test_step(data_batch)
                    evaluator.process(data_samples=outputs,
                                      data_batch=data_batch)
            values = evaluator.evaluate(len(loop.dataloader.dataset))
        finally:
            model.backbone = trained
            model.train(was_training)
        out = {}
        for metric in regression:
            key = metric.primary_key
            if metric.prefix:
                key = f'{metric.prefix}/{key}'
            if key in values:
                out[f'{key}_untrained'] = values[key]
        MMLogger.get_current_instance().info(
            'untrained baseline (the config\'s initialisation, seed '
            f'{seed}, BatchNorm statistics of {self.num_bn_samples} '
            'evaluation images): ' +
            ', '.join(f'{k}: {v:.4f}' for k, v in out.items()))
        return out

    def _bn_batches(self, model, loop) -> List[torch.Tensor]:
        """The first ``num_bn_samples`` samples of the loop's dataset, in
        batches of the loop's batch size, as the model's inputs."""
        dataset = loop.dataloader.dataset
        total = min(self.num_bn_samples, len(dataset))
        size = max(1, int(getattr(loop.dataloader, 'batch_size', 0) or 32))
        collate = loop.dataloader.collate_fn
        batches = []
        for start in range(0, total, size):
            samples = [dataset[i] for i in range(start,
                                                 min(total, start + size))]
            data = model.data_preprocessor(collate(samples), False)
            inputs = data['inputs']
            images = inputs['target'] if isinstance(inputs, dict) else inputs
            if getattr(model, 'channels_last', False):
                images = images.contiguous(memory_format=torch.channels_last)
            batches.append(images)
        return batches
