"""The estimator of the method: landmarks through conditional generation.

Implements "Idea" and "Networks" of ../shared/METHOD.md: the keypoint
encoder Phi sees the target, its K points are rendered as Gaussian maps, and
the generator redraws the target from them and from the appearance features
of the source.
"""
from typing import Dict, Optional, Tuple, Union

import torch
from torch import Tensor

from mmpose.models.pose_estimators.base import BasePoseEstimator
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils.typing import (ConfigType, OptConfigType, OptMultiConfig,
                                 OptSampleList, SampleList)
from ..utils.diagnostics import keypoint_diagnostics

Inputs = Union[Tensor, Dict[str, Tensor]]


@MODELS.register_module()
class UnsupervisedLandmarkEstimator(BasePoseEstimator):
    """Unsupervised landmarks by conditional image generation (Jakab et al.).

    Note:
        - batch size: B
        - keypoints: K
        - image size: H x W; feature size: h x w (H / 8 x W / 8 in the
          release)

    Args:
        backbone (dict): The convolutional part of the keypoint encoder Phi,
            e.g. :class:`KeypointEncoder`; its last output is the heatmap
            logits ``[B, K, h, w]``.
        appearance_encoder (dict): The appearance encoder Psi, e.g.
            :class:`ImageEncoder`; its last output ``[B, C, h, w]``.
        generator (dict): The conditional generator, e.g.
            :class:`ConditionalGenerator`. ``appearance_channels``,
            ``num_keypoints`` and ``num_upsamplings`` default to those of
            the encoders.
        head (dict): Logits to keypoints. Defaults to
            :class:`SoftArgmaxKeypointHead` with the release's marginal
            soft-argmax.
        renderer (dict): Keypoints to Gaussian maps.
            Defaults to ``dict(type='GaussianMapRenderer', std=0.1)``.
        reconstruction_loss (dict): Loss between the generated and the
            target image, both given in pixel units (RGB, ``[0, 255]``).
            Defaults to ``dict(type='PixelReconstructionLoss')``.
        train_cfg (dict, optional): Unused; kept for mmpose's interface.
        test_cfg (dict, optional): Passed to the head's ``predict``.
        data_preprocessor (dict, optional): Defaults to
            :class:`PairDataPreprocessor` with pixel values unchanged.
        init_cfg (dict, optional): Initialisation config.
        metainfo (dict, optional): Dataset meta information.
        channels_last (bool): Keep weights and images in the channels-last
            memory format (the same numbers; convolutions on CPUs and on
            recent GPUs run faster in it). Defaults to ``False``.

    Inputs (``forward``):
        ``inputs`` is either a dict ``{'target': [B, 3, H, W], 'source':
        [B, 3, H, W]}`` (training, reconstructions) or a ``[B, 3, H, W]``
        tensor of images (prediction). A loss mask, if any, is read from
        ``data_sample.gt_fields.loss_mask`` (``[1, H, W]``).
    """

    def __init__(self,
                 backbone: ConfigType,
                 appearance_encoder: ConfigType,
                 generator: ConfigType,
                 head: ConfigType = dict(type='SoftArgmaxKeypointHead'),
                 renderer: ConfigType = dict(
                     type='GaussianMapRenderer', std=0.1),
                 reconstruction_loss: ConfigType = dict(
                     type='PixelReconstructionLoss'),
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = dict(
                     type='PairDataPreprocessor'),
                 init_cfg: OptMultiConfig = None,
                 metainfo: Optional[dict] = None,
                 channels_last: bool = False) -> None:
        super().__init__(
            backbone=backbone,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        self.appearance_encoder = MODELS.build(appearance_encoder)
        generator = dict(generator)
        generator.setdefault('appearance_channels',
                             self.appearance_encoder.out_channels)
        generator.setdefault('num_keypoints', self.backbone.num_keypoints)
        generator.setdefault('num_upsamplings',
                             self.appearance_encoder.num_stages)
        self.generator = MODELS.build(generator)
        self.renderer = MODELS.build(renderer)
        self.reconstruction_loss = MODELS.build(reconstruction_loss)
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)

    @property
    def num_keypoints(self) -> int:
        """Number of learned keypoints K."""
        return self.backbone.num_keypoints

    # ------------------------------------------------------------------
    # The method
    # ------------------------------------------------------------------
    def detect_keypoints(self, images: Tensor) -> Dict[str, Tensor]:
        """Phi: images ``[B, 3, H, W]`` to keypoints.

        Returns:
            dict[str, Tensor]: ``logits`` ``[B, K, h, w]``, ``coords``
            ``[B, K, 2]`` (``(x, y)`` in ``[-1, 1]``) and ``spread``
            ``[B, K, 2]`` (marginal standard deviations, same units).
        """
        feats = self.backbone(images)
        coords, spread = self.head(feats)
        return dict(logits=feats[-1], coords=coords, spread=spread)

    def generate(self, source: Tensor,
                 coords: Tensor) -> Tuple[Tensor, Tensor]:
        """Redraw an image with the appearance of ``source`` at ``coords``.

        Args:
            source (Tensor): Appearance images ``[B, 3, H, W]``, normalised
                like the inputs.
            coords (Tensor): Keypoints ``[B, K, 2]``, ``(x, y)`` in
                ``[-1, 1]``.

        Returns:
            tuple[Tensor, Tensor]: The generated images ``[B, 3, H, W]``
            (normalised like the inputs) and the Gaussian maps
            ``[B, K, h, w]`` fed to the generator.
        """
        appearance = self.appearance_encoder(source)[-1]
        maps = self.renderer(coords, appearance.shape[-2:])
        return self.generator(appearance, maps), maps

    def reconstruct(self, source: Tensor, target: Tensor) -> Dict[str, Tensor]:
        """Full pass: keypoints of ``target``, appearance of ``source``.

        Returns:
            dict[str, Tensor]: The outputs of :meth:`detect_keypoints` plus
            ``maps`` ``[B, K, h, w]`` and ``reconstruction``
            ``[B, 3, H, W]``.
        """
        outputs = self.detect_keypoints(target)
        image, maps = self.generate(source, outputs['coords'])
        outputs.update(maps=maps, reconstruction=image)
        return outputs

    # ------------------------------------------------------------------
    # mmengine / mmpose interface
    # ------------------------------------------------------------------
    def forward(self,
                inputs: Inputs,
                data_samples: OptSampleList = None,
                mode: str = 'tensor'):
        """See :meth:`BasePoseEstimator.forward`; ``inputs`` may be a dict."""
        if isinstance(inputs, list):
            inputs = torch.stack(inputs)
        if self.channels_last:
            inputs = _to_channels_last(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            if self.metainfo is not None:
                for data_sample in data_samples:
                    data_sample.set_metainfo(self.metainfo)
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode.')

    def _forward(self,
                 inputs: Inputs,
                 data_samples: OptSampleList = None
                 ) -> Union[Tuple[Tensor, ...], Dict[str, Tensor]]:
        """Raw outputs: the backbone's tuple for images, or for pairs the
        dict of :meth:`reconstruct`."""
        if isinstance(inputs, dict):
            source = inputs.get('source', inputs['target'])
            return self.reconstruct(source, inputs['target'])
        return self.backbone(inputs)

    def loss(self, inputs: Inputs, data_samples: SampleList) -> dict:
        """Reconstruction loss of a batch of pairs.

        Returns:
            dict: ``loss_reconstruction`` and, for logging only, the
            diagnostics of :func:`keypoint_diagnostics`:
            ``keypoint_spread`` (mean marginal std in ``[-1, 1]`` units),
            ``keypoint_dispersion`` (mean distance between two points over
            the object's box diagonal, or the image's without boxes) and,
            when the samples carry ``gt_instances.bboxes``,
            ``keypoint_in_box`` (fraction of the points inside the box).
        """
        if not isinstance(inputs, dict) or 'source' not in inputs:
            raise ValueError(
                'training needs image pairs: inputs must be a dict with '
                "'target' and 'source' (use PackPairInputs after a pair "
                'sampler such as TPSPairWarp or FramePairDataset)')
        outputs = self.reconstruct(inputs['source'], inputs['target'])
        mask = self._loss_mask(data_samples)
        to_pixels = self.data_preprocessor.to_pixels
        loss = self.reconstruction_loss(
            to_pixels(outputs['reconstruction']), to_pixels(inputs['target']),
            mask)
        return dict(
            loss_reconstruction=loss,
            **keypoint_diagnostics(outputs['coords'], outputs['spread'],
                                   inputs['target'].shape[-2:],
                                   self._target_boxes(data_samples)))

    @staticmethod
    def _target_boxes(data_samples: OptSampleList) -> Optional[Tensor]:
        """The first box of each sample's target ``[B, 4]`` (xyxy pixels),
        or ``None`` unless every sample has one."""
        if not data_samples:
            return None
        boxes = []
        for ds in data_samples:
            gt = ds.get('gt_instances')
            if gt is None or 'bboxes' not in gt or len(gt.bboxes) == 0:
                return None
            boxes.append(torch.as_tensor(gt.bboxes[0]).reshape(4))
        return torch.stack(boxes)

    @staticmethod
    def _loss_mask(data_samples: OptSampleList) -> Optional[Tensor]:
        """Stack ``gt_fields.loss_mask`` of the samples, or ``None``."""
        if not data_samples:
            return None
        has_mask = ['gt_fields' in ds and 'loss_mask' in ds.gt_fields
                    for ds in data_samples]
        if not any(has_mask):
            return None
        if not all(has_mask):
            raise ValueError('some samples of the batch have a loss_mask '
                             'and others do not')
        return torch.stack([ds.gt_fields.loss_mask for ds in data_samples
                            ]).float()

    def predict(self, inputs: Inputs,
                data_samples: OptSampleList = None) -> SampleList:
        """Predict the K keypoints of each image.

        Returns:
            list[PoseDataSample]: ``pred_instances.keypoints`` ``[1, K, 2]``,
            ``(x, y)`` in pixels of the input image, and
            ``pred_instances.keypoint_scores`` ``[1, K]`` (how concentrated
            each heatmap is: 1 for a point mass, 0 for a flat map).
        """
        images = inputs['target'] if isinstance(inputs, dict) else inputs
        if data_samples is None:
            data_samples = [
                PoseDataSample(metainfo=dict(
                    batch_input_shape=tuple(images.shape[-2:])))
                for _ in range(len(images))
            ]
        preds = self.head.predict(
            self.backbone(images), data_samples, test_cfg=self.test_cfg)
        for data_sample, pred in zip(data_samples, preds):
            data_sample.pred_instances = pred
        return data_samples


def _to_channels_last(inputs: Inputs) -> Inputs:
    """Images ``[B, C, H, W]`` (or a dict of them) in channels-last layout."""
    if isinstance(inputs, dict):
        return {k: _to_channels_last(v) for k, v in inputs.items()}
    return inputs.contiguous(memory_format=torch.channels_last)
