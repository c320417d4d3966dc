"""AutoLink (He, Wandt, Rhodin, NeurIPS 2022): keypoints linked by a learned
graph, learned by redrawing masked images (docs/autolink.md).

detect: :class:`AutoLinkDetector` and a 2-D soft-argmax; condition: the
edge map of :class:`EdgeMapRenderer` and the image masked by
:class:`RandomPatchMask`; generate: :class:`UNetGenerator`; loss: the
shared steps of :class:`BaseLandmarkEstimator`.
"""
from typing import Dict, Optional, Sequence, Tuple

from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptMultiConfig
from .base_landmark_estimator import BaseLandmarkEstimator, Inputs


@MODELS.register_module()
class AutoLinkEstimator(BaseLandmarkEstimator):
    """Unsupervised keypoints and skeleton from single images (AutoLink).

    Note:
        - batch size: B
        - keypoints: K
        - image size: H x W

    Args:
        backbone (dict): The keypoint detector, e.g.
            :class:`AutoLinkDetector`; its last output is the heatmap
            logits ``[B, K, h, w]``.
        generator (dict): The decoder on the masked image and the edge
            map, e.g. :class:`UNetGenerator`. Defaults to the paper's.
        head (dict): Logits to keypoints. Defaults to
            :class:`SoftArgmaxKeypointHead` with ``SpatialSoftArgmax`` (the
            paper's 2-D softmax).
        renderer (dict): The learned graph and its edge map,
            :class:`EdgeMapRenderer`; ``num_keypoints`` defaults to the
            backbone's. Defaults to ``dict(type='EdgeMapRenderer')``.
        patch_mask (dict): Hides most of the image,
            :class:`RandomPatchMask`. Defaults to the paper's 16x16 grid
            kept with probability 0.2.
        reconstruction_loss (dict): Loss between the generated and the
            input image, in pixel units (RGB, ``[0, 255]``). Defaults to
            :class:`FeatureReconstructionLoss` (VGG-16, L1, 224x224).
        landmark_regressor (dict): See :class:`UnsupervisedLandmarkEstimator`.
        keypoint_priors (Sequence[dict], optional): Extra loss terms on the
            learned points. Defaults to none (the paper).
        train_cfg (dict, optional): Unused; kept for mmpose's interface.
        test_cfg (dict, optional): As for
            :class:`UnsupervisedLandmarkEstimator` (``output_space``).
        data_preprocessor (dict, optional): Defaults to
            :class:`PairDataPreprocessor` (single images pass through it as
            through mmpose's).
        init_cfg (dict, optional): Initialisation config.
        metainfo (dict, optional): Dataset meta information.
        channels_last (bool): Channels-last memory format. Defaults to
            ``False``.

    Inputs (``forward``): a ``[B, 3, H, W]`` tensor of images, or a dict
    with ``'target'`` (and, for the label-free metrics, ``'warped'``); a
    ``'source'`` view, if any, is ignored in training: the method needs no
    pairs.
    """

    condition_name = 'edge map'

    def __init__(self,
                 backbone: ConfigType,
                 generator: ConfigType = dict(type='UNetGenerator'),
                 head: ConfigType = dict(
                     type='SoftArgmaxKeypointHead',
                     coordinate_decoder=dict(type='SpatialSoftArgmax')),
                 renderer: ConfigType = dict(type='EdgeMapRenderer'),
                 patch_mask: ConfigType = dict(type='RandomPatchMask'),
                 reconstruction_loss: ConfigType = dict(
                     type='FeatureReconstructionLoss'),
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
        keypoints = getattr(self.backbone, 'num_keypoints', None)
        if keypoints is None:
            raise ValueError(
                f'the backbone ({type(self.backbone).__name__}) must have '
                'num_keypoints (a keypoint detector, e.g. AutoLinkDetector)')
        renderer = dict(renderer)
        renderer.setdefault('num_keypoints', keypoints)
        self.renderer = MODELS.build(renderer)
        if self.renderer.num_keypoints != keypoints:
            raise ValueError(
                'model pieces disagree: the renderer links '
                f'{self.renderer.num_keypoints} keypoints, the backbone '
                f'detects {keypoints}')
        self.patch_mask = MODELS.build(patch_mask)
        self.generator = MODELS.build(generator)
        self._build_shared(reconstruction_loss, landmark_regressor,
                           keypoint_priors, channels_last)

    def edge_weights(self) -> Tensor:
        """The learned graph: ``[K, K]`` symmetric, zero diagonal."""
        return self.renderer.edge_weights()

    # ------------------------------------------------------------------
    # The method
    # ------------------------------------------------------------------
    def reconstruct(self, source: Tensor, target: Tensor) -> Dict[str, Tensor]:
        """Keypoints and edge map of ``target``, the visible patches of
        ``source`` (the same image in training).

        Returns:
            dict[str, Tensor]: The outputs of :meth:`detect_keypoints` plus
            ``maps`` (the edge map ``[B, 1, H, W]``), ``masked`` (the
            masked ``source``) and ``reconstruction`` ``[B, 3, H, W]``
            (normalised like the inputs).
        """
        outputs = self.detect_keypoints(target)
        masked, _ = self.patch_mask(source)
        maps = self.renderer(outputs['coords'], target.shape[-2:])
        image = self.generator(masked, maps)
        outputs.update(maps=maps, masked=masked, reconstruction=image)
        return outputs

    def training_views(self, inputs: Inputs) -> Tuple[Tensor, Tensor]:
        """``(image, image)``: single images, no pairs."""
        images = inputs['target'] if isinstance(inputs, dict) else inputs
        return images, images
