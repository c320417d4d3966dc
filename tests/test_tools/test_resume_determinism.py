"""Resume exactness and determinism on CPU, through tools/train.py.

A run of 2N iterations saves a checkpoint at N; resuming from it (a run
stopped at N) to 2N must give bit-identical weights, buffers (batch-norm
statistics, the perceptual loss's running averages), optimiser and
scheduler states. The data pipeline is random (pair sampler, flip, swap,
TPS warps from the release's cache of warps), so this also checks the sampler
position and the random states (and warp caches) of the data-loading
processes.
"""
import os.path as osp
import sys

import pytest
import torch

CONFIG = """
_base_ = [{base!r}]
train_dataloader = dict(
    batch_size=4, num_workers={workers}, persistent_workers=False,
    dataset=dict(
        dataset=dict(num_clips=6, frames_per_clip=3),
        pair_sampler=dict(min_gap=1),
        pipeline=[
            dict(type='PairRandomFlip'),
            dict(type='PairRandomSwap'),
            # the release's source and cache of warps: the caches of the
            # data-loading process must be rebuilt by the replay
            dict(type='TPSFramePairWarp', mask_margin=2, mask_ramp=4,
                 source_from='target',
                 warp_cache=dict(size=3, renew_prob=0.3)),
            dict(type='PackPairInputs'),
        ]))
model = dict(
    backbone=dict(n_filters=4),
    appearance_encoder=dict(n_filters=4),
    generator=dict(n_filters=2),
    # the release's loss, on a small random loss network (no download):
    # its running averages are buffers that must survive the resume
    reconstruction_loss=dict(
        _delete_=True, type='PerceptualLoss', init_values=(100.0, 1.6),
        loss_network=dict(type='VGG16Features', layers=('conv1_2', ),
                          weights=None)))
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=2, save_best=None),
    visualization=dict(enable=False))
train_cfg = dict(max_iters=4, val_interval=1000)
val_dataloader = None
val_evaluator = None
val_cfg = None
# a decay at every step, so that a schedule off by one step shows
param_scheduler = [
    dict(type='StepLR', by_epoch=False, step_size=1, gamma=0.5)]
"""


@pytest.fixture(scope='module')
def train_tool(request):
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    sys.path.insert(0, osp.join(root, 'tools'))
    import train
    yield train
    sys.path.remove(osp.join(root, 'tools'))


def write_config(tmp_path, repo_root, workers):
    path = tmp_path / f'resume_w{workers}.py'
    path.write_text(
        CONFIG.format(
            base=osp.join(repo_root, 'configs', 'synthetic_k10.py'),
            workers=workers))
    return str(path)


@pytest.fixture(scope='module')
def whole_runs(train_tool, tmp_path_factory):
    """4 uninterrupted iterations, with 0 and with 1 data worker; shared by
    the tests below: ``{workers: (config, work_dir)}``."""
    from mmpose.visualization import PoseLocalVisualizer
    repo_root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    runs = {}
    for workers in (0, 1):
        tmp_path = tmp_path_factory.mktemp(f'whole_w{workers}')
        config = write_config(tmp_path, repo_root, workers)
        train_tool.main([config, '--work-dir', str(tmp_path / 'whole')])
        runs[workers] = (config, str(tmp_path / 'whole'))
        # later runners make their own visualizer (see conftest.py)
        PoseLocalVisualizer._instance_dict.pop('visualizer', None)
    return runs


def differences(a, b, path=''):
    """Paths where two checkpoint entries differ (tensors bit for bit)."""
    if isinstance(a, dict):
        if set(a) != set(b):
            return [f'{path}: keys {sorted(set(a) ^ set(b))}']
        return [d for k in a for d in differences(a[k], b[k], f'{path}.{k}')]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f'{path}: lengths {len(a)} != {len(b)}']
        return [
            d for i, (x, y) in enumerate(zip(a, b))
            for d in differences(x, y, f'{path}[{i}]')
        ]
    if isinstance(a, torch.Tensor):
        return [] if torch.equal(a, b) else [path]
    return [] if a == b else [f'{path}: {a!r} != {b!r}']


def load(path):
    return torch.load(path, weights_only=True)


def assert_same_training_state(a, b):
    for key in ('state_dict', 'optimizer', 'param_schedulers'):
        assert not differences(a[key], b[key], key)
    assert a['meta']['iter'] == b['meta']['iter']


@pytest.mark.timeout(300)
@pytest.mark.parametrize('workers', [0, 1])
def test_resume_is_bit_exact(train_tool, whole_runs, tmp_path, workers):
    config, whole = whole_runs[workers]
    resumed = str(tmp_path / 'resumed')
    # the same run stopped after 2 iterations: its checkpoint at 2
    train_tool.main([
        config, '--work-dir', resumed, '--resume',
        osp.join(whole, 'iter_2.pth')
    ])
    a, b = load(osp.join(whole, 'iter_4.pth')), load(
        osp.join(resumed, 'iter_4.pth'))
    assert_same_training_state(a, b)
    # the perceptual loss's running averages moved, and were restored
    running = a['state_dict']['reconstruction_loss.running_avg']
    assert not torch.equal(running, torch.tensor([100.0, 1.6]))
    # and training did change the weights between 2 and 4
    mid = load(osp.join(whole, 'iter_2.pth'))
    assert differences(mid['state_dict'], a['state_dict'])


@pytest.mark.timeout(300)
def test_same_seed_same_weights(train_tool, whole_runs, tmp_path):
    config, whole = whole_runs[0]
    train_tool.main([config, '--work-dir', str(tmp_path / 'again')])
    a = load(osp.join(whole, 'iter_4.pth'))
    b = load(str(tmp_path / 'again' / 'iter_4.pth'))
    assert_same_training_state(a, b)
    # another seed: other weights
    train_tool.main([
        config, '--work-dir', str(tmp_path / 'other'), '--cfg-options',
        'randomness.seed=1'
    ])
    c = load(str(tmp_path / 'other' / 'iter_4.pth'))
    assert differences(a['state_dict'], c['state_dict'])


@pytest.mark.timeout(300)
def test_extending_a_finished_run(train_tool, whole_runs, tmp_path):
    """Train 2 iterations (max_iters=2), then resume with max_iters=4: the
    same as 4 iterations at once, the learning-rate decay included (mmengine
    alone would keep the scheduler's end at 2 and stop the decay)."""
    config, whole = whole_runs[0]
    extended = str(tmp_path / 'extended')
    train_tool.main([
        config, '--work-dir', extended, '--cfg-options',
        'train_cfg.max_iters=2'
    ])
    train_tool.main([config, '--work-dir', extended, '--resume'])
    a, b = load(osp.join(whole, 'iter_4.pth')), load(
        osp.join(extended, 'iter_4.pth'))
    assert b['param_schedulers'][0]['end'] == 4
    # decayed after iterations 1, 2 and 3 (mmengine's last step is at end)
    # (from the demo config's learning rate, 2e-3)
    assert b['optimizer']['param_groups'][0]['lr'] == pytest.approx(
        2e-3 * 0.5**3)
    assert_same_training_state(a, b)
