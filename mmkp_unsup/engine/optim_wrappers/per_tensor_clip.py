"""Optimizer wrappers that clip gradients tensor by tensor (METHOD.md,
Optimisation: "gradient clipping per tensor at norm 1.0, not global")."""
from typing import List

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmpose.registry import OPTIM_WRAPPERS


class PerTensorClipMixin:
    """Replaces the global-norm clipping of mmengine's wrappers.

    With ``clip_grad=dict(max_norm=...)`` (``type='norm'``), every gradient
    tensor is rescaled on its own to a norm of at most ``max_norm``, like
    TensorFlow's ``clip_by_norm`` applied per variable. The logged
    ``train/grad_norm`` is the largest per-tensor norm before clipping.
    """

    def _clip_grad(self) -> None:
        params: List[torch.Tensor] = [
            p for group in self.optimizer.param_groups
            for p in group['params']
            if p.requires_grad and p.grad is not None
        ]
        if not params:
            return
        if self.clip_func is not torch.nn.utils.clip_grad_norm_:
            # clip_grad=dict(type='value', ...) is already per element
            return super()._clip_grad()
        norms = [
            self.clip_func([p], **self.clip_grad_kwargs) for p in params
        ]
        self.message_hub.update_scalar(f'train/{self.grad_name}',
                                       float(torch.stack(norms).max()))


@OPTIM_WRAPPERS.register_module()
class PerTensorClipOptimWrapper(PerTensorClipMixin, OptimWrapper):
    """:class:`mmengine.optim.OptimWrapper` with per-tensor gradient clipping.

    See :class:`PerTensorClipMixin`. Arguments are those of
    ``OptimWrapper``.
    """


@OPTIM_WRAPPERS.register_module()
class PerTensorClipAmpOptimWrapper(PerTensorClipMixin, AmpOptimWrapper):
    """:class:`mmengine.optim.AmpOptimWrapper` with per-tensor clipping.

    What ``tools/train.py --amp`` turns :class:`PerTensorClipOptimWrapper`
    into. Gradients are unscaled before clipping, as in ``AmpOptimWrapper``.
    """
