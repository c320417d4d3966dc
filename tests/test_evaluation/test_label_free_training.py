"""The label-free metrics tell a trained model from an untrained one, through
mmengine's Runner on the configs a user runs (configs/synthetic_k10.py for
training, configs/synthetic_k10_label_free.py for the evaluation)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

ITERS = 1500  # about 90 s on 2 CPU cores


def _config(repo_root: str, work_dir: str) -> Config:
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs', 'synthetic_k10_label_free.py'))
    cfg.work_dir = work_dir
    cfg.train_dataloader.dataset.dataset.num_clips = 500
    cfg.train_cfg.update(max_iters=ITERS, val_interval=ITERS + 1)
    cfg.param_scheduler[0].milestones = [ITERS * 2 // 3, ITERS * 13 // 15]
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.update(interval=ITERS + 1, save_best=None)
    cfg.default_hooks.visualization.enable = False
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.test_dataloader.dataset.num_clips = 40  # 320 frames
    return cfg


def _ratios(metrics: dict) -> tuple:
    """Each metric's error over its baseline: 1 for points that ignore the
    image, 0 for perfect ones."""
    return (metrics['equivariance/error_px'] /
            metrics['equivariance/baseline_px'],
            metrics['temporal/jitter_px'] / metrics['temporal/motion_px'])


@pytest.mark.timeout(900)
def test_trained_model_scores_better_than_untrained(repo_root, tmp_path):
    runner = Runner.from_cfg(_config(repo_root, str(tmp_path)))
    runner.model.init_weights()  # the release's initialisation, untrained
    untrained = _ratios(runner.test())
    runner.train()
    trained = _ratios(runner.test())
    # an untrained encoder gives nearly the same points for every image
    assert untrained[0] > 0.9 and untrained[1] > 0.9, untrained
    # after a short training both scores drop clearly below the baselines
    assert trained[0] < 0.85 * untrained[0], (trained, untrained)
    assert trained[1] < 0.85 * untrained[1], (trained, untrained)
