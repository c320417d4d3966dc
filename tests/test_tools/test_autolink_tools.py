"""AutoLink end to end through tools/train.py and tools/test.py, with
resume (the public code has none), on tiny settings of
configs/autolink_synthetic_k10.py."""
import glob
import json
import os.path as osp
import re

import pytest
import torch
from tool_utils import ROOT, TINY_HOOKS, TINY_TEST, TINY_VAL, import_tool

TINY_AUTOLINK = [
    'train_dataloader.batch_size=4',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.num_clips=8',
    'train_dataloader.dataset.frames_per_clip=2',
    'model.backbone.channels=[4,8]',
    'model.backbone.up_channels=[4]',
    'model.generator.channels=[4,8,8]',
]
TINY = TINY_AUTOLINK + TINY_VAL + TINY_TEST + TINY_HOOKS


def train_iters_in_log(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    text = open(logs[-1]).read()
    return text, [int(m) for m in re.findall(r'Iter\(train\) \[\s*(\d+)/',
                                               text)]


@pytest.mark.timeout(600)
def test_autolink_train_resume_test(tmp_path):
    train_tool = import_tool('tools', 'train.py')
    test_tool = import_tool('tools', 'test.py')
    config = osp.join(ROOT, 'configs', 'autolink_synthetic_k10.py')
    work_dir = str(tmp_path / 'run')
    train_tool.main([config, '--work-dir', work_dir, '--cfg-options', *TINY,
                     'train_cfg.max_iters=4', 'train_cfg.val_interval=4'])
    checkpoint = torch.load(osp.join(work_dir, 'iter_4.pth'),
                            weights_only=True)
    assert checkpoint['meta']['iter'] == 4
    theta = checkpoint['state_dict']['renderer.theta']
    assert theta.shape == (10, 10)
    names = {osp.basename(p) for p in glob.glob(
        osp.join(work_dir, '*', 'vis_data', 'vis_image', '*.png'))}
    assert {'train_reconstruction_4.png', 'val_keypoints_4.png'} <= names

    # resume from the latest checkpoint: iterations 5 and 6, not 1 and 2,
    # and the graph and optimizer state carried on
    train_tool.main([config, '--work-dir', work_dir, '--resume',
                     '--cfg-options', *TINY, 'train_cfg.max_iters=6',
                     'train_cfg.val_interval=6'])
    _, iters = train_iters_in_log(work_dir)
    assert iters == [5, 6]
    resumed = torch.load(osp.join(work_dir, 'iter_6.pth'), weights_only=True)
    assert resumed['meta']['iter'] == 6
    assert not torch.equal(resumed['state_dict']['renderer.theta'], theta)

    out = str(tmp_path / 'metrics.json')
    metrics = test_tool.main([
        config, osp.join(work_dir, 'iter_6.pth'), '--work-dir', work_dir,
        '--out', out, '--cfg-options', *TINY
    ])
    assert set(metrics) >= {'NME', 'NME_untrained', 'NME_mean_shape'}
    assert json.load(open(out))['NME'] == pytest.approx(metrics['NME'])
    # percent of the inter-ocular distance
    assert 0 < metrics['NME'] < 1000 and 0 < metrics['NME_untrained'] < 1000
