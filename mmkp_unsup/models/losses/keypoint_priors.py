"""Priors on the learned points: separation and concentration.

Zhang et al., "Unsupervised Discovery of Object Landmarks as Structural
Representations" (CVPR 2018) add two terms to a reconstruction loss: a
*concentration* term that makes each heatmap peaked, and a *separation*
term that pushes the K points apart, so that they cover the object instead
of piling up on its most visible part. Both are options of
:class:`UnsupervisedLandmarkEstimator` (``keypoint_priors``; none by
default, the release has neither). See docs/method.md, "Keypoint priors".
"""
import torch
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS


@MODELS.register_module()
class KeypointSeparationPrior(BaseModule):
    """Push the K points of an image apart.

    ``loss = weight * mean_b sum_{i != j} exp(-|mu_i - mu_j|^2 / (2 std^2))
    / (K (K - 1))``, with the points ``mu`` in ``[-1, 1]`` units: 1 when
    all points coincide, near 0 when every two are several ``std`` apart.

    Args:
        std (float): Distance scale, ``[-1, 1]`` units. Defaults to ``0.1``.
        loss_weight (float): Defaults to ``1.0``.
    """

    loss_name = 'loss_separation'

    def __init__(self, std: float = 0.1, loss_weight: float = 1.0) -> None:
        super().__init__()
        if std <= 0:
            raise ValueError(f'std must be > 0, got {std}')
        self.std = std
        self.loss_weight = loss_weight

    def forward(self, coords: Tensor, spread: Tensor) -> Tensor:
        """
        Args:
            coords (Tensor): Keypoints ``[B, K, 2]`` in ``[-1, 1]``.
            spread (Tensor): Marginal standard deviations ``[B, K, 2]``
                (unused).

        Returns:
            Tensor: The weighted loss, a scalar.
        """
        num = coords.shape[1]
        if num < 2:
            return coords.sum() * 0
        dist2 = (coords[:, :, None] - coords[:, None]).pow(2).sum(-1)
        close = torch.exp(-dist2 / (2 * self.std**2))
        off_diagonal = close.sum((1, 2)) - num  # the diagonal is exp(0)
        return self.loss_weight * (off_diagonal / (num * (num - 1))).mean()


@MODELS.register_module()
class KeypointConcentrationPrior(BaseModule):
    """Make each heatmap peaked: its marginal variances small.

    ``loss = weight * mean_{b,k} (var_x + var_y)``, from the soft-argmax's
    marginal standard deviations (``[-1, 1]`` units; a flat heatmap gives
    about 0.67, a point mass 0).

    Args:
        loss_weight (float): Defaults to ``1.0``.
    """

    loss_name = 'loss_concentration'

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, coords: Tensor, spread: Tensor) -> Tensor:
        """
        Args:
            coords (Tensor): Keypoints ``[B, K, 2]`` (unused).
            spread (Tensor): Marginal standard deviations ``[B, K, 2]``.

        Returns:
            Tensor: The weighted loss, a scalar.
        """
        return self.loss_weight * spread.pow(2).sum(-1).mean()
