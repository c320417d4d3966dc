"""End to end through tools/train.py and tools/test.py on tiny settings."""
import glob
import json
import os.path as osp
import re
import sys

import pytest
import torch
from tool_utils import TINY_HOOKS, TINY_TEST, TINY_TRAIN, TINY_VAL

TINY = TINY_TRAIN + TINY_VAL + TINY_TEST + TINY_HOOKS


@pytest.fixture(scope='module')
def tools(repo_root_module):
    sys.path.insert(0, osp.join(repo_root_module, 'tools'))
    import test as test_tool  # noqa: E402
    import train as train_tool  # noqa: E402
    yield train_tool, test_tool
    sys.path.remove(osp.join(repo_root_module, 'tools'))


@pytest.fixture(scope='module')
def repo_root_module():
    return osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def last_iter_in_log(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    text = open(logs[-1]).read()
    iters = re.findall(r'Iter\(train\) \[\s*(\d+)/', text)
    return text, [int(m) for m in iters]


@pytest.mark.timeout(600)
def test_train_resume_test(tools, repo_root_module, tmp_path):
    train_tool, test_tool = tools
    config = osp.join(repo_root_module, 'configs', 'synthetic_k10.py')
    work_dir = str(tmp_path / 'run')

    train_tool.main([config, '--work-dir', work_dir, '--cfg-options', *TINY,
                     'train_cfg.max_iters=4', 'train_cfg.val_interval=4'])
    ckpt = osp.join(work_dir, 'iter_4.pth')
    assert osp.isfile(ckpt)
    # the runner's own checkpoints load with the safe loader
    checkpoint = torch.load(ckpt, weights_only=True)
    assert checkpoint['meta']['iter'] == 4
    assert any(k.startswith('backbone.') for k in checkpoint['state_dict'])
    pictures = glob.glob(osp.join(work_dir, '*', 'vis_data', 'vis_image',
                                  '*.png'))
    names = {osp.basename(p) for p in pictures}
    assert {'train_reconstruction_2.png', 'train_reconstruction_4.png',
            'val_keypoints_4.png'} <= names

    # resume (no path: the latest checkpoint) and go on to 6 iterations
    train_tool.main([config, '--work-dir', work_dir, '--resume',
                     '--cfg-options', *TINY, 'train_cfg.max_iters=6',
                     'train_cfg.val_interval=6'])
    text, iters = last_iter_in_log(work_dir)
    assert 'resumed' in text.lower() or 'Load checkpoint' in text
    assert iters == [5, 6]  # continued, not restarted
    resumed = torch.load(osp.join(work_dir, 'iter_6.pth'), weights_only=True)
    assert resumed['meta']['iter'] == 6

    out = str(tmp_path / 'metrics.json')
    metrics = test_tool.main([
        config, osp.join(work_dir, 'iter_6.pth'), '--work-dir', work_dir,
        '--out', out, '--show-dir', 'shown', '--cfg-options', *TINY
    ])
    assert set(metrics) >= {'NME', 'NME_mean_shape', 'NME_fit',
                            'NME_untrained'}
    saved = json.load(open(out))
    assert saved['NME'] == pytest.approx(metrics['NME'])
    assert saved['NME_untrained'] == metrics['NME_untrained']
    # the validations of the training run logged it too
    val = [json.loads(line) for line in open(
        sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                  'scalars.json')))[0])]
    assert [r['step'] for r in val if 'NME_untrained' in r] == [4, 6]
    # the untrained baseline does not depend on the trained weights
    earlier = test_tool.main([
        config, ckpt, '--work-dir', str(tmp_path / 'test4'), '--cfg-options',
        *TINY
    ])
    assert earlier['NME_untrained'] == metrics['NME_untrained']
    assert earlier['NME'] != metrics['NME']
    shown = glob.glob(osp.join(work_dir, '*', 'shown', '*.png'))
    assert len(shown) == 56  # every test image, fit and eval
    assert any(osp.basename(p).startswith('eval_') for p in shown)


def test_amp_maps_to_the_per_tensor_wrapper(tools, repo_root_module,
                                            monkeypatch):
    train_tool, _ = tools
    from mmengine.config import Config
    config = osp.join(repo_root_module, 'configs', 'synthetic_k10.py')
    args = train_tool.parse_args([config, '--amp', '--resume', 'x.pth'])
    # without CUDA: bfloat16 autocast in the plain wrapper
    monkeypatch.setattr(train_tool.torch.cuda, 'is_available', lambda: False)
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.optim_wrapper.type == 'PerTensorClipOptimWrapper'
    assert cfg.optim_wrapper.autocast_dtype == 'bfloat16'
    wrong = Config.fromfile(config)
    wrong.optim_wrapper.type = 'OptimWrapper'
    with pytest.raises(ValueError, match='PerTensorClipOptimWrapper'):
        train_tool.merge_args(wrong, args)
    # with CUDA: float16 autocast and a dynamic loss scale
    monkeypatch.setattr(train_tool.torch.cuda, 'is_available', lambda: True)
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.optim_wrapper.type == 'PerTensorClipAmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.resume is True and cfg.load_from == 'x.pth'
    assert cfg.work_dir == './work_dirs/synthetic_k10'
    args = train_tool.parse_args([config, '--auto-scale-lr'])
    cfg = train_tool.merge_args(Config.fromfile(config), args)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=24)
    cfg.pop('auto_scale_lr')
    with pytest.raises(RuntimeError, match='auto_scale_lr'):
        train_tool.merge_args(cfg, args)


@pytest.mark.timeout(300)
def test_amp_on_cpu_trains_in_bfloat16(tools, repo_root_module, tmp_path):
    """``tools/train.py --amp`` on a machine without CUDA: the runner's
    wrapper autocasts to bfloat16, the steps run (finite loss) and
    the checkpoint keeps float32 weights."""
    if torch.cuda.is_available():
        pytest.skip('--amp means float16 with a loss scale on a GPU')
    train_tool, _ = tools
    config = osp.join(repo_root_module, 'configs', 'synthetic_k10.py')
    work_dir = str(tmp_path / 'amp')
    runner = train_tool.main([
        config, '--work-dir', work_dir, '--amp', '--no-validate',
        '--cfg-options', *TINY_TRAIN, *TINY_HOOKS, 'train_cfg.max_iters=2'
    ])
    assert runner.optim_wrapper.autocast_dtype == 'bfloat16'
    text, iters = last_iter_in_log(work_dir)
    assert iters == [1, 2]
    losses = [float(v) for v in re.findall(r'\bloss: ([-\d.e]+)', text)]
    assert losses and all(torch.isfinite(torch.tensor(losses)))
    checkpoint = torch.load(osp.join(work_dir, 'iter_2.pth'),
                            weights_only=True)
    weights = checkpoint['state_dict']
    assert all(v.dtype == torch.float32 for k, v in weights.items()
               if v.is_floating_point())
