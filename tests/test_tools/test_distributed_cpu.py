"""tools/dist_train.sh and tools/dist_test.sh with 2 CPU processes (gloo)."""
import json
import os
import os.path as osp
import sys

import pytest
import torch

from dist_utils import run  # noqa: E402 (same folder)
from test_train_test_resume import TINY  # noqa: E402 (same folder)

# 41 + 16 = 57 evaluation samples: two processes get 29 each, one of them
# padded by DefaultSampler; the gathered results must drop the duplicate
ODD = [
    'val_dataloader.dataset.fit_dataset.num_clips=41',
    'test_dataloader.dataset.fit_dataset.num_clips=41',
    'default_hooks.checkpoint.save_best=None',
    'default_hooks.visualization.enable=False',
]


@pytest.mark.timeout(300)
@pytest.mark.skipif(torch.cuda.is_available(), reason='tests the CPU path')
def test_dist_train_and_test_on_cpu(repo_root, tmp_path):
    config = osp.join(repo_root, 'configs', 'synthetic_k10.py')
    work_dir = str(tmp_path / 'run')
    # SyncBN in the encoders: GPU-only in torch, replaced by BN on CPUs
    out = run([
        'bash', 'tools/dist_train.sh', config, '2', '--work-dir', work_dir,
        '--auto-scale-lr', '--cfg-options', *TINY, *ODD,
        'train_cfg.max_iters=2',
        'train_cfg.val_interval=100', 'model.backbone.norm_cfg.type=SyncBN'
    ], repo_root)
    assert 'SyncBN norm config(s) of the model replaced by BN' in out
    log = open(sorted(
        osp.join(work_dir, d, f'{d}.log') for d in os.listdir(work_dir)
        if osp.isdir(osp.join(work_dir, d)))[-1]).read()
    assert 'Distributed training: True' in log
    assert "backend='gloo'" in log and 'Iter(train) [2/2]' in log
    # linear scaling: 2 processes x 4 = 8 samples per step against the
    # config's base batch of 24: lr 2e-3 * 8 / 24
    assert 'lr: 6.666667e-04' in log
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert torch.load(ckpt, weights_only=True)['meta']['iter'] == 2

    dist_json, single_json = str(tmp_path / 'd.json'), str(tmp_path / 's.json')
    out = run([
        'bash', 'tools/dist_test.sh', config, ckpt, '2', '--work-dir',
        work_dir, '--out', dist_json, '--cfg-options', *TINY, *ODD
    ], repo_root)
    # every sample once: the padded duplicate was dropped
    assert '41 fitting and 16 evaluation samples' in out
    sys.path.insert(0, osp.join(repo_root, 'tools'))
    try:
        import test as test_tool
        test_tool.main([
            config, ckpt, '--work-dir', work_dir, '--out', single_json,
            '--cfg-options', *TINY, *ODD
        ])
    finally:
        sys.path.remove(osp.join(repo_root, 'tools'))
    distributed, single = json.load(open(dist_json)), json.load(
        open(single_json))
    assert set(single) >= {'NME', 'NME_mean_shape', 'NME_fit'}
    # the same samples in the same order: the same numbers
    untrained = {k for k in single if k.endswith('_untrained')}
    assert untrained == {'NME_untrained'}
    assert ({k: v for k, v in distributed.items() if k not in untrained} ==
            {k: v for k, v in single.items() if k not in untrained})
    # the untrained network's BatchNorm statistics are batch sums, whose
    # rounding depends on the number of threads (1 per process here, 2
    # above): equal up to that
    assert distributed['NME_untrained'] == pytest.approx(
        single['NME_untrained'], rel=5e-3)
