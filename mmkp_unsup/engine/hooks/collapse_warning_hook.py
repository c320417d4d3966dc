"""Say in the log, in plain words, when the learned points collapse.

The reconstruction loss keeps falling when the points collapse (the
generator learns to copy the source), so the loss does not show it; the
keypoint diagnostics do (docs/synthetic_data.md, "Diagnostics"). This hook
reads them and warns, with what to try.
"""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import MMLogger

from mmpose.registry import HOOKS

ADVICE = (
    'what to try (docs/training.md, "When the points collapse"): pairs '
    'whose two images differ more (a larger min_gap of ClipFramePairSampler '
    'for frame pairs, stronger TPS warps for single images), a larger batch, '
    'a lower learning rate, or a longer run; the pictures in '
    'vis_data/vis_image show where the points are')


@HOOKS.register_module()
class CollapseWarningHook(Hook):
    """Warn when the keypoint diagnostics show a collapse.

    From iteration ``after_iter`` on, every ``interval`` iterations, the
    means over the last ``window`` iterations of the logged diagnostics
    (see :func:`keypoint_diagnostics`) are compared with two thresholds:

    - ``keypoint_dispersion`` (mean distance between two points over the
      object's size) below ``min_dispersion``: the points sit on one spot;
    - ``keypoint_spread`` (mean marginal std of the heatmaps, ``[-1, 1]``
      units; about 0.58 for a flat map) above ``max_spread``: the heatmaps
      are flat, so every point is the image centre.

    Either one logs a warning naming the iteration, the numbers and what to
    try, and sets the runtime information ``'keypoint_collapse'`` to
    ``True`` (``False`` when it is over).

    Args:
        after_iter (int): First iteration checked (the points spread out
            only after some hundred iterations). Defaults to ``1000``.
        interval (int): Iterations between checks. Defaults to ``500``.
        window (int): Iterations averaged. Defaults to ``100``.
        min_dispersion (float): Defaults to ``0.02``.
        max_spread (float): Defaults to ``0.45``.
    """

    priority = 'BELOW_NORMAL'  # after the runtime-info hook recorded them

    def __init__(self,
                 after_iter: int = 1000,
                 interval: int = 500,
                 window: int = 100,
                 min_dispersion: float = 0.02,
                 max_spread: float = 0.45) -> None:
        if interval < 1 or window < 1:
            raise ValueError('interval and window must be >= 1, got '
                             f'{interval} and {window}')
        self.after_iter = after_iter
        self.interval = interval
        self.window = window
        self.min_dispersion = min_dispersion
        self.max_spread = max_spread

    def _mean(self, runner, name: str) -> Optional[float]:
        hub = runner.message_hub
        key = f'train/{name}'
        if key not in hub.log_scalars:
            return None
        return float(hub.get_scalar(key).mean(self.window))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        step = runner.iter + 1
        if step < self.after_iter or (step - self.after_iter) % self.interval:
            return
        dispersion = self._mean(runner, 'keypoint_dispersion')
        spread = self._mean(runner, 'keypoint_spread')
        problems = []
        if dispersion is not None and dispersion < self.min_dispersion:
            problems.append(
                f'the points sit on one spot (keypoint_dispersion '
                f'{dispersion:.4f} < {self.min_dispersion})')
        if spread is not None and spread > self.max_spread:
            problems.append(
                f'the heatmaps are flat, so every point is near the image '
                f'centre (keypoint_spread {spread:.3f} > {self.max_spread})')
        collapsed = bool(problems)
        runner.message_hub.update_info('keypoint_collapse', collapsed)
        if collapsed:
            MMLogger.get_current_instance().warning(
                f'keypoint collapse at iteration {step}: ' +
                ' and '.join(problems) + '. The reconstruction loss still '
                'falls because the generator copies the source image; the '
                f'points carry no geometry. {ADVICE}.')
