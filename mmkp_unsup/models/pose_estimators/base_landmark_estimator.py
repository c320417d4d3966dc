"""What every landmark estimator of the package shares.

A method is detect -> condition -> generate -> loss (docs/methods.md): the
keypoint detector (``backbone`` + ``head``) gives K points, a method-specific
condition is drawn from them, a generator redraws the image and a
reconstruction loss compares it with the original. This base class holds
the steps that do not depend on the method: the mmengine / mmpose interface
(``forward``, ``loss``, ``predict``), the loss mask, the keypoint priors and
diagnostics, the stored landmark regressor and the output frame. A method
implements :meth:`reconstruct` and :meth:`training_views`.
"""
from abc import abstractmethod
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from torch import Tensor

from mmpose.models.pose_estimators.base import BasePoseEstimator
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils.typing import ConfigType, OptSampleList, SampleList
from ..losses.reconstruction_losses import check_loss_mask
from ..utils.diagnostics import keypoint_diagnostics

Inputs = Union[Tensor, Dict[str, Tensor]]


class BaseLandmarkEstimator(BasePoseEstimator):
    """Shared steps of the unsupervised landmark estimators.

    Subclasses call ``BasePoseEstimator.__init__`` (through ``super()``),
    build their own parts, then :meth:`_build_shared` (in this order, so
    that the random draws of the initialisation stay those of the
    method's own order), and implement :meth:`reconstruct` and
    :meth:`training_views`.

    Inputs (``forward``):
        ``inputs`` is either a dict of views ``{'target': [B, 3, H, W],
        ...}`` (training, reconstructions) or a ``[B, 3, H, W]`` tensor of
        images (prediction). A loss mask, if any, is read from
        ``data_sample.gt_fields.loss_mask`` (``[1, H, W]``, the size of the
        images).
    """

    OUTPUT_SPACES = ('input', 'image')
    # what ``reconstruct`` returns as ``maps``, for the pictures' row labels
    condition_name = 'Gaussian maps'

    def _build_shared(self,
                      reconstruction_loss: ConfigType,
                      landmark_regressor: ConfigType,
                      keypoint_priors: Optional[Sequence[ConfigType]] = None,
                      channels_last: bool = False) -> None:
        """Build the loss, the stored regressor and the priors; check
        ``test_cfg``; set the memory format.

        Args:
            reconstruction_loss (dict): Loss between the generated and the
                target image, both in pixel units (RGB, ``[0, 255]``).
            landmark_regressor (dict): :class:`LandmarkRegressor` config.
            keypoint_priors (Sequence[dict], optional): Extra loss terms on
                the learned points; each adds its ``loss_name``.
            channels_last (bool): Keep weights and images channels-last.
        """
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

    @property
    def num_keypoints(self) -> int:
        """Number of learned keypoints K."""
        return self.backbone.num_keypoints

    # ------------------------------------------------------------------
    # The method: detect (shared) -> condition -> generate (the method's)
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

    @abstractmethod
    def reconstruct(self, source: Tensor, target: Tensor) -> Dict[str, Tensor]:
        """Keypoints of ``target``, its image redrawn from them and from
        what the method takes of ``source``.

        Returns:
            dict[str, Tensor]: The outputs of :meth:`detect_keypoints` plus
            ``maps`` (the condition drawn from the keypoints, ``[B, C, h,
            w]``) and ``reconstruction`` ``[B, 3, H, W]``.
        """

    @abstractmethod
    def training_views(self, inputs: Inputs) -> Tuple[Tensor, Tensor]:
        """``(source, target)`` of a training batch, or a ``ValueError``
        naming what the method needs."""

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
        """Reconstruction loss of a training batch.

        Returns:
            dict: ``loss_reconstruction``, one term per keypoint prior and,
            for logging only, the diagnostics of
            :func:`keypoint_diagnostics`: ``keypoint_spread`` (mean
            marginal std in ``[-1, 1]`` units), ``keypoint_dispersion``
            (mean distance between two points over the object's box
            diagonal, or the image's without boxes) and, when the samples
            carry ``gt_instances.bboxes``, ``keypoint_in_box`` (fraction of
            the points inside the box).
        """
        source, target = self.training_views(inputs)
        mask = self._loss_mask(data_samples)
        check_loss_mask(mask, target)
        outputs = self.reconstruct(source, target)
        to_pixels = self.data_preprocessor.to_pixels
        loss = self.reconstruction_loss(
            to_pixels(outputs['reconstruction']), to_pixels(target), mask)
        losses = dict(loss_reconstruction=loss)
        for prior in self.keypoint_priors:
            losses[prior.loss_name] = prior(outputs['coords'],
                                            outputs['spread'])
        losses.update(
            keypoint_diagnostics(outputs['coords'], outputs['spread'],
                                 target.shape[-2:],
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
