"""Frozen feature networks for the perceptual loss (docs/method.md, "Loss
networks")."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor

from mmpose.registry import MODELS

# Index of the ReLU after each convolution in torchvision's
# ``vgg16().features``.
VGG16_RELU_INDICES = {
    'conv1_1': 1, 'conv1_2': 3,
    'conv2_1': 6, 'conv2_2': 8,
    'conv3_1': 11, 'conv3_2': 13, 'conv3_3': 15,
    'conv4_1': 18, 'conv4_2': 20, 'conv4_3': 22,
    'conv5_1': 25, 'conv5_2': 27, 'conv5_3': 29,
}  # yapf: disable

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Grey-level mean subtracted by the colorization VGG-16 (Larsson et al.).
COLORIZATION_GREY_MEAN = 114.451


@MODELS.register_module()
class VGG16Features(BaseModule):
    """Frozen VGG-16 (torchvision architecture) returning post-ReLU features.

    Two kinds of weights are supported through ``input_mode``:

    - ``'imagenet'``: ImageNet VGG-16 (the paper's "Ours" row); RGB input
      in ``[0, 255]`` is scaled to ``[0, 1]`` and normalised by the
      ImageNet mean and std.
    - ``'grey'``: the colorization VGG-16 of the release ("Ours selfsup.");
      the input is the mean over RGB, ``/ 255``, minus ``114.451 / 255``,
      and ``conv1_1`` has one input channel.

    Args:
        layers (Sequence[str]): Features to return, e.g. ``'conv1_2'`` (the
            ReLU output of that convolution). Defaults to the release's
            ``('conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_2')``.
        input_mode (str): ``'imagenet'`` or ``'grey'``.
            Defaults to ``'imagenet'``.
        weights (str, optional): Checkpoint holding torchvision's VGG-16
            state dict (keys ``features.<i>.weight``...): a local path, or
            ``'torchvision://vgg16'`` (needs network access, through
            mmengine's checkpoint loaders). ``None`` keeps the random
            initialisation (for tests only). Defaults to
            ``'torchvision://vgg16'``.

    Returns (forward):
        list[Tensor]: One feature map per entry of ``layers``, for RGB input
        ``[B, 3, H, W]`` in ``[0, 255]``.
    """

    INPUT_MODES = ('imagenet', 'grey')

    def __init__(self,
                 layers: Sequence[str] = ('conv1_2', 'conv2_2', 'conv3_2',
                                          'conv4_2', 'conv5_2'),
                 input_mode: str = 'imagenet',
                 weights: Optional[str] = 'torchvision://vgg16') -> None:
        super().__init__()
        unknown = [name for name in layers if name not in VGG16_RELU_INDICES]
        if unknown or not layers:
            raise ValueError(f'layers must be a non-empty subset of '
                             f'{list(VGG16_RELU_INDICES)}, got {list(layers)}')
        if input_mode not in self.INPUT_MODES:
            raise ValueError(f'input_mode must be one of {self.INPUT_MODES}, '
                             f'got {input_mode!r}')
        self.layers = tuple(layers)
        self.input_mode = input_mode
        self.weights = weights
        self._out_indices = [VGG16_RELU_INDICES[name] for name in layers]

        # only the convolutional part, as in ``vgg16().features`` (building
        # the whole VGG-16 would draw its 120M classifier weights for
        # nothing)
        from torchvision.models.vgg import cfgs, make_layers
        features = make_layers(cfgs['D'])[:max(self._out_indices) + 1]
        if input_mode == 'grey':
            first = features[0]
            features[0] = nn.Conv2d(1, first.out_channels, 3, padding=1)
        self.features = features
        self.register_buffer(
            'mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255,
            persistent=False)
        self.register_buffer(
            'std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255,
            persistent=False)
        self.requires_grad_(False)
        self.eval()

    def init_weights(self) -> None:
        """Load the VGG-16 weights named by ``weights``."""
        if self.weights is None:
            print_log(
                'VGG16Features: no weights given, the loss network keeps '
                'its random initialisation', 'current')
            return
        checkpoint = CheckpointLoader.load_checkpoint(
            self.weights, map_location='cpu')
        state_dict = checkpoint.get('state_dict', checkpoint)
        self.load_vgg_state_dict(state_dict, source=self.weights)
        self._is_init = True

    def load_vgg_state_dict(self, state_dict: Dict[str, Tensor],
                            source: str = 'state dict') -> None:
        """Load the ``features.*`` entries of a torchvision VGG-16 state dict.

        Args:
            state_dict (dict): torchvision-style VGG-16 state dict.
            source (str): Where it came from, for error messages.
        """
        ours = self.features.state_dict()
        wanted = {}
        for key in ours:
            full = f'features.{key}'
            if full not in state_dict:
                raise KeyError(f'{source}: no {full!r} in the checkpoint; '
                               'expected a torchvision VGG-16 state dict')
            if state_dict[full].shape != ours[key].shape:
                raise ValueError(
                    f'{source}: {full!r} has shape '
                    f'{tuple(state_dict[full].shape)}, expected '
                    f'{tuple(ours[key].shape)} (input_mode='
                    f'{self.input_mode!r})')
            wanted[key] = state_dict[full]
        self.features.load_state_dict(wanted)

    def train(self, mode: bool = True) -> 'VGG16Features':
        """The loss network stays in eval mode."""
        return super().train(False)

    def preprocess(self, images: Tensor) -> Tensor:
        """RGB ``[0, 255]`` images to the network's input convention."""
        if self.input_mode == 'grey':
            grey = images.mean(dim=1, keepdim=True)
            return (grey - COLORIZATION_GREY_MEAN) / 255.0
        return (images - self.mean) / self.std

    def forward(self, images: Tensor) -> List[Tensor]:
        x = self.preprocess(images)
        outs = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self._out_indices:
                outs.append(x)
        return outs
