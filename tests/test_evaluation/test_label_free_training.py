"""The label-free metrics tell a trained model from an untrained one, on the
config a user runs (configs/synthetic_k10_label_free.py through
tools/test.py) and a model trained by `make demo` (tests/data/README.md)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from tool_utils import import_tool

from mmpose.registry import MODELS

CONFIG = osp.join('configs', 'synthetic_k10_label_free.py')
CHECKPOINT = osp.join('tests', 'data', 'synthetic_k10_demo.pth')
SMALL_TEST = [
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers='
    'False', 'test_dataloader.dataset.num_clips=40'  # 320 frames
]


def _ratios(metrics: dict) -> tuple:
    """Each metric's error over its baseline: 1 for points that ignore the
    image, 0 for perfect ones."""
    return (metrics['equivariance/error_px'] /
            metrics['equivariance/baseline_px'],
            metrics['temporal/jitter_px'] / metrics['temporal/motion_px'])


def test_shipped_checkpoint_fits_the_demo_model(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    model = MODELS.build(cfg.model)
    ckpt = torch.load(
        osp.join(repo_root, CHECKPOINT), map_location='cpu',
        weights_only=True)
    model.load_state_dict(ckpt['state_dict'], strict=True)
    assert ckpt['meta']['iter'] == 9000


@pytest.mark.timeout(600)
def test_trained_model_scores_better_than_untrained(repo_root, tmp_path,
                                                    monkeypatch):
    monkeypatch.chdir(repo_root)
    trained = _ratios(
        import_tool('tools', 'test.py').main([
            CONFIG, CHECKPOINT, '--work-dir',
            str(tmp_path / 'trained'), '--cfg-options', *SMALL_TEST
        ]))
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path / 'untrained')
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.test_dataloader.dataset.num_clips = 40
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()  # the release's initialisation, untrained
    untrained = _ratios(runner.test())
    # an untrained encoder gives nearly the same points for every image
    assert untrained[0] > 0.9 and untrained[1] > 0.9, untrained
    # the trained points follow the warps and the motion
    assert trained[0] < 0.7 * untrained[0], (trained, untrained)
    assert trained[1] < 0.7 * untrained[1], (trained, untrained)
    print(f'trained {trained}, untrained {untrained}')
