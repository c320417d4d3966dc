"""A stored linear map from learned keypoints to annotated landmarks.

The evaluation protocol (docs/method.md, "Evaluation") fits a linear
regressor from the K learned keypoints to a dataset's L landmarks. Kept in
the estimator as buffers, the fitted map turns a trained model into a
landmark detector whose checkpoint carries it (see docs/inference.md and
``tools/fit_landmark_detector.py``).
"""
from typing import Optional

import numpy as np
import torch
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS


@MODELS.register_module()
class LandmarkRegressor(BaseModule):
    """Linear regressor from K learned keypoints to L landmarks.

    The weights are a buffer ``weight`` of shape ``[2K (+1), L, 2]``: row
    ``2k`` multiplies ``x`` of keypoint ``k``, row ``2k + 1`` its ``y``,
    and an extra last row (if any) is the bias; ``weight[i, l, c]`` is the
    contribution of input ``i`` to coordinate ``c`` (``0`` = x, ``1`` = y)
    of landmark ``l`` -- the layout of
    :func:`mmkp_unsup.evaluation.fit_landmark_regressor`. An empty buffer
    (the default, shape ``[0, 0, 2]``) means "not fitted". Loading a state
    dict resizes the buffer to the stored weights, so a model built from
    the training config loads a detector checkpoint as is.

    Note:
        - batch size: B
        - learned keypoints: K
        - landmarks: L

    Coordinates are ``(x, y)`` in pixels of the network input: the frame
    the regressor was fitted in.

    Args:
        init_cfg (dict, optional): Unused (nothing to initialise).
    """

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.register_buffer('weight', torch.zeros(0, 0, 2))

    @property
    def fitted(self) -> bool:
        """Whether weights are stored."""
        return self.weight.numel() > 0

    @property
    def bias(self) -> bool:
        """Whether the stored map has a bias row (odd number of rows)."""
        return self.fitted and self.weight.shape[0] % 2 == 1

    @property
    def num_landmarks(self) -> int:
        """L, the number of landmarks predicted (0 if not fitted)."""
        return int(self.weight.shape[1])

    @property
    def num_keypoints(self) -> int:
        """K, the number of learned keypoints expected (0 if not fitted)."""
        return int(self.weight.shape[0]) // 2

    def set_weights(self, weights: np.ndarray) -> None:
        """Store fitted weights ``[2K (+1), L, 2]``.

        Raises:
            ValueError: If the shape is not ``[2K (+1), L, 2]``.
        """
        weights = torch.as_tensor(np.asarray(weights), dtype=torch.float32)
        if weights.dim() != 3 or weights.shape[-1] != 2:
            raise ValueError('regressor weights must be [2K (+1), L, 2], got '
                             f'{tuple(weights.shape)}')
        self.weight = weights.to(self.weight.device)

    def forward(self, keypoints: Tensor) -> Tensor:
        """Landmarks ``[B, L, 2]`` from keypoints ``[B, K, 2]``.

        Raises:
            RuntimeError: If no weights are stored.
            ValueError: If K differs from the fitted one.
        """
        if not self.fitted:
            raise RuntimeError('LandmarkRegressor has no weights: fit it with '
                               'tools/fit_landmark_detector.py')
        # in double precision: least-squares weights can be large
        x = keypoints.reshape(len(keypoints), -1).double()
        if x.shape[1] != 2 * self.num_keypoints:
            raise ValueError(
                f'the regressor was fitted on {self.num_keypoints} keypoints,'
                f' got {x.shape[1] // 2}')
        if self.bias:
            x = torch.cat([x, x.new_ones(len(x), 1)], dim=1)
        out = torch.einsum('ni,ilc->nlc', x, self.weight.double())
        return out.to(keypoints.dtype)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        # take the stored shape: [0, 0, 2] (not fitted) or [2K (+1), L, 2]
        stored = state_dict.get(prefix + 'weight')
        if stored is not None and stored.shape != self.weight.shape:
            self.weight = torch.empty_like(stored, device=self.weight.device)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def extra_repr(self) -> str:
        if not self.fitted:
            return 'not fitted'
        return (f'keypoints={self.num_keypoints}, '
                f'landmarks={self.num_landmarks}, bias={self.bias}')
