"""Reconstruction losses between generated and target images.

Implements "Loss" of ../shared/METHOD.md. Both losses take images in pixel
units (RGB, ``[0, 255]``) and an optional loss mask.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmpose.registry import MODELS

CRITERIA = {
    'l1': lambda diff: diff.abs(),
    'l2': lambda diff: diff**2,
}


def _criterion(name: str):
    if name not in CRITERIA:
        raise ValueError(
            f'criterion must be one of {sorted(CRITERIA)}, got {name!r}')
    return CRITERIA[name]


def masked_mean(values: Tensor, mask: Optional[Tensor]) -> Tensor:
    """Mean of ``values * mask`` over all elements (the release's masking).

    The mask is resized bilinearly to the spatial size of ``values``; the
    mean runs over every element, so masked-out pixels count as zeros.

    Args:
        values (Tensor): ``[B, C, H, W]``.
        mask (Tensor, optional): ``[B, 1, H', W']`` in ``[0, 1]``.

    Returns:
        Tensor: Scalar.
    """
    if mask is None:
        return values.mean()
    if mask.shape[-2:] != values.shape[-2:]:
        mask = F.interpolate(
            mask, size=values.shape[-2:], mode='bilinear', align_corners=False)
    return (values * mask).mean()


@MODELS.register_module()
class PixelReconstructionLoss(nn.Module):
    """Pixel L1 or L2 loss on images scaled to ``[0, 1]``.

    Args:
        criterion (str): ``'l1'`` or ``'l2'``. Defaults to ``'l1'``.
        loss_weight (float): Multiplier. Defaults to ``1.0``.

    Returns (forward):
        Tensor: Scalar loss for ``pred`` and ``target`` ``[B, C, H, W]`` in
        ``[0, 255]`` and an optional mask ``[B, 1, H, W]``.
    """

    def __init__(self, criterion: str = 'l1', loss_weight: float = 1.0):
        super().__init__()
        self._fn = _criterion(criterion)
        self.criterion = criterion
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        diff = (pred - target) / 255.0
        return self.loss_weight * masked_mean(self._fn(diff), mask)

    def extra_repr(self) -> str:
        return f'criterion={self.criterion!r}, loss_weight={self.loss_weight}'


@MODELS.register_module()
class PerceptualLoss(nn.Module):
    """Perceptual loss of the release with running-average normalisation.

    Terms: the input pixels, then each feature map of ``loss_network``. For
    each term ``l_k = mean(mask * (f_k(pred) - f_k(target))**2)``; it is
    divided by an exponential running average of itself,
    ``a_k <- a_k + (1 - rho) * (l_k - a_k)``, where the divisor already
    includes the current batch and is not detached. The running averages
    are buffers (they travel in checkpoints) and advance only in training
    mode. The sum of the terms is multiplied by ``loss_weight``.

    Args:
        loss_network (dict): Config of the feature network, e.g.
            :class:`VGG16Features`.
        include_input (bool): Add the input-pixel term first.
            Defaults to ``True``.
        init_values (Sequence[float]): Initial running averages, one per
            term. Defaults to the release's ``(100, 1.6, 2.3, 1.8, 2.8,
            100)``.
        rho (float): Running-average decay. Defaults to ``0.99``.
        criterion (str): ``'l2'`` (the release) or ``'l1'``.
            Defaults to ``'l2'``.
        loss_weight (float): Multiplier of the sum. Defaults to ``1000``.

    Returns (forward):
        Tensor: Scalar loss for ``pred`` and ``target`` ``[B, 3, H, W]``,
        RGB in ``[0, 255]``, and an optional mask ``[B, 1, H, W]``.
    """

    def __init__(self,
                 loss_network: dict = dict(type='VGG16Features'),
                 include_input: bool = True,
                 init_values: Sequence[float] = (100.0, 1.6, 2.3, 1.8, 2.8,
                                                 100.0),
                 rho: float = 0.99,
                 criterion: str = 'l2',
                 loss_weight: float = 1000.0) -> None:
        super().__init__()
        self.loss_network = MODELS.build(loss_network)
        self.include_input = include_input
        num_terms = len(self.loss_network.layers) + int(include_input)
        if len(init_values) != num_terms:
            raise ValueError(
                f'init_values needs one value per loss term ({num_terms}: '
                f'input={include_input}, layers='
                f'{list(self.loss_network.layers)}), got {list(init_values)}')
        if not 0.0 <= rho < 1.0:
            raise ValueError(f'rho must be in [0, 1), got {rho}')
        self.rho = rho
        self._fn = _criterion(criterion)
        self.criterion = criterion
        self.loss_weight = loss_weight
        self.register_buffer('running_avg',
                             torch.tensor(init_values, dtype=torch.float32))

    def term_losses(self,
                    pred: Tensor,
                    target: Tensor,
                    mask: Optional[Tensor] = None) -> Tensor:
        """Un-normalised loss of each term, ``[num_terms]``."""
        pred_feats = self.loss_network(pred)
        with torch.no_grad():
            target_feats = self.loss_network(target)
        if self.include_input:
            pred_feats = [pred] + pred_feats
            target_feats = [target] + target_feats
        return torch.stack([
            masked_mean(self._fn(p - t), mask)
            for p, t in zip(pred_feats, target_feats)
        ])

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        terms = self.term_losses(pred, target, mask)
        running = self.running_avg.to(terms.dtype)
        divisor = running + (1.0 - self.rho) * (terms - running)
        if self.training:
            self.running_avg.copy_(divisor.detach())
        return self.loss_weight * (terms / divisor).sum()

    def extra_repr(self) -> str:
        return (f'include_input={self.include_input}, rho={self.rho}, '
                f'criterion={self.criterion!r}, '
                f'loss_weight={self.loss_weight}')
