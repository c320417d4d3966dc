"""Separation and concentration priors on the learned points."""
import math

import pytest
import torch

from mmpose.registry import MODELS


def _estimator_cfg(keypoint_priors):
    return dict(
        type='UnsupervisedLandmarkEstimator',
        backbone=dict(type='KeypointEncoder', num_keypoints=3, n_filters=4,
                      num_stages=1),
        appearance_encoder=dict(type='ImageEncoder', n_filters=4,
                                num_stages=1),
        generator=dict(type='ConditionalGenerator', n_filters=2),
        keypoint_priors=keypoint_priors)


def test_separation_prior_values():
    prior = MODELS.build(dict(type='KeypointSeparationPrior', std=0.5))
    same = torch.zeros(2, 3, 2)
    assert prior(same, None).item() == pytest.approx(1.0)
    # two points at distance d: exp(-d^2 / (2 std^2)) for both ordered pairs
    pair = torch.tensor([[[0.0, 0.0], [0.3, 0.4]]])
    assert prior(pair, None).item() == pytest.approx(
        math.exp(-0.25 / (2 * 0.25)))
    far = torch.tensor([[[-1.0, -1.0], [1.0, 1.0]]])
    assert prior(far, None).item() < 1e-3
    # the gradient pushes the points apart
    pts = pair.clone().requires_grad_(True)
    prior(pts, None).backward()
    step = pts - 0.1 * pts.grad
    assert (step[0, 1] - step[0, 0]).norm() > (pair[0, 1] - pair[0, 0]).norm()


def test_concentration_prior_and_estimator_losses():
    prior = MODELS.build(
        dict(type='KeypointConcentrationPrior', loss_weight=2.0))
    spread = torch.full((2, 3, 2), 0.5)
    assert prior(None, spread).item() == pytest.approx(2.0 * 0.5)
    model = MODELS.build(
        _estimator_cfg([
            dict(type='KeypointSeparationPrior', loss_weight=0.1),
            dict(type='KeypointConcentrationPrior', loss_weight=0.1)
        ]))
    model.init_weights()
    images = torch.rand(2, 3, 16, 16) * 255
    losses = model.loss(dict(source=images, target=images.flip(-1)), None)
    assert {'loss_reconstruction', 'loss_separation',
            'loss_concentration'} <= set(losses)
    assert all(torch.isfinite(losses[k]) for k in losses if 'loss' in k)
    with pytest.raises(ValueError, match='each may appear once'):
        MODELS.build(
            _estimator_cfg([dict(type='KeypointSeparationPrior')] * 2))
