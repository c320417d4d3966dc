"""Optimizer wrappers of the method: per-tensor gradient clipping and a
guard against non-finite losses (docs/method.md, "Optimisation" and
"Non-finite losses")."""
import math
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmpose.registry import OPTIM_WRAPPERS


class PerTensorClipMixin:
    """Per-tensor clipping and the non-finite-loss guard.

    Clipping: with ``clip_grad=dict(max_norm=...)`` (``type='norm'``), every
    gradient tensor is rescaled on its own to a norm of at most
    ``max_norm``, like TensorFlow's ``clip_by_norm`` applied per variable
    (the release), instead of mmengine's global norm. The logged
    ``train/grad_norm`` is the largest per-tensor norm before clipping.

    Non-finite losses: after the backward pass of each step the loss is
    checked (all ranks agree through an all-reduce). If it is NaN or
    infinite, by default training stops with a ``FloatingPointError`` that
    names the iteration (as the log counts it, from 1) and the non-finite
    loss terms, for :class:`PerceptualLoss` down to its layers (the model
    leaves them in the message hub's runtime information under
    ``'loss_terms'``). With ``skip_nonfinite=True`` the step is skipped
    instead: gradients are zeroed, neither the parameters nor the optimizer
    state change, a warning names the iteration and terms, and the count
    of skipped steps is logged as ``skipped_steps``.

    Args:
        skip_nonfinite (bool): Skip steps with a non-finite loss instead of
            stopping. Defaults to ``False``.
        *args, **kwargs: Arguments of the mmengine wrapper.
    """

    def __init__(self, *args, skip_nonfinite: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skip_nonfinite = skip_nonfinite

    # eager under torch.compile: dynamo fails inside the optimizer step
    @torch.compiler.disable
    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        """Backward, then step unless the loss is not finite.

        The check follows the backward pass so that every rank of a
        distributed run takes part in the gradient reduction.
        """
        step_kwargs = step_kwargs or {}
        zero_kwargs = zero_kwargs or {}
        self.backward(self.scale_loss(loss))
        if not self._loss_is_finite(loss):
            self._on_nonfinite_loss(loss)  # raises unless skipping
            self.zero_grad(**zero_kwargs)
            return
        if self.should_update():
            self.step(**step_kwargs)
            self.zero_grad(**zero_kwargs)

    @staticmethod
    def _loss_is_finite(loss: torch.Tensor) -> bool:
        bad = (~torch.isfinite(loss.detach())).any().float().reshape(1)
        if get_world_size() > 1:
            all_reduce(bad, op='sum')
        return not bool(bad.item())

    def _describe_nonfinite(self, loss: torch.Tensor) -> str:
        iteration = self.message_hub.get_info('iter')
        where = ('' if iteration is None else
                 f' at iteration {int(iteration) + 1}')
        terms = self.message_hub.get_info('loss_terms') or {}
        values = {name: float(value) for name, value in terms.items()}
        bad = [f'{name}={value}' for name, value in values.items()
               if not math.isfinite(value)]
        if not bad:
            bad = [f'loss={float(loss.detach())}'
                   + (' (on another rank)' if get_world_size() > 1 else '')]
        return f'non-finite loss{where}: ' + ', '.join(bad)

    def _on_nonfinite_loss(self, loss: torch.Tensor) -> None:
        message = self._describe_nonfinite(loss)
        if not self.skip_nonfinite:
            raise FloatingPointError(
                f'{message}. Training stops; set '
                'optim_wrapper.skip_nonfinite=True to skip such steps '
                'instead (see docs/method.md, "Non-finite losses")')
        key = 'train/skipped_steps'
        skipped = 1
        if key in self.message_hub.log_scalars:
            skipped += int(self.message_hub.get_scalar(key).current())
        self.message_hub.update_scalar(key, skipped)
        print_log(f'{message}; step skipped ({skipped} so far)', 'current',
                  level=30)  # logging.WARNING

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


AUTOCAST_DTYPES = {'bfloat16': torch.bfloat16}


@OPTIM_WRAPPERS.register_module()
class PerTensorClipOptimWrapper(PerTensorClipMixin, OptimWrapper):
    """:class:`mmengine.optim.OptimWrapper` with per-tensor gradient clipping,
    a non-finite-loss guard and optional bfloat16 autocast.

    See :class:`PerTensorClipMixin`. Arguments are those of
    ``OptimWrapper`` plus:

    Args:
        skip_nonfinite (bool): Skip steps with a non-finite loss instead of
            stopping with a message naming the iteration and the loss term.
            Defaults to ``False``.
        autocast_dtype (str, optional): ``'bfloat16'`` runs the forward
            pass (and so the loss) under ``torch.autocast`` of the device
            that holds the model's parameters, in bfloat16: on CPUs with
            bfloat16 units (AVX512-BF16, AMX) the convolutions run on them.
            No loss scaling is needed (bfloat16 has float32's range); the
            parameters, gradients and optimizer state stay float32. This is
            what ``tools/train.py --amp`` selects on a machine without CUDA
            (mmengine's ``AmpOptimWrapper`` trains on GPUs only). Defaults
            to ``None`` (float32).
    """

    def __init__(self,
                 *args,
                 autocast_dtype: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.autocast_dtype = autocast_dtype

    @property
    def autocast_dtype(self) -> Optional[str]:
        """``'bfloat16'`` or ``None``."""
        return self._autocast_dtype

    @autocast_dtype.setter
    def autocast_dtype(self, value: Optional[str]) -> None:
        if value is not None and value not in AUTOCAST_DTYPES:
            raise ValueError(
                f'autocast_dtype={value!r}: expected None or one of '
                f'{sorted(AUTOCAST_DTYPES)} (float16 needs loss scaling: '
                'use tools/train.py --amp on a GPU)')
        self._autocast_dtype = value

    @contextmanager
    def optim_context(self, model: torch.nn.Module) -> Iterator[None]:
        """mmengine's context (gradient accumulation), plus autocast when
        ``autocast_dtype`` is set."""
        with super().optim_context(model):
            if self._autocast_dtype is None:
                yield
                return
            param = next(model.parameters(), None)
            device = 'cpu' if param is None else param.device.type
            with torch.autocast(
                    device_type=device,
                    dtype=AUTOCAST_DTYPES[self._autocast_dtype]):
                yield


@OPTIM_WRAPPERS.register_module()
class PerTensorClipAmpOptimWrapper(PerTensorClipMixin, AmpOptimWrapper):
    """:class:`mmengine.optim.AmpOptimWrapper` with per-tensor clipping and
    the non-finite-loss guard.

    What ``tools/train.py --amp`` turns :class:`PerTensorClipOptimWrapper`
    into. Gradients are unscaled before clipping, as in ``AmpOptimWrapper``.
    """
