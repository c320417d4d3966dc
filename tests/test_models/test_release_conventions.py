"""The release's TensorFlow 1.x conventions (docs/method.md, "Padding as
the release", "Resizing as the release"), each against a small numpy
reference written from TF's documented formulas, not from our code."""
import numpy as np
import pytest
import torch

from mmkp_unsup.models import (ConditionalGenerator, ImageEncoder,
                               PerceptualLoss, resize_bilinear_tf1)
from mmkp_unsup.models.backbones.encoders import TFSameConvModule
from mmkp_unsup.models.losses.reconstruction_losses import masked_mean


def tf1_resize_reference(image, out_h, out_w):
    """TF 1.x ``resize_images`` bilinear, align_corners=False: output pixel
    i reads the input at i * in / out, linear between floor and floor + 1,
    the upper neighbour clamped to the last pixel."""
    image = np.asarray(image, np.float64)
    in_h, in_w = image.shape[-2:]
    out = np.zeros(image.shape[:-2] + (out_h, out_w))
    for i in range(out_h):
        y = i * in_h / out_h
        y0 = int(np.floor(y))
        y1 = min(y0 + 1, in_h - 1)
        dy = y - y0
        for j in range(out_w):
            x = j * in_w / out_w
            x0 = int(np.floor(x))
            x1 = min(x0 + 1, in_w - 1)
            dx = x - x0
            top = (1 - dx) * image[..., y0, x0] + dx * image[..., y0, x1]
            bottom = (1 - dx) * image[..., y1, x0] + dx * image[..., y1, x1]
            out[..., i, j] = (1 - dy) * top + dy * bottom
    return out


def release_border_strip(n=128, margin=10, ramp=20, b=0.4):
    """One axis of the release's smooth loss mask (tps_dataset.py)."""
    up = 0.5 + 0.5 * np.tanh(np.linspace(-1, 1, ramp) / b)
    return np.concatenate([
        np.zeros(margin), up,
        np.ones(n - 2 * margin - 2 * ramp), up[::-1],
        np.zeros(margin)
    ])


@pytest.mark.parametrize('size_in,size_out', [((5, 7), (3, 4)),
                                              ((4, 4), (8, 8)),
                                              ((6, 3), (6, 5)),
                                              ((32, 32), (4, 4))])
def test_resize_bilinear_tf1_matches_the_reference(size_in, size_out):
    x = np.random.RandomState(0).rand(2, 3, *size_in)
    ours = resize_bilinear_tf1(torch.from_numpy(x), size_out).numpy()
    np.testing.assert_allclose(ours, tf1_resize_reference(x, *size_out),
                               atol=1e-12)


def test_loss_mask_at_8x8_as_the_release():
    strip = release_border_strip()
    mask = np.outer(strip, strip)
    expected = tf1_resize_reference(mask, 8, 8)
    # the release's row through the centre: 0, .14, 1, 1, 1, 1, 1, .09
    np.testing.assert_allclose(
        expected[4], [0, .137, 1, 1, 1, 1, 1, .086], atol=1e-3)
    values = torch.ones(1, 1, 8, 8)
    torch_mask = torch.from_numpy(mask).float()[None, None]
    assert masked_mean(values, torch_mask, 'tf1').item() == pytest.approx(
        expected.mean(), rel=1e-6)
    # PyTorch's centred resize: 0, .89, 1, 1, 1, 1, .89, 0
    assert masked_mean(values, torch_mask).item() != pytest.approx(
        expected.mean(), rel=1e-3)


def test_perceptual_loss_resizes_the_mask_as_chosen():
    torch.manual_seed(0)
    kwargs = dict(
        loss_network=dict(
            type='VGG16Features', layers=('conv2_2', ), weights=None),
        init_values=(100.0, 1.6))
    tf1 = PerceptualLoss(mask_resize='tf1', **kwargs).eval()
    plain = PerceptualLoss(**kwargs).eval()
    plain.load_state_dict(tf1.state_dict())
    assert plain.mask_resize == 'pytorch'
    pred, target = torch.rand(2, 3, 32, 32) * 255, torch.rand(2, 3, 32,
                                                               32) * 255
    strip = release_border_strip(32, 2, 6)
    mask = torch.from_numpy(np.outer(strip, strip)).float()[None, None]
    mask = mask.expand(2, 1, 32, 32)
    with torch.no_grad():
        terms = tf1.term_losses(pred, target, mask).numpy()
        feats = [
            f.numpy().astype(np.float64) for f in
            (tf1.loss_network(pred)[0], tf1.loss_network(target)[0])
        ]
    resized = tf1_resize_reference(mask.numpy(), 16, 16)  # conv2_2: 1/2
    expected = ((feats[0] - feats[1])**2 * resized).mean()
    assert terms[1] == pytest.approx(expected, rel=1e-4)
    with torch.no_grad():
        assert plain.term_losses(pred, target, mask)[1].item() != \
            pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match='mask_resize'):
        PerceptualLoss(mask_resize='nearest', **kwargs)


def test_generator_upsamples_as_chosen():
    torch.manual_seed(0)
    gen = ConditionalGenerator(
        appearance_channels=3, num_keypoints=2, n_filters=2,
        num_upsamplings=1, upsample='tf1').eval()
    app, maps = torch.rand(1, 3, 4, 4), torch.rand(1, 2, 4, 4)
    with torch.no_grad():
        out = gen(app, maps)
        x = gen.stages[0](torch.cat([app, maps], 1)).numpy()
        up = torch.from_numpy(tf1_resize_reference(x, 8, 8)).float()
        expected = gen.to_image(gen.final_block(up))
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-6)
    plain = ConditionalGenerator(
        appearance_channels=3, num_keypoints=2, n_filters=2,
        num_upsamplings=1).eval()
    plain.load_state_dict(gen.state_dict())
    with torch.no_grad():
        assert not torch.allclose(plain(app, maps), out, atol=1e-6)
    with pytest.raises(ValueError, match='upsample'):
        ConditionalGenerator(3, 2, upsample='nearest')


def tf_same_conv_reference(x, weight, bias, stride):
    """TF 'SAME' convolution: ceil(n / s) outputs, total padding
    max((out - 1) s + k - n, 0), the smaller half before."""
    c_out, _, k, _ = weight.shape
    n = x.shape[-1]
    out_n = -(-n // stride)
    total = max((out_n - 1) * stride + k - n, 0)
    before = total // 2
    padded = np.pad(x, ((0, 0), (0, 0), (before, total - before),
                        (before, total - before)))
    out = np.zeros((x.shape[0], c_out, out_n, out_n))
    for i in range(out_n):
        for j in range(out_n):
            patch = padded[:, :, i * stride:i * stride + k,
                           j * stride:j * stride + k]
            out[:, :, i, j] = np.einsum('bcyx,ocyx->bo', patch, weight)
    return out + bias[None, :, None, None]


def test_strided_convolution_pads_as_tensorflow():
    torch.manual_seed(0)
    conv = TFSameConvModule(2, 3, 3, stride=2, norm_cfg=None, act_cfg=None)
    x = torch.rand(1, 2, 8, 8)
    with torch.no_grad():
        ours = conv(x).numpy()
    expected = tf_same_conv_reference(
        x.numpy().astype(np.float64),
        conv.conv.weight.detach().numpy().astype(np.float64),
        conv.conv.bias.detach().numpy().astype(np.float64), 2)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_encoder_same_padding_option():
    torch.manual_seed(0)
    tf = ImageEncoder(n_filters=4, num_stages=2, same_padding='tensorflow',
                      out_indices=(0, 1, 2))
    sym = ImageEncoder(n_filters=4, num_stages=2, out_indices=(0, 1, 2))
    tf.eval()  # (mmpose's backbones return None from train())
    sym.eval()
    assert sym.same_padding == 'symmetric'
    # the same parameters (checkpoints load either way)
    sym.load_state_dict(tf.state_dict())
    assert isinstance(tf.blocks[1][0], TFSameConvModule)
    assert not isinstance(tf.blocks[1][1], TFSameConvModule)
    assert not isinstance(sym.blocks[1][0], TFSameConvModule)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        a, b = tf(x), sym(x)
    torch.testing.assert_close(a[0], b[0])  # stride 1: the same padding
    assert a[1].shape == b[1].shape == (2, 8, 16, 16)
    assert not torch.allclose(a[1], b[1])
    with pytest.raises(ValueError, match='same_padding'):
        ImageEncoder(same_padding='valid')
