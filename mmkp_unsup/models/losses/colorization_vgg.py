"""The release's self-supervised loss network: Larsson et al.'s colorization
VGG-16 (``vgg16.caffemodel.h5``), converted to torchvision's layout.

See docs/method.md, "Loss networks". The file stores Caffe blobs as the
authors' code reads them (HDF5 written by deepdish):

- group ``/data``, one sub-group per layer, named ``conv1_1`` ...
  ``conv5_3`` (the fully connected layers, if any, are ignored);
- in a layer group, dataset ``'0'``: weights ``[out, in, kh, kw]`` (Caffe
  order, the same as PyTorch's), dataset ``'1'``: bias ``[out]``;
- batch norm of layer ``L`` in group ``batch_L``: ``'0'`` the mean and
  ``'1'`` the variance, both multiplied by the scale factor ``'2'``
  (Caffe's ``BatchNorm`` blobs).

Batch norm is folded into the convolution as the release does:
``sigma = sqrt(1e-5 + X['1'] / X['2'])``, ``W' = W / sigma`` and
``b' = (b - X['0'] / X['2']) / sigma``, so that ``conv(x, W', b')`` equals
``(conv(x, W, b) - mean) / sigma``. The network's input is grey (one
channel): see :class:`VGG16Features` with ``input_mode='grey'``.
"""
from typing import Any, Dict, Mapping, Tuple

import numpy as np
import torch
from torch import Tensor

from .loss_networks import VGG16_RELU_INDICES

# torchvision ``vgg16().features`` index of each convolution (the ReLU
# follows it)
VGG16_CONV_INDICES = {name: i - 1 for name, i in VGG16_RELU_INDICES.items()}
BN_EPS = 1e-5  # added to the variance by the release
# where tools/dataset_converters/convert_colorization_vgg16.py writes the
# converted network by default, relative to the working directory: the
# ``vgg16_colorization_weights`` that the *_selfsup configs read
COLORIZATION_VGG16_PATH = 'checkpoints/vgg16_colorization.pth'


def fold_batch_norm(weight: np.ndarray, bias: np.ndarray,
                    bn: Mapping[str, np.ndarray],
                    name: str = 'layer') -> Tuple[np.ndarray, np.ndarray]:
    """Fold a Caffe ``BatchNorm`` (no scale/shift) into the convolution.

    Args:
        weight (np.ndarray): ``[out, in, kh, kw]``.
        bias (np.ndarray): ``[out]``.
        bn (Mapping[str, np.ndarray]): Caffe blobs ``'0'`` (mean x scale),
            ``'1'`` (variance x scale), ``'2'`` (scale factor, one value).
        name (str): Layer name for error messages.

    Returns:
        tuple[np.ndarray, np.ndarray]: Folded weight and bias (float32).
    """
    scale = np.asarray(bn['2'], dtype=np.float64).reshape(-1)
    if scale.size != 1 or scale[0] == 0:
        raise ValueError(f'batch_{name}: blob 2 (scale factor) must be one '
                         f'non-zero value, got {scale.tolist()}')
    mean = np.asarray(bn['0'], dtype=np.float64) / scale[0]
    var = np.asarray(bn['1'], dtype=np.float64) / scale[0]
    out = weight.shape[0]
    if mean.shape != (out, ) or var.shape != (out, ):
        raise ValueError(
            f'batch_{name}: mean and variance must have shape ({out},) '
            f'like the layer, got {mean.shape} and {var.shape}')
    sigma = np.sqrt(BN_EPS + var)
    weight = weight.astype(np.float64) / sigma[:, None, None, None]
    bias = (bias.astype(np.float64) - mean) / sigma
    return weight.astype(np.float32), bias.astype(np.float32)


def colorization_vgg16_to_torchvision(
        data: Mapping[str, Mapping[str, Any]],
        source: str = 'the blobs') -> Dict[str, Tensor]:
    """Convert the release's blob dict to a torchvision VGG-16 state dict.

    Args:
        data (Mapping): ``{layer: {'0': weight, '1': bias}, 'batch_<layer>':
            {'0', '1', '2'}}`` as read from ``/data`` of the h5 file.
        source (str): Where the blobs came from, for error messages.

    Returns:
        dict[str, Tensor]: ``features.<i>.weight`` / ``features.<i>.bias``
        of every convolution found, batch norm folded in, ``conv1_1`` with
        one input channel.
    """
    state: Dict[str, Tensor] = {}
    for name, index in VGG16_CONV_INDICES.items():
        if name not in data:
            continue
        blobs = data[name]
        if '0' not in blobs:
            raise ValueError(f'{source}: layer {name!r} has no weights '
                             "(blob '0')")
        weight = np.asarray(blobs['0'], dtype=np.float32)
        if weight.ndim != 4:
            raise ValueError(f'{source}: {name} weights must be [out, in, '
                             f'kh, kw], got shape {weight.shape}')
        if name == 'conv1_1' and weight.shape[1] != 1:
            raise ValueError(
                f'{source}: conv1_1 has {weight.shape[1]} input channels, '
                'expected 1 (the grey colorization VGG-16)')
        # without a bias blob the release uses a zero bias and does not
        # subtract the batch-norm mean (it only scales the weights)
        has_bias = '1' in blobs
        bias = (np.asarray(blobs['1'], dtype=np.float32).reshape(-1)
                if has_bias else np.zeros(weight.shape[0], np.float32))
        if bias.shape != (weight.shape[0], ):
            raise ValueError(f'{source}: {name} bias has shape '
                             f'{bias.shape}, expected ({weight.shape[0]},)')
        bn = data.get(f'batch_{name}')
        if bn is not None:
            folded_w, folded_b = fold_batch_norm(weight, bias, bn, name)
            weight = folded_w
            if has_bias:
                bias = folded_b
        state[f'features.{index}.weight'] = torch.from_numpy(weight)
        state[f'features.{index}.bias'] = torch.from_numpy(bias)
    if 'features.0.weight' not in state:
        raise ValueError(f'{source}: no conv1_1 layer; expected the '
                         'colorization VGG-16 (layers conv1_1 ... conv5_3)')
    return state


def _read_blob(group: Any, key: str) -> Any:
    # deepdish stores arrays as datasets and scalars as attributes
    if key in group:
        return group[key][()]
    if key in group.attrs:
        return group.attrs[key]
    return None


def read_colorization_h5(path: str) -> Dict[str, Dict[str, np.ndarray]]:
    """Read the blobs of ``vgg16.caffemodel.h5`` (needs h5py).

    Args:
        path (str): The h5 file.

    Returns:
        dict: ``{layer: {blob: array}}`` of the convolution and batch-norm
        groups of ``/data``.
    """
    import h5py  # optional dependency, only for the conversion

    data: Dict[str, Dict[str, np.ndarray]] = {}
    with h5py.File(path, 'r') as f:
        if 'data' not in f:
            raise ValueError(f'{path}: no group /data; expected the '
                             'colorization VGG-16 blobs (vgg16.caffemodel.h5)'
                             f', found {sorted(f.keys())}')
        wanted = set(VGG16_CONV_INDICES)
        wanted |= {f'batch_{name}' for name in VGG16_CONV_INDICES}
        for layer, group in f['data'].items():
            # the fully connected layers (0.5 GB) are not read
            if layer not in wanted or not isinstance(group, h5py.Group):
                continue
            blobs = {}
            for key in ('0', '1', '2'):
                value = _read_blob(group, key)
                if value is None:
                    value = _read_blob(group, f'i{key}')  # deepdish int keys
                if value is not None:
                    blobs[key] = np.asarray(value)
            data[layer] = blobs
    return data


def convert_colorization_vgg16(path: str) -> Dict[str, Tensor]:
    """Read ``vgg16.caffemodel.h5`` and return a torchvision state dict.

    Args:
        path (str): The release's h5 file.

    Returns:
        dict[str, Tensor]: See :func:`colorization_vgg16_to_torchvision`.
    """
    return colorization_vgg16_to_torchvision(
        read_colorization_h5(path), source=path)
