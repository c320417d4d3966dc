"""The estimator of the method: landmarks through conditional generation.

See docs/method.md, "Model": the keypoint encoder Phi sees the target, its K
points are rendered as Gaussian maps, and the generator redraws the target
from them and from the appearance features of the source. The steps shared
with the other methods (the interface, the loss, prediction) live in
:class:`BaseLandmarkEstimator`.
"""
from typing import Dict, Optional, Sequence, Tuple

from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptMultiConfig
from .base_landmark_estimator import BaseLandmarkEstimator, Inputs


@MODELS.register_module()
class UnsupervisedLandmarkEstimator(BaseLandmarkEstimator):
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
        self._build_shared(reconstruction_loss, landmark_regressor,
                           keypoint_priors, channels_last)

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

    # ------------------------------------------------------------------
    # The method
    # ------------------------------------------------------------------
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

    def training_views(self, inputs: Inputs) -> Tuple[Tensor, Tensor]:
        """``(source, target)``: training needs image pairs."""
        if not isinstance(inputs, dict) or 'source' not in inputs:
            raise ValueError(
                'training needs image pairs: inputs must be a dict with '
                "'target' and 'source' (use PackPairInputs after a pair "
                'sampler such as TPSPairWarp or FramePairDataset)')
        return inputs['source'], inputs['target']
