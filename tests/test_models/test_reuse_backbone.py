"""The learned keypoint encoder as the backbone of an ordinary mmpose model.

Trains the synthetic config a few iterations with tools/train.py, then
fine-tunes configs/reuse/topdown_heatmap_kpencoder_aflw.py (mmpose's
TopdownPoseEstimator + HeatmapHead on the AFLW fixture) from that checkpoint
through mmengine's Runner.
"""
import copy
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from tool_utils import TINY_TRAIN

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# ../shared/fixtures next to the repository (a worktree may sit one level
# deeper)
AFLW = next(
    (p for p in (osp.join(
        osp.dirname(REPO), 'shared', 'fixtures', 'mmpose_testdata', 'aflw'),
                 osp.join(
                     osp.dirname(osp.dirname(REPO)), 'shared', 'fixtures',
                     'mmpose_testdata', 'aflw')) if osp.isdir(p)),
    osp.join(
        osp.dirname(REPO), 'shared', 'fixtures', 'mmpose_testdata', 'aflw'))

# the pretraining run: tiny widths (tests/tool_utils.py)
PRETRAIN = TINY_TRAIN + [
    'default_hooks.logger.interval=1',
    'default_hooks.checkpoint.interval=3',
    'default_hooks.checkpoint.save_best=None',
    'default_hooks.visualization.interval=100',
    'train_cfg.max_iters=3',
]


class RecordBackbone(Hook):
    """Keeps a copy of the backbone's state when training starts (after the
    runner initialised the weights) and when it ends."""

    priority = 'HIGHEST'

    def before_train(self, runner) -> None:
        self.at_start = copy.deepcopy(runner.model.backbone.state_dict())

    def after_train(self, runner) -> None:
        self.at_end = copy.deepcopy(runner.model.backbone.state_dict())


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    try:
        import train as train_tool
    finally:
        sys.path.pop(0)
    work_dir = str(tmp_path_factory.mktemp('pretrain'))
    train_tool.main([
        osp.join(REPO, 'configs', 'synthetic_k10.py'), '--work-dir', work_dir,
        '--no-validate', '--cfg-options', *PRETRAIN
    ])
    ckpt = osp.join(work_dir, 'iter_3.pth')
    assert osp.isfile(ckpt)
    return ckpt


def reuse_cfg(ckpt: str, work_dir: str) -> Config:
    """The reuse config at tiny sizes on the AFLW fixture (2 faces)."""
    if not osp.isdir(AFLW):
        pytest.skip(f'mmpose test data not found at {AFLW}')
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'reuse',
                 'topdown_heatmap_kpencoder_aflw.py'))
    cfg.work_dir = work_dir
    # the pretraining config's encoder and pixel convention
    cfg.model.backbone.update(n_filters=4, num_stages=1, num_keypoints=10)
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    cfg.model.data_preprocessor.update(mean=[127.5] * 3, std=[127.5] * 3)
    # 32x32 crops -> 16x16 features -> 16x16 heatmaps (no deconvolution)
    codec = dict(
        type='MSRAHeatmap',
        input_size=(32, 32),
        heatmap_size=(16, 16),
        sigma=1)
    cfg.model.head.update(
        in_channels=4 * 2 + 10, deconv_out_channels=None, decoder=codec)
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'TopdownAffine':
            step['input_size'] = codec['input_size']
        if step['type'] == 'GenerateTarget':
            step['encoder'] = codec
    cfg.train_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.update(
        data_root=AFLW, ann_file='test_aflw.json', data_prefix=dict(img=''))
    cfg.train_cfg = dict(by_epoch=True, max_epochs=2, val_interval=100)
    cfg.param_scheduler = []
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = 100
    return cfg


def _encoder_state(ckpt: str) -> dict:
    state = torch.load(
        ckpt, map_location='cpu', weights_only=True)['state_dict']
    return {
        k[len('backbone.'):]: v
        for k, v in state.items() if k.startswith('backbone.')
    }


def test_finetune_from_learned_encoder(pretrained, tmp_path):
    cfg = reuse_cfg(pretrained, str(tmp_path / 'reuse'))
    runner = Runner.from_cfg(cfg)
    recorder = RecordBackbone()
    runner.register_hook(recorder)
    runner.train()

    expected = _encoder_state(pretrained)
    start = recorder.at_start
    # every tensor of the encoder (convs, the 1x1 logits conv, BN weights
    # and running statistics) is the checkpoint's when training starts
    assert set(start) == set(expected)
    for key, value in expected.items():
        torch.testing.assert_close(
            start[key],
            value,
            rtol=0,
            atol=0,
            msg=f'backbone.{key} was re-initialised')
    # ... and fine-tuning then changed it
    changed = [
        k for k, v in recorder.at_end.items()
        if v.is_floating_point() and not torch.equal(v, start[k])
    ]
    assert any('keypoint_logits' in k for k in changed)
    assert any(k.startswith('blocks.0') for k in changed)
    assert runner.iter == 2


def test_without_pretrained_the_encoder_differs(pretrained, tmp_path):
    """The check above can fail: the release's own init gives other
    weights."""
    cfg = reuse_cfg(pretrained, str(tmp_path / 'scratch'))
    cfg.model.backbone.pop('init_cfg')
    runner = Runner.from_cfg(cfg)
    recorder = RecordBackbone()
    runner.register_hook(recorder)
    cfg_iters = runner.train_loop.max_epochs
    assert cfg_iters == 2
    runner.train()
    expected = _encoder_state(pretrained)
    conv = 'blocks.0.0.conv.weight'
    assert not torch.equal(recorder.at_start[conv], expected[conv])
    # the release's truncated normal (std 0.01, cut at 0.02) was applied
    assert recorder.at_start[conv].abs().max() <= 0.02
