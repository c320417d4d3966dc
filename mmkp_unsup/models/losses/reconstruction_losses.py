"""Reconstruction losses between generated and target images.

See docs/method.md, "Loss". Both losses take images in pixel units (RGB,
``[0, 255]``) and an optional loss mask.

Both are mmengine ``BaseModule`` subclasses: mmengine initialises a model
by walking its children and calling ``init_weights`` on those that have
one, so a plain ``nn.Module`` holding the loss network would hide it and
its weights would never be loaded.
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS
from ..utils.resize import check_resize_mode, resize_bilinear_tf1

CRITERIA = {
    'l1': lambda diff: diff.abs(),
    'l2': lambda diff: diff**2,
}


def _criterion(name: str):
    if name not in CRITERIA:
        raise ValueError(
            f'criterion must be one of {sorted(CRITERIA)}, got {name!r}')
    return CRITERIA[name]


def check_loss_mask(mask: Optional[Tensor], images: Tensor) -> None:
    """Raise a ``ValueError`` unless ``mask`` fits ``images``.

    Args:
        mask (Tensor, optional): ``[B, 1, H, W]`` loss mask (or ``None``).
        images (Tensor): ``[B, C, H, W]`` images the mask applies to.
    """
    if mask is None:
        return
    if mask.dim() != 4 or mask.shape[1] != 1:
        raise ValueError('the loss mask must be [B, 1, H, W], got shape '
                         f'{tuple(mask.shape)}')
    if mask.shape[0] != images.shape[0] or \
            mask.shape[-2:] != images.shape[-2:]:
        raise ValueError(
            f'the loss mask has shape {tuple(mask.shape)}, expected '
            f'[{images.shape[0]}, 1, {images.shape[-2]}, '
            f'{images.shape[-1]}] to match the images '
            f'{tuple(images.shape)} (one mask per image, at the image size)')


def resize_mask(mask: Tensor, size: Sequence[int],
                mode: str = 'pytorch') -> Tensor:
    """Resize a ``[B, 1, H, W]`` loss mask bilinearly to ``size``.

    Args:
        mask (Tensor): ``[B, 1, H, W]``.
        size (Sequence[int]): ``(h, w)``.
        mode (str): ``'tf1'``: as the release, TF 1.x's
            ``tf.image.resize_images`` (output pixel ``i`` sampled at
            ``i * H / h``, clamped at the edge; see
            :func:`resize_bilinear_tf1`); ``'pytorch'``:
            ``F.interpolate(align_corners=False)`` (half-pixel centres).
            Defaults to ``'pytorch'``.

    Returns:
        Tensor: ``[B, 1, h, w]``.
    """
    if tuple(mask.shape[-2:]) == tuple(size):
        return mask
    if check_resize_mode('mode', mode) == 'tf1':
        return resize_bilinear_tf1(mask, size)
    return F.interpolate(
        mask, size=tuple(size), mode='bilinear', align_corners=False)


def masked_mean(values: Tensor,
                mask: Optional[Tensor],
                mask_resize: str = 'pytorch') -> Tensor:
    """Mean of ``values * mask`` over all elements (the release's masking).

    The mask is resized bilinearly to the spatial size of ``values`` (see
    :func:`resize_mask` for ``mask_resize``); the mean runs over every
    element, so masked-out pixels count as zeros.

    Args:
        values (Tensor): ``[B, C, H, W]``.
        mask (Tensor, optional): ``[B, 1, H', W']`` in ``[0, 1]``.
        mask_resize (str): ``'pytorch'`` or ``'tf1'`` (the release).
            Defaults to ``'pytorch'``.

    Returns:
        Tensor: Scalar.
    """
    if mask is None:
        return values.mean()
    mask = resize_mask(mask, values.shape[-2:], mask_resize)
    return (values * mask).mean()


@MODELS.register_module()
class PixelReconstructionLoss(BaseModule):
    """Pixel L1 or L2 loss on images scaled to ``[0, 1]``.

    Args:
        criterion (str): ``'l1'`` or ``'l2'``. Defaults to ``'l1'``.
        loss_weight (float): Multiplier. Defaults to ``1.0``.

    Returns (forward):
        Tensor: Scalar loss for ``pred`` and ``target`` ``[B, C, H, W]`` in
        ``[0, 255]`` and an optional mask ``[B, 1, H, W]``.
    """

    def __init__(self, criterion: str = 'l1', loss_weight: float = 1.0):
        super().__init__(init_cfg=None)
        self._fn = _criterion(criterion)
        self.criterion = criterion
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        check_loss_mask(mask, pred)
        diff = (pred - target) / 255.0
        return self.loss_weight * masked_mean(self._fn(diff), mask)

    def extra_repr(self) -> str:
        return f'criterion={self.criterion!r}, loss_weight={self.loss_weight}'


@MODELS.register_module()
class PerceptualLoss(BaseModule):
    """Perceptual loss of the release with running-average normalisation.

    Terms: the input pixels, then each feature map of ``loss_network``. For
    each term ``l_k = mean(mask * (f_k(pred) - f_k(target))**2)``; it is
    divided by an exponential running average of itself,
    ``a_k <- a_k + (1 - rho) * (l_k - a_k)``, where the divisor already
    includes the current batch and is not detached. The running averages
    are buffers (they travel in checkpoints) and advance only in training
    mode, and only with finite values (a non-finite batch leaves them
    as they were; see docs/method.md, "Non-finite losses"). The sum of the
    terms is multiplied by ``loss_weight``.

    The loss network is frozen: its parameters have ``requires_grad=False``,
    it stays in eval mode, its weights are loaded by its own
    ``init_weights`` when mmengine initialises the model (this module
    passes the call on), and mmengine's optimizer constructor leaves frozen
    parameters out of the optimizer (with a ``paramwise_cfg``, as in
    ``configs/_base_/default_runtime.py``).

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
        mask_resize (str): How the loss mask is resized to each feature
            map: ``'tf1'``, as the release (TF 1.x's
            ``tf.image.resize_images``: no half-pixel offset, clamped at
            the edge, so the resized mask is shifted by up to half an
            input pixel toward the top-left), or ``'pytorch'``
            (``F.interpolate(align_corners=False)``, centred). The paper
            configs use ``'tf1'`` (docs/method.md, "Resizing as the
            release"). Defaults to ``'pytorch'``.

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
                 loss_weight: float = 1000.0,
                 mask_resize: str = 'pytorch') -> None:
        super().__init__(init_cfg=None)
        self.mask_resize = check_resize_mode('mask_resize', mask_resize)
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
        self._last_terms: Optional[Tensor] = None

    @property
    def term_names(self) -> List[str]:
        """Names of the terms, in order: ``'input'`` then the layers."""
        names = list(self.loss_network.layers)
        return ['input'] + names if self.include_input else names

    def last_term_values(self) -> Dict[str, float]:
        """Un-normalised value of each term at the last forward.

        For diagnosis (e.g. naming the layer of a non-finite loss); empty
        before the first forward.
        """
        if self._last_terms is None:
            return {}
        values = self._last_terms.detach().float().cpu().tolist()
        return dict(zip(self.term_names, values))

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
            masked_mean(self._fn(p - t), mask, self.mask_resize)
            for p, t in zip(pred_feats, target_feats)
        ])

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        check_loss_mask(mask, pred)
        terms = self.term_losses(pred, target, mask)
        self._last_terms = terms.detach()
        running = self.running_avg.to(terms.dtype)
        divisor = running + (1.0 - self.rho) * (terms - running)
        if self.training:
            # a non-finite term must not poison the running average (when
            # training skips such steps); no host sync needed
            finite = torch.isfinite(divisor.detach())
            self.running_avg.copy_(
                torch.where(finite, divisor.detach(), running))
        return self.loss_weight * (terms / divisor).sum()

    def extra_repr(self) -> str:
        return (f'include_input={self.include_input}, rho={self.rho}, '
                f'criterion={self.criterion!r}, '
                f'loss_weight={self.loss_weight}, '
                f'mask_resize={self.mask_resize!r}')


@MODELS.register_module()
class FeatureReconstructionLoss(BaseModule):
    """Plain perceptual loss: the mean distance of feature maps, summed.

    AutoLink's loss (docs/autolink.md, "Modules"): both images are resized
    bilinearly to ``resize_to`` (224x224), passed through the frozen
    ``loss_network`` (VGG-16 ``conv1_2``, ``conv2_2``, ``conv3_3``,
    ``conv4_3``, post-ReLU, ImageNet weights) and ``mean(mask * |f(pred) -
    f(target)|)`` is summed over the layers, each times its weight. No
    running-average normalisation (compare :class:`PerceptualLoss`).

    Args:
        loss_network (dict): Config of the feature network, e.g.
            :class:`VGG16Features`.
        resize_to (Sequence[int], optional): ``(h, w)`` the images are
            resized to first; ``None`` keeps their size. Defaults to
            ``(224, 224)``.
        criterion (str): ``'l1'`` or ``'l2'``. Defaults to ``'l1'``.
        layer_weights (Sequence[float], optional): One weight per layer.
            Defaults to 1 for each.
        loss_weight (float): Multiplier of the sum. Defaults to ``1.0``.

    Returns (forward):
        Tensor: Scalar loss for ``pred`` and ``target`` ``[B, 3, H, W]``,
        RGB in ``[0, 255]``, and an optional mask ``[B, 1, H, W]``.
    """

    def __init__(self,
                 loss_network: dict = dict(
                     type='VGG16Features',
                     layers=('conv1_2', 'conv2_2', 'conv3_3', 'conv4_3')),
                 resize_to: Optional[Sequence[int]] = (224, 224),
                 criterion: str = 'l1',
                 layer_weights: Optional[Sequence[float]] = None,
                 loss_weight: float = 1.0) -> None:
        super().__init__(init_cfg=None)
        self.loss_network = MODELS.build(loss_network)
        num_layers = len(self.loss_network.layers)
        layer_weights = (1.0, ) * num_layers if layer_weights is None \
            else tuple(layer_weights)
        if len(layer_weights) != num_layers:
            raise ValueError(
                f'layer_weights needs one value per layer '
                f'{list(self.loss_network.layers)}, got {list(layer_weights)}')
        self.layer_weights = layer_weights
        self.resize_to = None if resize_to is None else tuple(resize_to)
        self._fn = _criterion(criterion)
        self.criterion = criterion
        self.loss_weight = loss_weight
        self._last_terms: Optional[Tensor] = None

    @property
    def term_names(self) -> List[str]:
        """Names of the terms: the layers."""
        return list(self.loss_network.layers)

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        check_loss_mask(mask, pred)
        if self.resize_to is not None:
            pred, target = (F.interpolate(
                x, size=self.resize_to, mode='bilinear', align_corners=False)
                            for x in (pred, target))
        pred_feats = self.loss_network(pred)
        with torch.no_grad():
            target_feats = self.loss_network(target)
        terms = torch.stack([
            masked_mean(self._fn(p - t), mask)
            for p, t in zip(pred_feats, target_feats)
        ])
        self._last_terms = terms.detach()
        weights = terms.new_tensor(self.layer_weights)
        return self.loss_weight * (terms * weights).sum()

    def extra_repr(self) -> str:
        return (f'resize_to={self.resize_to}, criterion={self.criterion!r}, '
                f'layer_weights={self.layer_weights}, '
                f'loss_weight={self.loss_weight}')
