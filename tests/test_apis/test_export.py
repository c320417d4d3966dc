"""ONNX export of the keypoint detector: onnxruntime against PyTorch."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmpose.registry import DATASETS

ort = pytest.importorskip('onnxruntime')
pytest.importorskip('onnx')

TINY_MODEL = {
    'model.backbone.n_filters': 4,
    'model.appearance_encoder.n_filters': 4,
    'model.generator.n_filters': 2,
}


def _randomise(model: torch.nn.Module) -> None:
    """Weights and BN statistics far from the initial ones, so that the
    heatmaps are peaked and the keypoints spread over the image."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
        for m in model.backbone.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(
                    torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(
                    torch.rand(m.num_features, generator=gen) + 0.5)
        # large logits: peaked heatmaps
        model.backbone.keypoint_logits.weight.mul_(100.0)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    from mmkp_unsup.apis import load_model
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    config = osp.join(repo, 'configs', 'synthetic_k10.py')
    model = load_model(config, None, TINY_MODEL)
    _randomise(model)
    ckpt = str(tmp_path_factory.mktemp('export') / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return repo, config, ckpt


def _faces(num: int, size: int = 32):
    """Synthetic faces as the data pipeline gives them (BGR uint8)."""
    dataset = DATASETS.build(
        dict(
            type='SyntheticFaceDataset',
            num_clips=num,
            image_size=size,
            seed=7,
            test_mode=True,
            pipeline=[dict(type='LoadImage'),
                      dict(type='PackPairInputs')]))
    return pseudo_collate([dataset[i] for i in range(num)])


def test_export_matches_pytorch(trained, tmp_path):
    repo, config, ckpt = trained
    sys.path.insert(0, osp.join(repo, 'tools', 'deployment'))
    try:
        import export_onnx as tool
    finally:
        sys.path.pop(0)
    out = str(tmp_path / 'detector.onnx')
    cfg_options = [f'{k}={v}' for k, v in TINY_MODEL.items()]
    tool_diff = tool.main([
        config, ckpt, '--out', out, '--input-size', '32', '32',
        '--cfg-options', *cfg_options
    ])
    assert tool_diff < 1e-3

    # PyTorch as a user meets it: the pipeline's BGR images through the
    # data preprocessor and model.predict (test_step)
    from mmkp_unsup.apis import load_model
    model = load_model(config, ckpt, TINY_MODEL)
    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    meta = session.get_modelmeta().custom_metadata_map
    assert 'RGB' in meta['input'] and meta['num_keypoints'] == '10'
    assert [o.name for o in session.get_outputs()] == ['keypoints', 'scores']
    worst = 0.0
    for batch in (1, 3):  # one file, two batch sizes
        data = _faces(batch)
        with torch.no_grad():
            preds = model.test_step(data)
        expected = np.stack([p.pred_instances.keypoints[0]
                             for p in preds])  # B, K, 2
        expected_scores = np.stack(
            [p.pred_instances.keypoint_scores[0] for p in preds])
        # the user's input: RGB float pixels, [B, 3, H, W]
        bgr = torch.stack(data['inputs']).float()
        images = bgr.flip(1).numpy()
        keypoints, scores = session.run(None, {'images': images})
        assert keypoints.shape == (batch, 10, 2)
        assert scores.shape == (batch, 10)
        diff = np.abs(keypoints - expected).max()
        worst = max(worst, diff)
        assert diff < 1e-3, f'batch {batch}: {diff} px'
        np.testing.assert_allclose(scores, expected_scores, atol=1e-4)
        # the comparison is not trivial: points spread over the image
        assert expected.std(axis=1).min() > 1.0
        assert ((expected >= 0) & (expected <= 32)).all()
    print(f'max |onnxruntime - PyTorch| = {worst:.2e} px')
    # feeding BGR instead of RGB would give other points (the channel
    # order matters and is the documented one)
    keypoints_bgr, _ = session.run(None, {'images': bgr.numpy()})
    assert np.abs(keypoints_bgr - expected).max() > 1e-2


def test_export_rejects_bad_sizes(trained, tmp_path):
    from mmkp_unsup.apis import export_onnx, load_model
    _, config, ckpt = trained
    model = load_model(config, ckpt, TINY_MODEL)
    with pytest.raises(ValueError, match='divisible'):
        export_onnx(model, str(tmp_path / 'x.onnx'), input_size=(31, 32))


def test_load_model_names_missing_weights(trained, tmp_path):
    from mmkp_unsup.apis import load_model
    _, config, _ = trained
    bad = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict={'something.weight': torch.zeros(1)}), bad)
    with pytest.raises(KeyError, match='bad.pth'):
        load_model(config, bad, TINY_MODEL)


def test_export_raw_pixels(tmp_path):
    """A model fed raw pixels (the release: no mean/std) exports without
    a normalisation step and says so in the file."""
    from mmkp_unsup.apis import export_onnx, load_model
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    model = load_model(
        osp.join(repo, 'configs', 'synthetic_k10.py'), None,
        dict(
            TINY_MODEL, **{
                'model.data_preprocessor.mean': None,
                'model.data_preprocessor.std': None
            }))
    _randomise(model)
    out = str(tmp_path / 'raw.onnx')
    detector = export_onnx(model, out, input_size=(32, 32))
    assert not detector.normalize
    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    meta = session.get_modelmeta().custom_metadata_map
    assert meta['normalisation'] == 'none (raw pixels)'
    images = torch.rand(2, 3, 32, 32) * 255
    with torch.no_grad():
        preds = model.predict(images)
    expected = np.stack([p.pred_instances.keypoints[0] for p in preds])
    keypoints, _ = session.run(None, {'images': images.numpy()})
    assert np.abs(keypoints - expected).max() < 1e-3
