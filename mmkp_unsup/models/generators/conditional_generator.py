"""The conditional image generator ("renderer" of the release).

See docs/method.md, "Model" (generator) and "Initialisation".
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS
from ..backbones.encoders import TF_BN, TF_INIT, ReleaseConvModule
from ..utils.resize import check_resize_mode, resize_bilinear_tf1


@MODELS.register_module()
class ConditionalGenerator(BaseModule):
    """Decoder that redraws the target from appearance features and maps.

    Input: the concatenation of the appearance features of the source
    image and the K Gaussian maps of the target's keypoints, both at
    1/2**num_upsamplings of the output size. At each of the
    ``num_upsamplings`` scales: two conv3x3+BN+ReLU then x2 bilinear
    upsampling, the channels halved after each scale. At the output size:
    one conv3x3+BN+ReLU and a final conv3x3 to ``out_channels`` without
    normalisation or activation: the output is unbounded, in the scale of
    the (normalised) input images. No skip connections. Every convolution,
    the final one included, is initialised by ``init_cfg`` (the release's
    truncated normal, std 0.01, zero biases).

    Note:
        - batch size: B
        - keypoints: K
        - feature size: h x w; output size: H x W = h * 2**n x w * 2**n

    Args:
        appearance_channels (int): Channels of the appearance features.
        num_keypoints (int): Number of Gaussian maps K.
        n_filters (int): ``n_filters_render`` of the release; the first
            scale has ``8 * n_filters`` channels. Defaults to ``32``.
        num_upsamplings (int): Number of x2 upsamplings. Defaults to ``3``
            (16 -> 128 in the release).
        out_channels (int): Output image channels. Defaults to ``3``.
        upsample (str): The x2 bilinear upsampling: ``'tf1'``, as the
            release (TF 1.x's ``tf.image.resize_images``: output pixel
            ``i`` from input ``i / 2``, the last one repeated), or
            ``'pytorch'`` (``F.interpolate(align_corners=False)``, output
            pixel ``i`` from ``(i + 0.5) / 2 - 0.5``). The paper configs
            use ``'tf1'`` (docs/method.md, "Resizing as the release").
            Defaults to ``'pytorch'``.
        norm_cfg (dict): Normalisation layers. Defaults to TF-style BN.
        init_cfg (dict, optional): Defaults to the release's truncated
            normal initialisation.

    Returns (forward):
        Tensor: Generated images ``[B, out_channels, H, W]``.
    """

    def __init__(self,
                 appearance_channels: int,
                 num_keypoints: int,
                 n_filters: int = 32,
                 num_upsamplings: int = 3,
                 out_channels: int = 3,
                 upsample: str = 'pytorch',
                 norm_cfg: dict = TF_BN,
                 init_cfg: Optional[dict] = TF_INIT) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_upsamplings < 0:
            raise ValueError(
                f'num_upsamplings must be >= 0, got {num_upsamplings}')
        if num_keypoints < 1:
            raise ValueError(
                f'num_keypoints must be >= 1, got {num_keypoints}')
        if appearance_channels < 1 or n_filters < 1 or out_channels < 1:
            raise ValueError(
                'expected appearance_channels, n_filters and out_channels '
                f'>= 1, got {appearance_channels}, {n_filters} and '
                f'{out_channels}')
        self.appearance_channels = appearance_channels
        self.num_keypoints = num_keypoints
        self.num_upsamplings = num_upsamplings
        self.upsample = check_resize_mode('upsample', upsample)

        def conv(cin: int, cout: int) -> ReleaseConvModule:
            return ReleaseConvModule(
                cin,
                cout,
                3,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU'))

        channels = 8 * n_filters
        cin = appearance_channels + num_keypoints
        self.stages = nn.ModuleList()
        for _ in range(num_upsamplings):
            self.stages.append(
                nn.Sequential(conv(cin, channels), conv(channels, channels)))
            cin = channels
            channels = max(channels // 2, 1)
        self.final_block = conv(cin, channels)
        self.to_image = nn.Conv2d(channels, out_channels, 3, padding=1)

    def forward(self, appearance: Tensor, keypoint_maps: Tensor) -> Tensor:
        if appearance.shape[-2:] != keypoint_maps.shape[-2:]:
            raise ValueError(
                'appearance features and keypoint maps must have the same '
                f'size, got {tuple(appearance.shape[-2:])} and '
                f'{tuple(keypoint_maps.shape[-2:])}')
        expected = (self.appearance_channels, self.num_keypoints)
        if (appearance.shape[1], keypoint_maps.shape[1]) != expected:
            raise ValueError(
                f'expected {expected[0]} appearance channels and '
                f'{expected[1]} keypoint maps, got {appearance.shape[1]} '
                f'and {keypoint_maps.shape[1]}')
        x = torch.cat([appearance, keypoint_maps], dim=1)
        for stage in self.stages:
            x = stage(x)
            x = self._upsample(x)
        return self.to_image(self.final_block(x))

    def _upsample(self, x: Tensor) -> Tensor:
        """x2 bilinear upsampling of ``[B, C, h, w]`` features."""
        if self.upsample == 'tf1':
            return resize_bilinear_tf1(x, (2 * x.shape[-2], 2 * x.shape[-1]))
        return F.interpolate(
            x, scale_factor=2, mode='bilinear', align_corners=False)
