"""Keypoint head: heatmap logits to keypoints by a soft-argmax."""
from typing import List, Optional, Sequence, Tuple

from mmengine.structures import InstanceData
from torch import Tensor

from mmpose.models.heads.base_head import BaseHead
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptSampleList
from ..utils.coordinates import normalized_to_pixel, spread_to_score


@MODELS.register_module()
class SoftArgmaxKeypointHead(BaseHead):
    """Reads K keypoints off heatmap logits (docs/method.md, "Model").

    The head has no parameters: the keypoint encoder's 1x1 convolution
    produces the logits and ``coordinate_decoder`` turns them into
    coordinates. Paired with :class:`KeypointEncoder` it forms Phi; it also
    fits mmpose's ``TopdownPoseEstimator`` for inference with a learned
    encoder.

    Note:
        - batch size: B
        - keypoints: K

    Args:
        coordinate_decoder (dict): ``MarginalSoftArgmax`` (the release) or
            ``SpatialSoftArgmax``. Defaults to
            ``dict(type='MarginalSoftArgmax')``.
        init_cfg (dict, optional): Unused (no parameters).

    Returns (forward):
        tuple[Tensor, Tensor]: ``coords`` ``[B, K, 2]`` (``(x, y)`` in
        ``[-1, 1]``) and ``spread`` ``[B, K, 2]`` (marginal standard
        deviations in the same units), from the last feature map
        ``[B, K, h, w]``.
    """

    def __init__(self,
                 coordinate_decoder: ConfigType = dict(
                     type='MarginalSoftArgmax'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.coordinate_decoder = MODELS.build(coordinate_decoder)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, Tensor]:
        return self.coordinate_decoder(feats[-1])

    def predict(self,
                feats: Sequence[Tensor],
                batch_data_samples: OptSampleList,
                test_cfg: OptConfigType = {}) -> List[InstanceData]:
        """Keypoints in pixels of the network input.

        The input size is read from ``batch_input_shape`` in the samples'
        metainfo (set by mmpose's data preprocessors).

        Returns:
            list[InstanceData]: Per sample, ``keypoints`` ``[1, K, 2]``
            (``(x, y)`` pixels) and ``keypoint_scores`` ``[1, K]`` (1 for a
            point-like heatmap, 0 for a flat one).
        """
        if (test_cfg or {}).get('flip_test', False):
            raise ValueError(f'{type(self).__name__} does not support '
                             'flip_test: learned keypoints have no known '
                             'left/right pairs')
        size_hw = self._input_size(batch_data_samples)
        coords, spread = self.forward(feats)
        keypoints = normalized_to_pixel(coords, size_hw).detach().cpu()
        scores = spread_to_score(spread).detach().cpu()
        return [
            InstanceData(
                keypoints=kpts[None].numpy(), keypoint_scores=s[None].numpy())
            for kpts, s in zip(keypoints, scores)
        ]

    @staticmethod
    def _input_size(batch_data_samples: OptSampleList) -> Tuple[int, int]:
        shape: Optional[Tuple[int, int]] = None
        if batch_data_samples:
            shape = batch_data_samples[0].metainfo.get('batch_input_shape')
        if shape is None:
            raise ValueError(
                'SoftArgmaxKeypointHead.predict needs batch_input_shape in '
                'the data samples (set by the data preprocessor) to express '
                'keypoints in pixels')
        return tuple(int(s) for s in shape)

    def loss(self,
             feats: Sequence[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: OptConfigType = {}) -> dict:
        """This head is learned without labels, by the reconstruction loss
        of :class:`UnsupervisedLandmarkEstimator`; it has no loss of its
        own."""
        raise RuntimeError(
            f'{type(self).__name__} has no supervised loss: train it inside '
            'UnsupervisedLandmarkEstimator (conditional image generation)')
