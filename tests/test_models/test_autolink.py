"""AutoLink's modules and estimator (docs/autolink.md), on 32x32 images."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

import mmkp_unsup  # noqa: F401
from mmkp_unsup.models import (AutoLinkDetector, EdgeMapRenderer,
                               FeatureReconstructionLoss, RandomPatchMask,
                               UNetGenerator, render_edge_maps)
from mmpose.registry import MODELS


def softplus(v: float) -> float:
    return math.log1p(math.exp(v))


def test_edge_map_against_hand_computed_pixels():
    # 5 x 5 grid: pixel centres at -1, -0.5, 0, 0.5, 1 on each axis
    thickness = 0.1
    coords = torch.tensor([[[-0.5, 0.0], [0.5, 0.0]]])  # (x, y)
    weights = torch.tensor([[0.0, 0.7], [0.7, 0.0]])
    maps = render_edge_maps(coords, weights, (5, 5), thickness)
    assert maps.shape == (1, 1, 5, 5)
    m = maps[0, 0]  # rows are y, columns x

    def expected(d2):
        return 0.7 * math.exp(-d2 / thickness)

    assert m[2, 2].item() == pytest.approx(expected(0.0))  # on the segment
    assert m[3, 2].item() == pytest.approx(expected(0.25))  # 0.5 below it
    assert m[2, 4].item() == pytest.approx(expected(0.25))  # past the end
    # (-1, -1): the closest point is the end (-0.5, 0): 0.25 + 1
    assert m[0, 0].item() == pytest.approx(expected(1.25))
    # (1, 1): nearest the end (0.5, 0): 0.25 + 1
    assert m[4, 4].item() == pytest.approx(expected(1.25))


def test_edge_map_is_the_max_over_weighted_edges():
    thickness = 0.05
    # a vertical edge 0-2 (x = -1) and a horizontal edge 0-1 (y = -1)
    coords = torch.tensor([[[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]])
    w = torch.zeros(3, 3)
    w[0, 1], w[0, 2], w[1, 2] = 0.3, 0.9, 0.0
    m = render_edge_maps(coords, w + w.T, (5, 5), thickness)[0, 0]
    # (x=0, y=-0.5): 0.5 from edge 0-1, 1 from edge 0-2 (x=-1)
    assert m[1, 2].item() == pytest.approx(
        max(0.3 * math.exp(-0.25 / thickness), 0.9 * math.exp(-1 / thickness)))
    # (x=-0.5, y=0): 0.5 from 0-2, 1 from 0-1
    assert m[2, 1].item() == pytest.approx(0.9 * math.exp(-0.25 / thickness))
    # a zero weight draws nothing: (x=0, y=0) lies on the 1-2 diagonal, 1
    # from edge 0-1 (y = -1) and 1 from edge 0-2 (x = -1)
    assert m[2, 2].item() == pytest.approx(0.9 * math.exp(-1.0 / thickness))


def test_graph_init_and_symmetry():
    torch.manual_seed(0)
    renderer = EdgeMapRenderer(num_keypoints=8, thickness=1e-3)
    scaled = renderer.theta.detach() * 512
    assert scaled.mean().item() == pytest.approx(-4.0, abs=0.05)
    assert scaled.std().item() == pytest.approx(0.1, abs=0.03)
    w = renderer.edge_weights()
    assert torch.equal(w, w.T)
    assert torch.all(w.diagonal() == 0)
    upper = w[torch.triu_indices(8, 8, 1).unbind()]
    assert torch.allclose(
        upper, F.softplus(scaled[torch.triu_indices(8, 8, 1).unbind()]))
    assert upper.mean().item() == pytest.approx(softplus(-4.0), rel=0.05)
    # the weights are learned: the map's gradient reaches theta
    coords = torch.rand(2, 8, 2) * 2 - 1
    renderer(coords, (32, 32)).sum().backward()
    assert renderer.theta.grad is not None
    assert renderer.theta.grad.abs().sum() > 0


def test_patch_mask_keep_probability_and_layout():
    mask_fn = RandomPatchMask(grid_size=16, keep_prob=0.2)
    images = torch.randn(64, 3, 32, 32)
    gen = torch.Generator().manual_seed(0)
    masked, mask = mask_fn(images, generator=gen)
    assert mask.shape == (64, 1, 32, 32)
    assert mask.mean().item() == pytest.approx(0.2, abs=0.02)
    # 2 x 2 patches: every cell constant, values 0 or 1
    cells = mask.reshape(64, 1, 16, 2, 16, 2)
    assert torch.all(cells.amax((3, 5)) == cells.amin((3, 5)))
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(masked, images * mask)
    with pytest.raises(ValueError, match='divisible'):
        mask_fn(torch.zeros(1, 3, 30, 30))


def test_detector_and_unet_shapes():
    det = AutoLinkDetector(num_keypoints=5, channels=(4, 8), up_channels=(4, ))
    assert det.stride == 2
    logits = det(torch.randn(2, 3, 32, 32))[-1]
    assert logits.shape == (2, 5, 16, 16)
    with pytest.raises(ValueError, match='divisible by 4'):
        det(torch.randn(1, 3, 30, 30))
    unet = UNetGenerator(channels=(4, 8, 8))
    assert unet.alpha.item() == 1.0
    out = unet(torch.randn(2, 3, 32, 32), torch.rand(2, 1, 32, 32))
    assert out.shape == (2, 3, 32, 32)
    out.sum().backward()
    assert unet.alpha.grad is not None
    with pytest.raises(ValueError, match='divisible by 4'):
        unet(torch.randn(1, 3, 30, 30), torch.rand(1, 1, 30, 30))


def test_feature_loss_uses_the_papers_vgg_layers():
    loss = FeatureReconstructionLoss(
        loss_network=dict(
            type='VGG16Features',
            layers=('conv1_2', 'conv2_2', 'conv3_3', 'conv4_3'),
            weights=None),
        resize_to=(40, 40))
    # the ends of the public code's slices features[:4], [4:9], [9:16],
    # [16:23]
    assert loss.loss_network._out_indices == [3, 8, 15, 22]
    pred, target = torch.rand(2, 3, 32, 32) * 255, torch.rand(2, 3, 32, 32) * 255
    value = loss(pred, target)
    up = [F.interpolate(x, size=(40, 40), mode='bilinear',
                        align_corners=False) for x in (pred, target)]
    feats = [loss.loss_network(x) for x in up]
    expected = sum((a - b).abs().mean() for a, b in zip(*feats))
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
    assert loss.term_names == ['conv1_2', 'conv2_2', 'conv3_3', 'conv4_3']


def small_estimator(**kwargs):
    init_default_scope('mmpose')
    cfg = dict(
        type='AutoLinkEstimator',
        backbone=dict(
            type='AutoLinkDetector', num_keypoints=4, channels=(4, 8),
            up_channels=(4, )),
        generator=dict(type='UNetGenerator', channels=(4, 8, 8)),
        renderer=dict(type='EdgeMapRenderer', thickness=1.6e-2),
        reconstruction_loss=dict(type='PixelReconstructionLoss'),
        data_preprocessor=dict(
            type='PairDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_estimator_loss_and_predict():
    torch.manual_seed(0)
    model = small_estimator()
    assert model.renderer.num_keypoints == 4
    images = torch.randn(3, 3, 32, 32)
    losses = model.loss(images, None)
    assert set(losses) >= {'loss_reconstruction', 'keypoint_spread',
                           'keypoint_dispersion'}
    losses['loss_reconstruction'].backward()
    for param in (model.renderer.theta, model.generator.alpha,
                  model.backbone.layers[-1].weight):
        assert param.grad is not None and param.grad.abs().sum() > 0
    # single images: a 'source' view is not needed and is ignored
    torch.manual_seed(1)
    a = model.loss(dict(target=images), None)['loss_reconstruction']
    torch.manual_seed(1)
    b = model.loss(dict(target=images, source=images.flip(0)),
                   None)['loss_reconstruction']
    assert a.item() == pytest.approx(b.item())

    model.eval()
    samples = model.predict(images)
    pred = samples[0].pred_instances
    assert pred.keypoints.shape == (1, 4, 2)
    assert pred.learned_keypoints.shape == (1, 4, 2)
    assert pred.keypoint_scores.shape == (1, 4)
    assert (pred.keypoints >= 0).all() and (pred.keypoints <= 32).all()
    outputs = model.reconstruct(images, images)
    assert outputs['maps'].shape == (3, 1, 32, 32)
    assert outputs['reconstruction'].shape == (3, 3, 32, 32)
    w = model.edge_weights()
    assert w.shape == (4, 4)


def test_estimator_checks_the_renderer_size():
    with pytest.raises(ValueError, match='renderer links 3 keypoints'):
        small_estimator(
            renderer=dict(type='EdgeMapRenderer', num_keypoints=3))
