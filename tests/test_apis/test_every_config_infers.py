"""Every config in configs/ gives a model that finds points on an image:
``init_model`` + ``inference_landmarks`` (random weights; init_model puts
a pixel loss in place of the loss network, so no VGG-16 is built), and
the fine-tuned mmpose models of configs/reuse/ through mmpose's own API."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmkp_unsup.apis import inference_landmarks, init_model

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    osp.relpath(p, osp.join(ROOT, 'configs'))
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True)
    if '_base_' not in p)
OURS = [c for c in CONFIGS if not c.startswith('reuse/')]
REUSE = [c for c in CONFIGS if c.startswith('reuse/')]
SHRINK = {
    'model.backbone.n_filters': 4,
    'model.appearance_encoder.n_filters': 4,
    'model.generator.n_filters': 2,
}


def _image(h=56, w=44):
    """A BGR uint8 image of another size and aspect than any input."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([128 + 100 * np.sin(xx / 5.0), 128 + 100 * np.cos(
        yy / 4.0), (3 * xx + yy) % 255], -1).astype(np.uint8)


def test_the_configs_are_found():
    assert len(OURS) >= 20 and 'footage_template_k10.py' in OURS
    assert 'footage_template_k10_128x128.py' in OURS and REUSE


@pytest.mark.parametrize('name', OURS)
def test_config_infers(name):
    path = osp.join(ROOT, 'configs', name)
    assert Config.fromfile(path).get('inference_pipeline'), \
        f'{name} has no inference_pipeline'
    torch.manual_seed(0)
    # AutoLink's configs have other parts (docs/autolink.md): built as
    # they are
    autolink = Config.fromfile(path).model.type == 'AutoLinkEstimator'
    model = init_model(path, cfg_options=None if autolink else SHRINK)
    k = model.num_keypoints
    h, w = 56, 44
    image = _image(h, w)
    results = inference_landmarks(model, [image, image],
                                  bboxes=[None, [4, 6, 40, 50]])
    for result, (x1, y1, x2, y2) in zip(results,
                                        ((0, 0, w, h), (4, 6, 40, 50))):
        points = result['keypoints']
        assert points.shape == (k, 2) and np.isfinite(points).all()
        np.testing.assert_allclose(result['bbox'], (x1, y1, x2, y2))
        # inside the box, or the square around it where the pipeline pads
        # the box to the input's aspect (mmpose's TopdownAffine)
        side = 1.25 * max(x2 - x1, y2 - y1) / 2 + 1
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        assert (np.abs(points[:, 0] - cx) <= side).all(), (name, points)
        assert (np.abs(points[:, 1] - cy) <= side).all(), (name, points)
        scores = result['keypoint_scores']
        assert scores.shape == (k, ) and np.isfinite(scores).all()


@pytest.mark.parametrize('name', REUSE)
def test_reuse_config_infers_through_mmpose(name):
    from mmpose.apis import inference_topdown
    from mmpose.apis import init_model as mmpose_init_model
    model = mmpose_init_model(osp.join(ROOT, 'configs', name), None,
                              device='cpu')
    samples = inference_topdown(model, _image(), bboxes=[[4, 6, 40, 50]])
    points = samples[0].pred_instances.keypoints
    assert points.shape == (1, 19, 2) and np.isfinite(points).all()
