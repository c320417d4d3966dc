"""TPS image pairs made on the device, a batch at a time.

The same pairs as the :class:`TPSPairWarp` transform (see
docs/benchmark.md, "pairs"), computed with ``grid_sample`` where the model
runs, for when the dataloader workers cannot warp fast enough.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.structures import PixelData
from torch import Tensor

from mmpose.registry import MODELS
from ...datasets.transforms.tps import (build_warp_cache, control_grid,
                                        sample_tps_params,
                                        smooth_border_mask)
from ...datasets.transforms.tps_pair_warp import (SOURCE_WARP, TARGET_WARP,
                                                  check_source_from)
from .pair_data_preprocessor import PairDataPreprocessor

_EPS = 1e-8


@MODELS.register_module()
class BatchTPSPairWarp(nn.Module):
    """Make (source, target) pairs from a batch of images with TPS warps.

    The warps of :class:`TPSPairWarp` (same parametrisation, same random
    draws from ``np.random``, same defaults: the release's mild target
    warp and strong source warp on a 10x10 control grid), evaluated
    exactly at every pixel on the images' device and sampled bilinearly
    (``grid_sample``, ``align_corners=True``: ``-1`` / ``+1`` are the
    centres of the first / last pixels, as in :mod:`..transforms.tps`). The
    target is the image under ``T_t``; the source is sampled from the image
    at ``T_t(T_s(p))`` (``source_from='original'``) or, as the release,
    from the warped target at ``T_s(p)`` (``'target'``); the border loss
    mask is warped like the target.
    Keypoints are not moved (use :class:`TPSPairWarp` when they must be).

    Note:
        - batch size: B
        - image size: H x W

    Args:
        control_points (Sequence[int]): Rows and columns of the control
            grid. Defaults to ``(10, 10)``.
        target_warp (dict, optional): As :class:`TPSPairWarp`.
        source_warp (dict, optional): As :class:`TPSPairWarp`.
        with_loss_mask (bool): Also return the warped border mask.
            Defaults to ``True``.
        mask_margin (int): Zero pixels of the border mask. Defaults to
            ``10``.
        mask_ramp (int): Ramp pixels of the border mask. Defaults to ``20``.
        border_value (float): Pixel value outside the image (in the units
            of the images given). Defaults to ``0``.
        max_grid_size (int, optional): Evaluate the warps exactly on a grid
            of at most this many points per side and interpolate them
            bilinearly in between, as :class:`TPSPairWarp` does (``32``
            there). ``None`` evaluates them at every pixel. Defaults to
            ``None``.
        source_from (str): ``'original'`` or ``'target'`` (the release),
            as :class:`TPSPairWarp`. Defaults to ``'original'``.
        warp_cache (dict, optional): The release's caches of warps, as
            :class:`TPSPairWarp` (one cache per process). Defaults to
            ``None`` (fresh warps).

    Returns (``forward``):
        tuple: ``target`` and ``source`` ``[B, C, H, W]``, and the loss
        mask ``[B, H, W]`` (or ``None``), from images ``[B, C, H, W]``.
    """

    def __init__(self,
                 control_points: Sequence[int] = (10, 10),
                 target_warp: Optional[dict] = None,
                 source_warp: Optional[dict] = None,
                 with_loss_mask: bool = True,
                 mask_margin: int = 10,
                 mask_ramp: int = 20,
                 border_value: float = 0.0,
                 max_grid_size: Optional[int] = None,
                 source_from: str = 'original',
                 warp_cache: Optional[dict] = None) -> None:
        super().__init__()
        self.source_from = check_source_from(source_from)
        self.warp_cache = None if warp_cache is None else dict(warp_cache)
        self._target_cache = build_warp_cache(self.warp_cache)
        self._source_cache = build_warp_cache(self.warp_cache)
        if max_grid_size is not None and max_grid_size < 2:
            raise ValueError(
                f'max_grid_size must be >= 2 or None, got {max_grid_size}')
        self.max_grid_size = max_grid_size
        if len(control_points) != 2:
            raise ValueError('control_points must be (rows, cols), got '
                             f'{control_points}')
        self.control_points = tuple(control_points)
        self.target_warp = dict(TARGET_WARP if target_warp is
                                None else target_warp)
        self.source_warp = dict(SOURCE_WARP if source_warp is
                                None else source_warp)
        for name, warp in (('target_warp', self.target_warp),
                           ('source_warp', self.source_warp)):
            if set(warp) != set(TARGET_WARP):
                raise ValueError(f'{name} must have exactly the keys '
                                 f'{sorted(TARGET_WARP)}, got {sorted(warp)}')
        self.with_loss_mask = with_loss_mask
        self.mask_margin = mask_margin
        self.mask_ramp = mask_ramp
        self.border_value = border_value
        self.register_buffer(
            'controls',
            torch.from_numpy(control_grid(*self.control_points)).float(),
            persistent=False)
        self._bases: Dict[tuple, Tensor] = {}
        self._masks: Dict[tuple, Tensor] = {}

    def sample_params(self, batch: int) -> Tuple[Tensor, Tensor]:
        """Draw ``batch`` target and source warps, each ``[B, M + 3, 2]``,
        in the order :class:`TPSPairWarp` draws them."""
        m = len(self.controls)
        target, source = [], []
        def draw(cache, warp):
            def sample():
                return sample_tps_params(np.random, m, **warp)

            return sample() if cache is None else cache.draw(
                np.random, sample)

        for _ in range(batch):
            target.append(draw(self._target_cache, self.target_warp))
            source.append(draw(self._source_cache, self.source_warp))
        return (torch.from_numpy(np.stack(target)).float(),
                torch.from_numpy(np.stack(source)).float())

    def _basis(self, points: Tensor) -> Tensor:
        """``[..., N, M + 3]`` basis ``[U(|p - c|^2), 1, x, y]``."""
        controls = self.controls.to(points)
        # |p|^2 + |c|^2 - 2 p.c: no [..., N, M, 2] intermediate
        d2 = ((points**2).sum(-1, keepdim=True) + (controls**2).sum(-1) -
              2.0 * points @ controls.T)
        d2 = d2.clamp_min(_EPS)
        ones = torch.ones_like(points[..., :1])
        return torch.cat([d2 * d2.log(), ones, points], dim=-1)

    def _pixel_basis(self, size_hw: Tuple[int, int], device) -> Tensor:
        """TPS basis of every pixel centre, ``[H * W, M + 3]``."""
        key = (tuple(size_hw), str(device))
        if key not in self._bases:
            h, w = size_hw
            ys, xs = torch.meshgrid(
                torch.linspace(-1, 1, h, device=device),
                torch.linspace(-1, 1, w, device=device),
                indexing='ij')
            grid = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)
            self._bases[key] = self._basis(grid)
        return self._bases[key]

    def _border_mask(self, size_hw: Tuple[int, int], device) -> Tensor:
        """The release's smooth border mask, ``[H, W]``."""
        key = (tuple(size_hw), str(device))
        if key not in self._masks:
            self._masks[key] = torch.from_numpy(
                smooth_border_mask(size_hw, self.mask_margin,
                                   self.mask_ramp)).to(device)
        return self._masks[key]

    def sampling_grids(self, target_params: Tensor, source_params: Tensor,
                       size_hw: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """Where each output pixel samples the input image.

        Returns:
            tuple[Tensor, Tensor]: ``[B, H * W, 2]`` points ``(x, y)`` in
            ``[-1, 1]`` for the target (``T_t(p)``) and the source
            (``T_t(T_s(p))`` in the image, or with ``source_from='target'``
            ``T_s(p)`` in the target), pixels in row-major order.
        """
        coarse = tuple(size_hw)
        if self.max_grid_size is not None:
            coarse = tuple(min(n, self.max_grid_size) for n in size_hw)
        basis = self._pixel_basis(coarse, target_params.device)
        target = basis @ target_params
        source = basis @ source_params
        if self.source_from == 'original':
            source = self._basis(source) @ target_params
        if coarse != tuple(size_hw):
            target, source = (
                self._upsample(g, coarse, size_hw) for g in (target, source))
        return target, source

    @staticmethod
    def _upsample(points: Tensor, coarse: Tuple[int, int],
                  size_hw: Tuple[int, int]) -> Tensor:
        """``[B, h * w, 2]`` grid values to ``[B, H * W, 2]``, bilinear
        between grids that both span ``[-1, 1]`` with their end points."""
        b = points.shape[0]
        grid = points.reshape(b, *coarse, 2).permute(0, 3, 1, 2)
        dense = F.interpolate(
            grid, size=tuple(size_hw), mode='bilinear', align_corners=True)
        return dense.permute(0, 2, 3, 1).reshape(b, -1, 2)

    def forward(
        self,
        images: Tensor,
        params: Optional[Tuple[Tensor, Tensor]] = None
    ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        if images.dim() != 4:
            raise ValueError('BatchTPSPairWarp expects [B, C, H, W] images, '
                             f'got shape {tuple(images.shape)}')
        b, _, h, w = images.shape
        if params is None:
            params = self.sample_params(b)
        target_params, source_params = (p.to(images.device) for p in params)
        target_grid, source_grid = self.sampling_grids(target_params,
                                                       source_params, (h, w))
        images = images.float()
        shifted = images - self.border_value

        def warp(x: Tensor, grid: Tensor) -> Tensor:
            return F.grid_sample(
                x,
                grid.reshape(b, h, w, 2),
                mode='bilinear',
                padding_mode='zeros',
                align_corners=True)

        target = warp(shifted, target_grid)
        # the release resamples the target (its border included)
        source = warp(target if self.source_from == 'target' else shifted,
                      source_grid) + self.border_value
        target = target + self.border_value
        mask = None
        if self.with_loss_mask:
            border = self._border_mask((h, w), images.device)
            mask = warp(border.expand(b, 1, h, w), target_grid)[:, 0]
        return target, source, mask

    def extra_repr(self) -> str:
        return (f'control_points={self.control_points}, '
                f'target_warp={self.target_warp}, '
                f'source_warp={self.source_warp}, '
                f'with_loss_mask={self.with_loss_mask}, '
                f'mask_margin={self.mask_margin}, '
                f'mask_ramp={self.mask_ramp}, '
                f'border_value={self.border_value}, '
                f'max_grid_size={self.max_grid_size}, '
                f'source_from={self.source_from!r}, '
                f'warp_cache={self.warp_cache}')


@MODELS.register_module()
class TPSPairDataPreprocessor(PairDataPreprocessor):
    """:class:`PairDataPreprocessor` that makes the TPS pairs itself.

    In training, a batch of single images (a pipeline ending in
    ``PackPairInputs`` without ``TPSPairWarp``) is moved to the device,
    converted and normalised as usual, then turned into pairs by
    :class:`BatchTPSPairWarp` (in pixel units, so the border is black as in
    the release); the warped border mask becomes each sample's
    ``gt_fields.loss_mask``. Batches that already are pairs, and every
    batch outside training, pass through :class:`PairDataPreprocessor`.

    Args:
        pair_warp (dict): The warp. Defaults to
            ``dict(type='BatchTPSPairWarp')`` (the release's warps).
        **kwargs: Arguments of :class:`PairDataPreprocessor`.
    """

    def __init__(self,
                 pair_warp: dict = dict(type='BatchTPSPairWarp'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.pair_warp = MODELS.build(pair_warp)

    # eager under torch.compile (mmengine's compile=True compiles train_step):
    # dynamo cannot trace the numpy fields of the data samples
    @torch.compiler.disable
    def forward(self, data: dict, training: bool = False) -> dict:
        if not training or isinstance(data['inputs'], dict):
            return super().forward(data, training)
        out = super().forward(data, training)
        target, source, mask = self.pair_warp(self.to_pixels(out['inputs']))
        out['inputs'] = dict(
            target=self.from_pixels(target), source=self.from_pixels(source))
        samples = out.get('data_samples')
        if mask is not None and samples is not None:
            for sample, m in zip(samples, mask):
                if 'gt_fields' not in sample:
                    sample.gt_fields = PixelData()
                sample.gt_fields.loss_mask = m[None]
        return out
