"""Data preprocessor for (source, target) image pairs."""
from typing import Optional, Sequence

import torch
from mmengine.model import ImgDataPreprocessor
from torch import Tensor

from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS


@MODELS.register_module()
class PairDataPreprocessor(PoseDataPreprocessor):
    """Moves a batch of image pairs to the device, stacks and normalises it.

    Packed pairs (see :class:`PackPairInputs`) carry ``inputs`` as a dict of
    views, ``{'target': [C, H, W], 'source': [C, H, W]}`` per sample, which
    mmengine's ``pseudo_collate`` turns into a dict of lists and
    ``default_collate`` into a dict of ``[B, C, H, W]`` tensors (faster when
    all images have one size). Each view is processed like mmpose's
    :class:`PoseDataPreprocessor` does (BGR to RGB, ``(x - mean) / std``,
    stacking) and the output is a dict of ``[B, C, H, W]`` tensors (a
    ``'warped'`` view, added for :class:`EquivarianceMetric`, is processed
    likewise). Plain
    image batches pass through :class:`PoseDataPreprocessor` unchanged, so
    single-image pipelines (mmpose's ``PackPoseInputs``, inference) work
    too.

    Args:
        mean (Sequence[float], optional): Pixel mean per channel (RGB).
            ``None`` keeps pixel values (the release feeds ``[0, 255]``).
        std (Sequence[float], optional): Pixel std per channel (RGB).
        bgr_to_rgb (bool): Convert loaded BGR images to RGB. The
            reconstruction losses expect RGB. Defaults to ``True``.
        **kwargs: Other arguments of :class:`PoseDataPreprocessor`, except
            ``batch_augments``, which would treat the two views of a pair
            differently.
    """

    VIEWS = ('target', 'source', 'warped')

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 bgr_to_rgb: bool = True,
                 **kwargs) -> None:
        if kwargs.get('batch_augments'):
            raise ValueError('PairDataPreprocessor does not support '
                             'batch_augments: they would transform the two '
                             'views of a pair independently')
        super().__init__(mean=mean, std=std, bgr_to_rgb=bgr_to_rgb, **kwargs)

    # eager under torch.compile (mmengine's compile=True compiles train_step):
    # dynamo cannot trace the numpy fields of the data samples
    @torch.compiler.disable
    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess a batch.

        Args:
            data (dict): ``inputs`` (a dict of views, each a list of
                ``[C, H, W]`` tensors or a ``[B, C, H, W]`` tensor; or the
                same without views) and ``data_samples``.
            training (bool): Whether in training.

        Returns:
            dict: ``inputs`` (a dict of ``[B, C, H, W]`` tensors, or one
            such tensor) and ``data_samples``.
        """
        inputs = data['inputs']
        if not isinstance(inputs, dict):
            return super().forward(data, training)
        unknown = set(inputs) - set(self.VIEWS)
        if unknown or 'target' not in inputs:
            raise ValueError(f'paired inputs must have views {self.VIEWS} '
                             f'(target required), got {sorted(inputs)}')
        # each view: move, BGR to RGB, normalise, stack (mmengine)
        views = {
            name: ImgDataPreprocessor.forward(self, dict(inputs=batch),
                                              training)['inputs']
            for name, batch in inputs.items()
        }
        # the samples once, with the metainfo mmpose's preprocessor adds
        data_samples = data.get('data_samples')
        if data_samples is not None:
            if self.device.type != 'cpu':
                # on the CPU the samples are where they belong: mmengine's
                # cast would only rebuild each of them (about 1 ms a batch)
                data_samples = self.cast_data(data_samples)
            batch_input_shape = tuple(views['target'].shape[-2:])
            pad_shapes = self._get_pad_shape(dict(inputs=inputs['target']))
            for data_sample, pad_shape in zip(data_samples, pad_shapes):
                data_sample.set_metainfo(
                    dict(batch_input_shape=batch_input_shape,
                         pad_shape=pad_shape))
        return dict(inputs=views, data_samples=data_samples)

    def to_pixels(self, images: Tensor) -> Tensor:
        """Undo the normalisation: ``[B, C, H, W]`` back to pixel units."""
        if not self._enable_normalize:
            return images
        return images * self.std.to(images.dtype) + self.mean.to(images.dtype)

    def from_pixels(self, images: Tensor) -> Tensor:
        """Normalise images given in pixel units, ``[B, C, H, W]``."""
        if not self._enable_normalize:
            return images
        return (images - self.mean.to(images.dtype)) / self.std.to(
            images.dtype)
