import pytest
import torch

from mmkp_unsup.models import (ConditionalGenerator, ImageEncoder,
                               KeypointEncoder)


def test_image_encoder_blocks_and_channels():
    enc = ImageEncoder(n_filters=4, out_indices=(0, 1, 2, 3))
    feats = enc(torch.randn(2, 3, 32, 32))
    assert [tuple(f.shape) for f in feats] == [(2, 4, 32, 32), (2, 8, 16, 16),
                                              (2, 16, 8, 8), (2, 32, 4, 4)]
    assert enc.out_channels == 32


def test_encoder_follows_the_release_layers():
    enc = ImageEncoder(n_filters=32)
    convs = [m for m in enc.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.kernel_size[0] for c in convs] == [7, 3, 3, 3, 3, 3, 3, 3]
    assert [c.stride[0] for c in convs] == [1, 1, 2, 1, 2, 1, 2, 1]
    assert [c.out_channels for c in convs] == [32, 32, 64, 64, 128, 128,
                                               256, 256]
    bns = [m for m in enc.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(bns) == 8
    assert all(bn.momentum == 0.01 and bn.eps == 1e-3 for bn in bns)


def test_truncated_normal_init():
    enc = ImageEncoder(n_filters=8)
    enc.init_weights()
    weights = torch.cat([m.weight.flatten() for m in enc.modules()
                         if isinstance(m, torch.nn.Conv2d)])
    assert weights.abs().max() <= 0.02 + 1e-6
    assert 0.005 < weights.std() < 0.01


def test_keypoint_encoder_outputs_logits_last():
    enc = KeypointEncoder(num_keypoints=7, n_filters=4)
    (logits, ) = enc(torch.randn(2, 3, 32, 48))
    assert logits.shape == (2, 7, 4, 6)
    feats_and_logits = KeypointEncoder(
        num_keypoints=7, n_filters=4, out_indices=(3, ))(
            torch.randn(1, 3, 16, 16))
    assert [f.shape[1] for f in feats_and_logits] == [32, 7]


def test_encoder_rejects_bad_input():
    enc = ImageEncoder(n_filters=4)
    with pytest.raises(ValueError, match='divisible by 8'):
        enc(torch.randn(1, 3, 30, 32))
    with pytest.raises(ValueError, match=r'\[B, 3, H, W\]'):
        enc(torch.randn(1, 1, 32, 32))
    with pytest.raises(ValueError, match='out_indices'):
        ImageEncoder(out_indices=(4, ))
    with pytest.raises(ValueError, match='divisible by 4'):
        ImageEncoder(n_filters=2, num_stages=2)(torch.randn(1, 3, 30, 32))


def test_fewer_stages_keep_more_resolution():
    enc = KeypointEncoder(num_keypoints=3, n_filters=4, num_stages=2)
    assert enc(torch.randn(1, 3, 32, 32))[-1].shape == (1, 3, 8, 8)
    assert (enc.stride, enc.out_channels) == (4, 16)


def test_generator_shapes_and_layers():
    gen = ConditionalGenerator(
        appearance_channels=32, num_keypoints=5, n_filters=4)
    out = gen(torch.randn(2, 32, 4, 4), torch.rand(2, 5, 4, 4))
    assert out.shape == (2, 3, 32, 32)
    convs = [m for m in gen.modules() if isinstance(m, torch.nn.Conv2d)]
    # 2 convs at each of 3 scales, one at full size, one to RGB
    assert [c.out_channels for c in convs] == [32, 32, 16, 16, 8, 8, 4, 3]
    assert convs[0].in_channels == 32 + 5
    assert convs[-1].bias is not None


def test_generator_rejects_mismatched_inputs():
    gen = ConditionalGenerator(appearance_channels=8, num_keypoints=2,
                               n_filters=2)
    with pytest.raises(ValueError, match='same size'):
        gen(torch.randn(1, 8, 4, 4), torch.rand(1, 2, 8, 8))
    with pytest.raises(ValueError, match='appearance channels'):
        gen(torch.randn(1, 4, 4, 4), torch.rand(1, 2, 4, 4))
