"""The colorization VGG-16 converter on a tiny h5 file with the release's
layout."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmkp_unsup.models import VGG16Features, colorization_vgg16_to_torchvision

h5py = pytest.importorskip('h5py')


def blobs(rng, out, cin):
    return dict(weight=rng.normal(0, 0.1, (out, cin, 3, 3)).astype('f4'),
                bias=rng.normal(0, 0.1, out).astype('f4'),
                mean=rng.normal(0, 1, out).astype('f4'),
                var=rng.uniform(0.5, 2, out).astype('f4'),
                scale=np.array([0.8], 'f4'))


def write_h5(path, layers):
    """/data/<layer>/{0,1} and /data/batch_<layer>/{0,1,2} as deepdish
    writes them; mean and variance stored multiplied by the scale."""
    with h5py.File(path, 'w') as f:
        data = f.create_group('data')
        for name, b in layers.items():
            g = data.create_group(name)
            g['0'], g['1'] = b['weight'], b['bias']
            bn = data.create_group(f'batch_{name}')
            bn['0'] = b['mean'] * b['scale']
            bn['1'] = b['var'] * b['scale']
            bn['2'] = b['scale']


@pytest.fixture
def converted(tmp_path, repo_root):
    rng = np.random.default_rng(0)
    layers = dict(conv1_1=blobs(rng, 64, 1), conv1_2=blobs(rng, 64, 64))
    write_h5(tmp_path / 'vgg16.caffemodel.h5', layers)
    sys.path.insert(0, osp.join(repo_root, 'tools', 'dataset_converters'))
    try:
        import convert_colorization_vgg16 as tool
    finally:
        sys.path.pop(0)
    out = tmp_path / 'out' / 'vgg16_colorization.pth'
    tool.main([str(tmp_path / 'vgg16.caffemodel.h5'), str(out)])
    return layers, out


def test_converted_weights_are_the_folded_blobs(converted):
    layers, out = converted
    net = VGG16Features(layers=('conv1_1', 'conv1_2'), input_mode='grey',
                        weights=str(out))
    net.init_weights()
    for name, conv in (('conv1_1', net.features[0]),
                       ('conv1_2', net.features[2])):
        b = layers[name]
        sigma = np.sqrt(1e-5 + b['var'].astype('f8'))
        np.testing.assert_allclose(
            conv.weight.numpy(), b['weight'] / sigma[:, None, None, None],
            rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(conv.bias.numpy(),
                                   (b['bias'] - b['mean']) / sigma,
                                   rtol=1e-5, atol=1e-6)


def test_conv1_1_equals_batch_norm_after_the_conv(converted):
    layers, out = converted
    net = VGG16Features(layers=('conv1_1', ), input_mode='grey',
                        weights=str(out))
    net.init_weights()
    image = torch.rand(2, 3, 8, 8) * 255
    b = {k: torch.from_numpy(v) for k, v in layers['conv1_1'].items()}
    grey = image.mean(1, keepdim=True) / 255 - 114.451 / 255
    pre = F.conv2d(grey, b['weight'], b['bias'], padding=1)
    expected = F.relu(F.batch_norm(pre, b['mean'], b['var'], eps=1e-5))
    with torch.no_grad():
        torch.testing.assert_close(net(image)[0], expected, rtol=1e-4,
                                   atol=1e-5)


def test_bad_files_are_reported(tmp_path):
    path = tmp_path / 'other.h5'
    with h5py.File(path, 'w') as f:
        f.create_group('weights')
    from mmkp_unsup.models import convert_colorization_vgg16
    with pytest.raises(ValueError, match='other.h5: no group /data'):
        convert_colorization_vgg16(str(path))
    rng = np.random.default_rng(0)
    rgb = blobs(rng, 64, 3)
    with pytest.raises(ValueError, match='3 input channels, expected 1'):
        colorization_vgg16_to_torchvision(
            {'conv1_1': {'0': rgb['weight'], '1': rgb['bias']}})
    grey = blobs(rng, 64, 1)
    with pytest.raises(ValueError, match='scale factor'):
        colorization_vgg16_to_torchvision({
            'conv1_1': {'0': grey['weight'], '1': grey['bias']},
            'batch_conv1_1': {'0': grey['mean'], '1': grey['var'],
                              '2': np.zeros(1)}})
