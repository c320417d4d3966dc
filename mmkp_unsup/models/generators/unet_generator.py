"""AutoLink's decoder: a UNet on the masked image and the edge map
(docs/autolink.md, "Modules")."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS
from ..backbones.autolink_detector import AUTOLINK_INIT


def _conv_bn_act(in_channels: int, out_channels: int) -> list:
    return [
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.BatchNorm2d(out_channels),
        nn.LeakyReLU(0.2, True)
    ]


class UNetDown(nn.Module):
    """Conv-BN-LeakyReLU(0.2), conv-BN, a x0.5 bilinear resize, then
    LeakyReLU(0.2) (the order of the public code)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            *_conv_bn_act(in_channels, out_channels),
            nn.Conv2d(out_channels, out_channels, 3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.Upsample(scale_factor=0.5, mode='bilinear',
                        align_corners=False), nn.LeakyReLU(0.2, True))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class UNetUp(nn.Module):
    """A x2 bilinear upsampling then two conv-BN-LeakyReLU(0.2)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            *_conv_bn_act(in_channels, out_channels),
            *_conv_bn_act(out_channels, out_channels))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


@MODELS.register_module()
class UNetGenerator(BaseModule):
    """UNet that redraws an image from ``[alpha * masked image, maps]``.

    A 3x3 convolution and LeakyReLU(0.2) to ``channels[0]`` at full size,
    then one :class:`UNetDown` per further entry of ``channels``; on the
    way up, level ``i`` upsamples to ``channels[i]`` and concatenates the
    skip of the same size, and a last 3x3 convolution gives the image.
    ``alpha`` is a learned scalar (initialised to 1) on the masked image.
    The paper's decoder at 128x128: ``channels=(64, 128, 256, 512, 512)``
    (8x8 at the bottom).

    Args:
        channels (Sequence[int]): Channels at each level, full size first.
            Defaults to ``(64, 128, 256, 512, 512)``.
        image_channels (int): Channels of the image in and out.
            Defaults to ``3``.
        map_channels (int): Channels of the condition (``1`` for an edge
            map). Defaults to ``1``.
        init_cfg (dict, optional): Defaults to Kaiming normal (``a=0.2``)
            convolutions with zero biases, as the public code.

    Returns (forward):
        Tensor: The image ``[B, image_channels, H, W]`` for ``masked``
        ``[B, image_channels, H, W]`` and ``maps`` ``[B, map_channels, H,
        W]`` (``H``, ``W`` divisible by ``2 ** (len(channels) - 1)``).
    """

    def __init__(self,
                 channels: Sequence[int] = (64, 128, 256, 512, 512),
                 image_channels: int = 3,
                 map_channels: int = 1,
                 init_cfg: Optional[dict] = AUTOLINK_INIT) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) < 2:
            raise ValueError('UNetGenerator needs at least two levels, got '
                             f'channels={list(channels)}')
        self.channels = tuple(channels)
        self.image_channels = image_channels
        self.map_channels = map_channels
        self.alpha = nn.Parameter(torch.tensor(1.0))
        self.stem = nn.Sequential(
            nn.Conv2d(image_channels + map_channels, channels[0], 3,
                      padding=1), nn.LeakyReLU(0.2, True))
        self.downs = nn.ModuleList(
            UNetDown(cin, cout)
            for cin, cout in zip(channels[:-1], channels[1:]))
        ups = []
        cin = channels[-1]
        for level in range(len(channels) - 2, -1, -1):
            ups.append(UNetUp(cin, channels[level]))
            cin = 2 * channels[level]
        self.ups = nn.ModuleList(ups)
        self.out = nn.Conv2d(cin, image_channels, 3, padding=1)

    @property
    def num_downsamplings(self) -> int:
        return len(self.channels) - 1

    def forward(self, masked: Tensor, maps: Tensor) -> Tensor:
        step = 2**self.num_downsamplings
        if masked.shape[-2] % step or masked.shape[-1] % step:
            raise ValueError(
                f'UNetGenerator with {self.num_downsamplings} down-sampling '
                f'levels needs an image size divisible by {step}, got '
                f'{tuple(masked.shape[-2:])}')
        if maps.shape[1] != self.map_channels:
            raise ValueError(f'UNetGenerator expects {self.map_channels} map '
                             f'channels, got {maps.shape[1]}')
        x = self.stem(torch.cat([masked * self.alpha, maps], dim=1))
        skips = [x]
        for down in self.downs:
            x = down(x)
            skips.append(x)
        skips.pop()  # the bottom is x itself
        for up in self.ups:
            x = torch.cat([up(x), skips.pop()], dim=1)
        return self.out(x)
