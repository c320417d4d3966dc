"""The release's convolutional encoders: appearance (Psi) and keypoint (Phi).

See docs/method.md, "Model" (encoders and the Phi head) and
"Initialisation".
"""
from typing import Optional, Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import constant_init
from torch import Tensor

from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS

# TensorFlow's batch-norm defaults (decay 0.99, epsilon 1e-3) in PyTorch terms.
TF_BN = dict(type='BN', momentum=0.01, eps=1e-3)
# Truncated normal, std 0.01, cut at two standard deviations; zero biases.
TF_INIT = dict(
    type='TruncNormal', layer='Conv2d', std=0.01, a=-0.02, b=0.02, bias=0.)


class ReleaseConvModule(ConvModule):
    """``ConvModule`` whose convolution is initialised by its parent only.

    mmcv's ``ConvModule.init_weights`` draws its convolution again (Kaiming)
    whenever it runs, and mmengine runs it after the parent's ``init_cfg``
    when the module is a direct child of a ``BaseModule``, which would undo
    the release's truncated normal. Here ``init_weights`` only resets the
    normalisation layer (weight 1, bias 0); the convolution keeps what the
    parent's ``init_cfg`` (by default :data:`TF_INIT`) drew. See
    docs/method.md, "Initialisation".
    """

    def init_weights(self) -> None:
        if self.with_norm:
            constant_init(self.norm, 1, bias=0)


SAME_PADDINGS = ('tensorflow', 'symmetric')


def tf_same_padding(size: int, kernel: int, stride: int) -> Tuple[int, int]:
    """TensorFlow's ``'SAME'`` padding of one axis, ``(before, after)``.

    The output has ``ceil(size / stride)`` pixels; the total padding is
    ``max((out - 1) * stride + kernel - size, 0)``, with the odd pixel
    after. For a 3x3 convolution of stride 2 on an even size that is
    ``(0, 1)``: nothing at the top / left, one row / column at the bottom
    / right.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class TFSameConvModule(ReleaseConvModule):
    """:class:`ReleaseConvModule` with TensorFlow's ``'SAME'`` padding.

    The input is zero-padded as TensorFlow pads it (see
    :func:`tf_same_padding`), asymmetrically for strided convolutions,
    and the convolution itself has no padding. Its parameters are those of
    a :class:`ReleaseConvModule` (same names in checkpoints).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs['padding'] = 0
        super().__init__(*args, **kwargs)

    def forward(self, x: Tensor, *args, **kwargs) -> Tensor:
        kernel, stride = self.conv.kernel_size, self.conv.stride
        top, bottom = tf_same_padding(x.shape[-2], kernel[0], stride[0])
        left, right = tf_same_padding(x.shape[-1], kernel[1], stride[1])
        x = F.pad(x, (left, right, top, bottom))
        return super().forward(x, *args, **kwargs)


@MODELS.register_module()
class ImageEncoder(BaseBackbone):
    """Convolutional encoder of the release (docs/method.md, "Model").

    ``conv7x7/1 -> conv3x3/1`` with ``n_filters`` channels, then
    ``num_stages`` (the release: three) times ``[conv3x3/2, conv3x3/1]``,
    doubling the channels at each stage (2, 4, 8 times ``n_filters``).
    Every convolution is followed by BatchNorm and ReLU and keeps the size
    ('same' padding). The release adds a bias before each BatchNorm; it is
    redundant there and omitted. Used as the appearance encoder Psi.

    Note:
        - batch size: B
        - input size: H x W (divisible by ``2 ** num_stages``)

    Args:
        in_channels (int): Image channels. Defaults to ``3``.
        n_filters (int): Channels of the first block; later blocks double
            it. Defaults to ``32``.
        num_stages (int): Down-sampling stages. Defaults to ``3`` (the
            release: 128 -> 16); fewer keep more resolution on small
            images.
        out_indices (Sequence[int]): Blocks whose features are returned:
            0 (stride 1, ``n_filters`` channels) to ``num_stages`` (stride
            ``2 ** num_stages``, ``2 ** num_stages * n_filters``).
            Defaults to ``(-1, )``, the last block.
        norm_cfg (dict): Normalisation layers. Defaults to BN with TF's
            momentum and epsilon.
        same_padding (str): How the size-keeping ('same') padding is laid
            out: ``'tensorflow'``, as the release (TF's ``'SAME'``: a
            stride-2 3x3 convolution pads 0 rows / columns at the top /
            left and 1 at the bottom / right, see :func:`tf_same_padding`),
            or ``'symmetric'`` (``kernel // 2`` on every side, PyTorch's
            usual layout; it shifts the stride-2 sampling grid by one input
            pixel). Stride-1 convolutions pad symmetrically either way. The
            paper configs use ``'tensorflow'`` (docs/method.md, "Padding as
            the release"). Defaults to ``'symmetric'``.
        init_cfg (dict | list[dict], optional): Initialisation. Defaults to
            the release's truncated normal (std 0.01).

    Returns (forward):
        tuple[Tensor]: Features ``[B, C_i, H / s_i, W / s_i]`` of each block
        in ``out_indices``.
    """

    def __init__(self,
                 in_channels: int = 3,
                 n_filters: int = 32,
                 num_stages: int = 3,
                 out_indices: Sequence[int] = (-1, ),
                 norm_cfg: dict = TF_BN,
                 same_padding: str = 'symmetric',
                 init_cfg: Optional[dict] = TF_INIT) -> None:
        super().__init__(init_cfg=init_cfg)
        if same_padding not in SAME_PADDINGS:
            raise ValueError(f'same_padding must be one of {SAME_PADDINGS}, '
                             f'got {same_padding!r}')
        self.same_padding = same_padding
        if in_channels < 1 or n_filters < 1 or num_stages < 0:
            raise ValueError(
                'expected in_channels >= 1, n_filters >= 1 and num_stages '
                f'>= 0, got {in_channels}, {n_filters} and {num_stages}')
        for i in out_indices:
            if not -num_stages - 1 <= i <= num_stages:
                raise ValueError(f'out_indices must index blocks 0..'
                                 f'{num_stages}, got {i}')
        self.in_channels = in_channels
        self.n_filters = n_filters
        self.num_stages = num_stages
        self.out_indices = tuple(out_indices)

        def conv(cin: int, cout: int, kernel: int, stride: int = 1):
            module = ReleaseConvModule
            if stride > 1 and same_padding == 'tensorflow':
                module = TFSameConvModule
            return module(
                cin,
                cout,
                kernel,
                stride=stride,
                padding=kernel // 2,
                norm_cfg=norm_cfg,
                act_cfg=dict(type='ReLU'))

        self.blocks = nn.ModuleList(
            [nn.Sequential(conv(in_channels, n_filters, 7),
                           conv(n_filters, n_filters, 3))])
        for stage in range(num_stages):
            cin, cout = n_filters * 2**stage, n_filters * 2**(stage + 1)
            self.blocks.append(
                nn.Sequential(conv(cin, cout, 3, 2), conv(cout, cout, 3)))

    @property
    def stride(self) -> int:
        """Down-sampling factor of the last block."""
        return 2**self.num_stages

    @property
    def out_channels(self) -> int:
        """Channels of the last block (``2 ** num_stages * n_filters``)."""
        return self.n_filters * self.stride

    def _check_input(self, x: Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f'{type(self).__name__} expects [B, '
                             f'{self.in_channels}, H, W] images, got shape '
                             f'{tuple(x.shape)}')
        if x.shape[2] % self.stride or x.shape[3] % self.stride:
            raise ValueError(
                f'{type(self).__name__} halves the image num_stages='
                f'{self.num_stages} times: image height and width must be '
                f'divisible by {self.stride}, got {tuple(x.shape[2:])}')

    def forward_blocks(self, x: Tensor) -> Tuple[Tensor, ...]:
        """All block outputs, strides 1, 2, ..., ``2 ** num_stages``."""
        self._check_input(x)
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(x)
        return tuple(feats)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        feats = self.forward_blocks(x)
        return tuple(feats[i] for i in self.out_indices)


@MODELS.register_module()
class KeypointEncoder(ImageEncoder):
    """Keypoint encoder Phi: the release's encoder plus a 1x1 conv to K maps.

    The 1x1 convolution has a bias and neither BatchNorm nor activation: its
    outputs are the logits of K heatmaps at 1/8 of the input resolution
    (``1 / 2 ** num_stages``)
    (docs/method.md, "Model"). As an mmpose backbone it returns the logits
    last in its output tuple, so heads that read ``feats[-1]`` see
    ``num_keypoints`` channels.

    Args:
        num_keypoints (int): Number of learned keypoints K.
        out_indices (Sequence[int]): Encoder blocks returned before the
            logits (see :class:`ImageEncoder`). Defaults to ``()``.
        **kwargs: Other arguments of :class:`ImageEncoder`.

    Returns (forward):
        tuple[Tensor]: The selected block features, then the heatmap logits
        ``[B, K, H / s, W / s]`` with ``s = 2 ** num_stages``.
    """

    def __init__(self,
                 num_keypoints: int,
                 out_indices: Sequence[int] = (),
                 **kwargs) -> None:
        super().__init__(out_indices=out_indices, **kwargs)
        if num_keypoints < 1:
            raise ValueError(
                f'num_keypoints must be >= 1, got {num_keypoints}')
        self.num_keypoints = num_keypoints
        self.keypoint_logits = nn.Conv2d(
            self.out_channels, num_keypoints, kernel_size=1)

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        feats = self.forward_blocks(x)
        logits = self.keypoint_logits(feats[-1])
        return tuple(feats[i] for i in self.out_indices) + (logits, )
