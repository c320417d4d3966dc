import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmengine.structures import PixelData

TINY = dict(
    type='UnsupervisedLandmarkEstimator',
    data_preprocessor=dict(
        type='PairDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3),
    backbone=dict(type='KeypointEncoder', num_keypoints=4, n_filters=4,
                  num_stages=2),
    appearance_encoder=dict(type='ImageEncoder', n_filters=4, num_stages=2),
    generator=dict(type='ConditionalGenerator', n_filters=2),
    renderer=dict(type='GaussianMapRenderer', std=0.2),
    reconstruction_loss=dict(type='PixelReconstructionLoss'))


def pair_batch(n=4, size=16, with_mask=False):
    g = torch.Generator().manual_seed(0)
    targets = [torch.randint(0, 255, (3, size, size), generator=g,
                             dtype=torch.uint8) for _ in range(n)]
    sources = [torch.randint(0, 255, (3, size, size), generator=g,
                             dtype=torch.uint8) for _ in range(n)]
    samples = []
    for _ in range(n):
        sample = PoseDataSample()
        if with_mask:
            sample.gt_fields = PixelData(loss_mask=torch.ones(1, size, size))
        samples.append(sample)
    return dict(inputs=dict(target=targets, source=sources),
                data_samples=samples)


def test_builds_through_the_registry_and_wires_sizes():
    model = MODELS.build(TINY)
    assert model.generator.appearance_channels == 16
    assert model.generator.num_keypoints == 4
    assert model.generator.num_upsamplings == 2
    assert model.num_keypoints == 4


def test_loss_predict_and_tensor_modes():
    model = MODELS.build(TINY)
    data = model.data_preprocessor(pair_batch(with_mask=True), True)
    assert data['inputs']['target'].shape == (4, 3, 16, 16)
    assert data['inputs']['target'].abs().max() <= 1.0
    losses = model(**data, mode='loss')
    assert set(losses) == {
        'loss_reconstruction', 'keypoint_spread', 'keypoint_dispersion'
    }
    assert losses['loss_reconstruction'].requires_grad

    model.eval()
    outputs = model(**data, mode='tensor')
    assert outputs['reconstruction'].shape == (4, 3, 16, 16)
    assert outputs['maps'].shape == (4, 4, 4, 4)
    preds = model(data['inputs']['target'], data['data_samples'],
                  mode='predict')
    kpts = preds[0].pred_instances.keypoints
    assert kpts.shape == (1, 4, 2) and isinstance(kpts, np.ndarray)
    assert (kpts >= 0).all() and (kpts <= 16).all()
    assert preds[0].pred_instances.keypoint_scores.shape == (1, 4)
    # consistent with the coordinates of tensor mode
    expected = (outputs['coords'][0].detach().numpy() + 1) / 2 * 16
    np.testing.assert_allclose(kpts[0], expected, atol=1e-5)


def test_channels_last_gives_the_same_numbers():
    batch = pair_batch(n=2)
    plain = MODELS.build(TINY).eval()
    fast = MODELS.build(dict(TINY, channels_last=True)).eval()
    fast.load_state_dict(plain.state_dict())
    conv = fast.backbone.blocks[0][0].conv.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        a = plain(**plain.data_preprocessor(batch, False), mode='tensor')
        b = fast(**fast.data_preprocessor(batch, False), mode='tensor')
    torch.testing.assert_close(a['reconstruction'], b['reconstruction'],
                               rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(a['coords'], b['coords'], rtol=1e-4,
                               atol=1e-5)


def test_predict_without_data_samples():
    model = MODELS.build(TINY).eval()
    preds = model.predict(torch.zeros(2, 3, 16, 16))
    assert len(preds) == 2 and preds[1].pred_instances.keypoints.shape == (
        1, 4, 2)


def test_training_needs_pairs():
    model = MODELS.build(TINY)
    with pytest.raises(ValueError, match='image pairs'):
        model.loss(torch.zeros(2, 3, 16, 16), [PoseDataSample()] * 2)


def test_mixed_masks_are_rejected():
    model = MODELS.build(TINY)
    batch = pair_batch(n=2, with_mask=True)
    batch['data_samples'][1] = PoseDataSample()
    data = model.data_preprocessor(batch, True)
    with pytest.raises(ValueError, match='loss_mask'):
        model.loss(data['inputs'], data['data_samples'])


def blob_pairs(n=8, size=16):
    """Pairs of one coloured square on a background, at two positions."""
    g = torch.Generator().manual_seed(1)
    targets, sources = [], []
    for _ in range(n):
        colour = torch.randint(0, 255, (3, 1, 1), generator=g)
        images = []
        for _ in range(2):
            image = torch.full((3, size, size), 40, dtype=torch.uint8)
            y, x = torch.randint(0, size - 5, (2, ), generator=g).tolist()
            image[:, y:y + 5, x:x + 5] = colour
            images.append(image)
        targets.append(images[0])
        sources.append(images[1])
    return dict(inputs=dict(target=targets, source=sources),
                data_samples=[PoseDataSample() for _ in range(n)])


def test_a_few_iterations_reduce_the_loss():
    model = MODELS.build(TINY)
    model.init_weights()
    optim = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch = blob_pairs()
    losses = []
    for _ in range(40):
        data = model.data_preprocessor(batch, True)
        loss = model.loss(data['inputs'], data['data_samples'])
        optim.zero_grad()
        loss['loss_reconstruction'].backward()
        optim.step()
        losses.append(loss['loss_reconstruction'].item())
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_synthetic_config_builds_with_mmpose_registries(repo_root):
    cfg = Config.fromfile(f'{repo_root}/configs/synthetic_k10.py')
    assert cfg.default_scope == 'mmpose'
    assert cfg.custom_imports['imports'] == ['mmkp_unsup']
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'UnsupervisedLandmarkEstimator'
    assert model.backbone.num_keypoints == 10


def test_paper_model_config_builds(repo_root):
    cfg = Config.fromfile(
        f'{repo_root}/configs/_base_/models/conditional_generation.py')
    cfg.model.reconstruction_loss.loss_network.weights = None
    model = MODELS.build(cfg.model)
    feats = model.backbone(torch.zeros(1, 3, 128, 128))
    assert feats[-1].shape == (1, 10, 16, 16)
    assert model.generator.to_image.in_channels == 32
    out = model.generate(torch.zeros(1, 3, 128, 128), torch.zeros(1, 10, 2))
    assert out[0].shape == (1, 3, 128, 128)
