"""AutoLink's keypoint detector: a residual encoder, two upsamplings and a
3x3 convolution to K heatmaps (docs/autolink.md, "Modules")."""
from typing import Optional, Sequence, Tuple

import torch.nn as nn
from torch import Tensor

from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS

# nn.init.kaiming_normal_(w, a=0.2) on every convolution, zero biases: the
# public code's initialisation
AUTOLINK_INIT = dict(
    type='Kaiming',
    layer='Conv2d',
    a=0.2,
    mode='fan_in',
    nonlinearity='leaky_relu',
    distribution='normal',
    bias=0.)


def _half(channels_out: int) -> nn.Sequential:
    """x0.5 bilinear resize and BatchNorm (the order of the public code)."""
    return nn.Sequential(
        nn.Upsample(scale_factor=0.5, mode='bilinear', align_corners=False),
        nn.BatchNorm2d(channels_out))


class DownResBlock(nn.Module):
    """Residual block that halves the size: ``[B, Cin, H, W]`` to
    ``[B, Cout, H / 2, W / 2]``.

    Main path: conv 3x3, x0.5 resize, BN, LeakyReLU(0.2), conv 3x3, BN;
    shortcut: conv 3x3, x0.5 resize, BN; LeakyReLU(0.2) of the sum.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.shortcut = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            _half(out_channels))
        self.main = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            _half(out_channels), nn.LeakyReLU(0.2, True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1),
            nn.BatchNorm2d(out_channels))
        self.act = nn.LeakyReLU(0.2, True)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.main(x) + self.shortcut(x))


class UpConvBlock(nn.Module):
    """x2 bilinear upsampling, conv 3x3, BN, LeakyReLU(0.2)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2, True))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


@MODELS.register_module()
class AutoLinkDetector(BaseBackbone):
    """Keypoint detector of AutoLink (He et al. 2022).

    ``len(channels)`` residual blocks each halve the image, then
    ``len(up_channels)`` blocks each double it, and a 3x3 convolution gives
    K heatmap logits. The paper's detector at 128x128 is
    ``channels=(64, 128, 256, 512)``, ``up_channels=(256, 128)``: 8x8 at
    the bottom, 32x32 heatmaps (stride 4). The 2-D soft-argmax is the
    head's (``SpatialSoftArgmax``).

    Note:
        - batch size: B
        - keypoints: K

    Args:
        num_keypoints (int): K.
        in_channels (int): Image channels. Defaults to ``3``.
        channels (Sequence[int]): Output channels of the down-sampling
            residual blocks. Defaults to ``(64, 128, 256, 512)``.
        up_channels (Sequence[int]): Output channels of the upsampling
            blocks. Defaults to ``(256, 128)``.
        init_cfg (dict, optional): Defaults to :data:`AUTOLINK_INIT`.

    Returns (forward):
        tuple[Tensor]: The heatmap logits ``[B, K, H / stride, W /
        stride]``, one element (the keypoint head reads the last).
    """

    def __init__(self,
                 num_keypoints: int,
                 in_channels: int = 3,
                 channels: Sequence[int] = (64, 128, 256, 512),
                 up_channels: Sequence[int] = (256, 128),
                 init_cfg: Optional[dict] = AUTOLINK_INIT) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_keypoints < 1:
            raise ValueError(f'num_keypoints must be >= 1, got '
                             f'{num_keypoints}')
        if len(up_channels) > len(channels) or not channels:
            raise ValueError(
                f'AutoLinkDetector needs at least one down-sampling block '
                f'and no more upsamplings than down-samplings, got '
                f'channels={list(channels)}, up_channels={list(up_channels)}')
        self.num_keypoints = num_keypoints
        self.channels = tuple(channels)
        self.up_channels = tuple(up_channels)
        blocks = []
        cin = in_channels
        for cout in self.channels:
            blocks.append(DownResBlock(cin, cout))
            cin = cout
        for cout in self.up_channels:
            blocks.append(UpConvBlock(cin, cout))
            cin = cout
        blocks.append(nn.Conv2d(cin, num_keypoints, 3, padding=1))
        self.layers = nn.Sequential(*blocks)

    @property
    def stride(self) -> int:
        """Input size over heatmap size."""
        return 2**(len(self.channels) - len(self.up_channels))

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        step = 2**len(self.channels)
        if x.shape[-2] % step or x.shape[-1] % step:
            raise ValueError(
                f'AutoLinkDetector with {len(self.channels)} down-sampling '
                f'blocks needs an input size divisible by {step}, got '
                f'{tuple(x.shape[-2:])}')
        return (self.layers(x), )
