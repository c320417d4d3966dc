"""The estimator of the method: landmarks through conditional generation.

See docs/method.md, "Model": the keypoint encoder Phi sees the target, its K
points are rendered as Gaussian maps, and the generator redraws the target
from them and from the appearance features of the source.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from torch import Tensor

from mmpose.models.pose_estimators.base import BasePoseEstimator
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils.typing import (ConfigType, OptConfigType, OptMultiConfig,
                                 OptSampleList, SampleList)
from ..losses.reconstruction_losses import check_loss_mask
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
        landmark_regressor (dict): A stored linear map from the K learned
            keypoints to L annotated landmarks (:class:`LandmarkRegressor`);
            empty unless fitted by ``tools/fit_landmark_detector.py``
            (docs/inference.md). Defaults to
            ``dict(type='LandmarkRegressor')``.
        keypoint_priors (Sequence[dict], optional): Extra loss terms on the
            learned points, e.g. :class:`KeypointSeparationPrior` and
            :class:`KeypointConcentrationPrior` (docs/method.md, "Keypoint
            priors"); each adds its ``loss_name`` to the losses. Defaults to
            none (the release).
        train_cfg (dict, optional): Unused; kept for mmpose's interface.
        test_cfg (dict, optional): Passed to the head's ``predict``. Its
            ``output_space`` says in which frame predictions come out:
            ``'input'`` (the default; pixels of the network input, the
            frame of the regression metric) or ``'image'`` (pixels of the
            original image, mapped back through the ``input_center``,
            ``input_scale`` and ``input_size`` that mmpose's
            ``TopdownAffine`` stores, as mmpose's top-down estimators do;
            samples without them are already in the image frame).
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
        ``data_sample.gt_fields.loss_mask`` (``[1, H, W]``, the size of the
        images).

    Sizes are checked when the model is built: the generator's K and
    appearance channels must equal those of the encoders, and the
    generator must upsample back to the input size (``ValueError``
    otherwise). The input size is checked at the first forward (it must be
    divisible by ``2 ** num_stages``).
    """

    OUTPUT_SPACES = ('input', 'image')

    def __init__(self,
                 backbone: ConfigType,
                 appearance_encoder: ConfigType,
                 generator: ConfigType,
                 head: ConfigType = dict(type='SoftArgmaxKeypointHead'),
                 renderer: ConfigType = dict(
                     type='GaussianMapRenderer', std=0.1),
                 reconstruction_loss: ConfigType = dict(
                     type='PixelReconstructionLoss'),
                 landmark_regressor: ConfigType = dict(
                     type='LandmarkRegressor'),
                 keypoint_priors: Optional[Sequence[ConfigType]] = None,
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
        self._check_sizes()
        self.renderer = MODELS.build(renderer)
        self.reconstruction_loss = MODELS.build(reconstruction_loss)
        self.landmark_regressor = MODELS.build(landmark_regressor)
        self.keypoint_priors = nn.ModuleList(
            [MODELS.build(cfg) for cfg in keypoint_priors or ()])
        names = [prior.loss_name for prior in self.keypoint_priors]
        if len(set(names)) != len(names):
            raise ValueError(f'keypoint_priors give the loss names {names}; '
                             'each may appear once')
        output_space = self.test_cfg.get('output_space', 'input')
        if output_space not in self.OUTPUT_SPACES:
            raise ValueError(f'test_cfg.output_space must be one of '
                             f'{self.OUTPUT_SPACES}, got {output_space!r}')
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def _check_sizes(self) -> None:
        """Raise a ``ValueError`` if the pieces of the model disagree."""
        keypoints = getattr(self.backbone, 'num_keypoints', None)
        if keypoints is None:
            raise ValueError(
                f'the backbone ({type(self.backbone).__name__}) must have '
                'num_keypoints (the keypoint encoder Phi, e.g. '
                'KeypointEncoder)')
        stride = getattr(self.appearance_encoder, 'stride', None)
        upsamplings = getattr(self.generator, 'num_upsamplings', None)
        checks = [
            (getattr(self.generator, 'num_keypoints', None), keypoints,
             'generator num_keypoints is {got}, expected {expected} (K of '
             'the keypoint encoder)'),
            (getattr(self.generator, 'appearance_channels', None),
             getattr(self.appearance_encoder, 'out_channels', None),
             'generator appearance_channels is {got}, expected {expected} '
             '(the output channels of the appearance encoder)'),
            (getattr(self.backbone, 'stride', None), stride,
             'the keypoint encoder has stride {got}, expected {expected} '
             '(the stride of the appearance encoder: heatmaps and '
             'appearance features must have one size)'),
            (None if upsamplings is None else 2**upsamplings, stride,
             'the generator upsamples x{got}, expected x{expected} (the '
             'stride of the appearance encoder, so that it draws at the '
             'input size)'),
        ]
        for got, expected, message in checks:
            if got is not None and expected is not None and got != expected:
                raise ValueError('model pieces disagree: ' + message.format(
                    got=got, expected=expected))

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
        mask = self._loss_mask(data_samples)
        check_loss_mask(mask, inputs['target'])
        outputs = self.reconstruct(inputs['source'], inputs['target'])
        to_pixels = self.data_preprocessor.to_pixels
        loss = self.reconstruction_loss(
            to_pixels(outputs['reconstruction']), to_pixels(inputs['target']),
            mask)
        losses = dict(loss_reconstruction=loss)
        for prior in self.keypoint_priors:
            losses[prior.loss_name] = prior(outputs['coords'],
                                            outputs['spread'])
        losses.update(
            keypoint_diagnostics(outputs['coords'], outputs['spread'],
                                 inputs['target'].shape[-2:],
                                 self._target_boxes(data_samples)))
        self._record_loss_terms(losses)
        return losses

    def _record_loss_terms(self, losses: Dict[str, Tensor]) -> None:
        """Keep this batch's loss terms for a non-finite-loss diagnosis.

        The detached tensors (no host sync) go to the message hub's runtime
        information under ``'loss_terms'`` (not saved in checkpoints); the
        optimizer wrapper reads them only when the loss is not finite and
        names the bad terms, including the layers of a
        :class:`PerceptualLoss` (see docs/method.md, "Non-finite losses").
        """
        terms = {k: v.detach() for k, v in losses.items() if 'loss' in k}
        layer_terms = getattr(self.reconstruction_loss, '_last_terms', None)
        names = getattr(self.reconstruction_loss, 'term_names', None)
        if layer_terms is not None and names is not None:
            for name, value in zip(names, layer_terms):
                terms[f'loss_reconstruction[{name}]'] = value
        MessageHub.get_current_instance().update_info(
            'loss_terms', terms, resumed=False)

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
        masks = [ds.gt_fields.loss_mask for ds in data_samples]
        shapes = {tuple(m.shape) for m in masks}
        if len(shapes) > 1:
            raise ValueError('the loss masks of a batch have different '
                             f'shapes {sorted(shapes)}; expected one [1, H, '
                             'W] mask per sample at the image size')
        masks = torch.stack(masks).float()
        if masks.dim() == 3:  # [H, W] per sample
            masks = masks[:, None]
        return masks

    def predict(self, inputs: Inputs,
                data_samples: OptSampleList = None) -> SampleList:
        """Predict the K keypoints (and the stored landmarks) of each image.

        With a ``'warped'`` view in ``inputs`` (see
        :class:`EquivarianceWarp`) its keypoints are predicted as well.

        Returns:
            list[PoseDataSample]: ``pred_instances`` with

            - ``learned_keypoints`` ``[1, K, 2]``: the K learned points,
              ``(x, y)`` pixels, and ``learned_keypoint_scores`` ``[1, K]``
              (how concentrated each heatmap is: 1 for a point mass, 0 for
              a flat map);
            - ``keypoints`` ``[1, L, 2]`` and ``keypoint_scores`` ``[1, L]``:
              the L landmarks of the stored :class:`LandmarkRegressor`
              (scores: the learned points' scores averaged with the weights'
              magnitudes), or, without a fitted regressor, the K learned
              points and their scores again.

            Pixels of the network input, or of the original image with
            ``test_cfg.output_space='image'`` (then also
            ``keypoints_visible`` = ``keypoint_scores`` and, when the
            samples carry them, ``bboxes`` and ``bbox_scores``, as mmpose's
            top-down estimators give).

            With a ``'warped'`` view in ``inputs`` also ``keypoints_warped``
            and ``keypoint_scores_warped``: the K learned points of the
            warped image, in pixels of the network input.
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
        if isinstance(inputs, dict) and 'warped' in inputs:
            warped = self.head.predict(
                self.backbone(inputs['warped']),
                data_samples,
                test_cfg=self.test_cfg)
            for pred, pred_warped in zip(preds, warped):
                pred.keypoints_warped = pred_warped.keypoints
                pred.keypoint_scores_warped = pred_warped.keypoint_scores
        for pred in preds:
            pred.learned_keypoints = pred.keypoints
            pred.learned_keypoint_scores = pred.keypoint_scores
        if self.landmark_regressor.fitted and preds:
            self._add_landmarks(preds)
        to_image = self.test_cfg.get('output_space', 'input') == 'image'
        for data_sample, pred in zip(data_samples, preds):
            if to_image:
                self._to_image_space(pred, data_sample)
            data_sample.pred_instances = pred
        return data_samples

    def _add_landmarks(self, preds: list) -> None:
        """Replace ``keypoints``/``keypoint_scores`` by the regressed
        landmarks (see :meth:`predict`)."""
        regressor = self.landmark_regressor
        learned = torch.from_numpy(
            np.concatenate([p.learned_keypoints for p in preds])).to(
                regressor.weight.device)
        landmarks = regressor(learned).cpu().numpy()
        # weight of learned keypoint k in landmark l: |w| summed over x, y
        # inputs and outputs (the bias row excluded)
        magnitude = regressor.weight[:2 * regressor.num_keypoints].abs()
        magnitude = magnitude.reshape(regressor.num_keypoints, 2,
                                      regressor.num_landmarks, 2).sum((1, 3))
        magnitude = (magnitude / magnitude.sum(0).clamp_min(1e-12)).cpu()
        scores = np.concatenate([p.learned_keypoint_scores for p in preds])
        landmark_scores = scores @ magnitude.numpy()
        for pred, points, score in zip(preds, landmarks, landmark_scores):
            pred.keypoints = points[None].astype(np.float32)
            pred.keypoint_scores = score[None].astype(np.float32)

    @staticmethod
    def _to_image_space(pred, data_sample: PoseDataSample) -> None:
        """Map the predictions from the network input back to the image."""
        meta = data_sample.metainfo
        if all(k in meta
               for k in ('input_center', 'input_scale', 'input_size')):
            size = np.asarray(meta['input_size'], np.float32).reshape(2)
            scale = np.asarray(meta['input_scale'], np.float32).reshape(2)
            center = np.asarray(meta['input_center'], np.float32).reshape(2)
            for key in ('keypoints', 'learned_keypoints'):
                points = pred.get(key)
                if points is not None:
                    pred.set_field(
                        points / size * scale + center - 0.5 * scale, key)
        pred.keypoints_visible = pred.keypoint_scores
        gt = data_sample.get('gt_instances')
        if gt is not None and 'bboxes' in gt:
            pred.bboxes = gt.bboxes
            pred.bbox_scores = gt.get('bbox_scores',
                                      np.ones(len(gt.bboxes), np.float32))


def _to_channels_last(inputs: Inputs) -> Inputs:
    """Images ``[B, C, H, W]`` (or a dict of them) in channels-last layout."""
    if isinstance(inputs, dict):
        return {k: _to_channels_last(v) for k, v in inputs.items()}
    return inputs.contiguous(memory_format=torch.channels_last)
