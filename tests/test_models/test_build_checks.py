"""Bad sizes fail early with a ValueError naming the value and the
expectation."""
import pytest
import torch
from mmengine.structures import PixelData

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

TINY = dict(
    type='UnsupervisedLandmarkEstimator',
    data_preprocessor=dict(type='PairDataPreprocessor'),
    backbone=dict(type='KeypointEncoder', num_keypoints=4, n_filters=4,
                  num_stages=2),
    appearance_encoder=dict(type='ImageEncoder', n_filters=4, num_stages=2),
    generator=dict(type='ConditionalGenerator', n_filters=2),
    reconstruction_loss=dict(type='PixelReconstructionLoss'))


def build(**changes):
    cfg = {k: (dict(v) if isinstance(v, dict) else v)
           for k, v in TINY.items()}
    for key, value in changes.items():
        cfg[key].update(value)
    return MODELS.build(cfg)


@pytest.mark.parametrize('k', [0, -3])
def test_k_below_one(k):
    with pytest.raises(ValueError, match=f'num_keypoints must be >= 1, got '
                       f'{k}'):
        build(backbone=dict(num_keypoints=k))
    with pytest.raises(ValueError, match=f'num_keypoints must be >= 1, got '
                       f'{k}'):
        MODELS.build(dict(type='ConditionalGenerator', appearance_channels=8,
                          num_keypoints=k))


def test_model_pieces_that_disagree():
    with pytest.raises(ValueError,
                       match='generator num_keypoints is 5, expected 4'):
        build(generator=dict(num_keypoints=5))
    with pytest.raises(ValueError, match='generator appearance_channels is '
                       '8, expected 16'):
        build(generator=dict(appearance_channels=8))
    with pytest.raises(ValueError, match='upsamples x8, expected x4'):
        build(generator=dict(num_upsamplings=3))
    with pytest.raises(ValueError, match='keypoint encoder has stride 2, '
                       'expected 4'):
        build(backbone=dict(num_stages=1))


def test_input_size_that_cannot_be_halved():
    model = build()
    with pytest.raises(ValueError, match=r'num_stages=2 times.*divisible by '
                       r'4, got \(18, 16\)'):
        model.predict(torch.zeros(1, 3, 18, 16))


def pairs(n, size, mask_size=None, mask_batch=None):
    samples = []
    for i in range(n):
        sample = PoseDataSample()
        if mask_size is not None and i < (mask_batch or n):
            sample.gt_fields = PixelData(
                loss_mask=torch.ones(1, *mask_size))
        samples.append(sample)
    images = [torch.zeros(3, size, size, dtype=torch.uint8)] * n
    return dict(inputs=dict(target=images, source=images),
                data_samples=samples)


def test_loss_mask_of_the_wrong_size():
    model = build()
    data = model.data_preprocessor(pairs(2, 16, mask_size=(8, 8)), True)
    with pytest.raises(ValueError, match=r'loss mask has shape \(2, 1, 8, '
                       r'8\), expected \[2, 1, 16, 16\]'):
        model.loss(data['inputs'], data['data_samples'])
    # the right size passes
    data = model.data_preprocessor(pairs(2, 16, mask_size=(16, 16)), True)
    assert torch.isfinite(model.loss(data['inputs'], data['data_samples'])[
        'loss_reconstruction'])


def test_losses_check_the_mask_against_the_images():
    images = torch.zeros(2, 3, 8, 8)
    pixel = MODELS.build(dict(type='PixelReconstructionLoss'))
    with pytest.raises(ValueError, match=r'expected \[2, 1, 8, 8\]'):
        pixel(images, images, torch.ones(3, 1, 8, 8))
    with pytest.raises(ValueError, match=r'must be \[B, 1, H, W\]'):
        pixel(images, images, torch.ones(2, 3, 8, 8))
    perceptual = MODELS.build(dict(
        type='PerceptualLoss', init_values=(100.0, 1.6),
        loss_network=dict(type='VGG16Features', layers=('conv1_1', ),
                          weights=None)))
    with pytest.raises(ValueError, match=r'expected \[2, 1, 8, 8\]'):
        perceptual(images, images, torch.ones(2, 1, 4, 4))
