"""SyncBN as a config option: it builds, and CPU runs fall back to BN."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from torch.nn.modules.batchnorm import _BatchNorm

from mmkp_unsup.engine.runner_setup import sync_bn_to_bn_on_cpu
from mmpose.registry import MODELS

# the release's batch-norm settings (TF: momentum 0.99, eps 1e-3), synced
PLAIN_BN = 'batch norm, not synced'
SYNC_BN = dict(type='SyncBN', momentum=0.01, eps=1e-3)


def tiny_model_cfg(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'synthetic_k10.py'))
    cfg.model.backbone.update(n_filters=4, norm_cfg=SYNC_BN)
    cfg.model.appearance_encoder.update(n_filters=4, norm_cfg=SYNC_BN)
    cfg.model.generator.n_filters = 2
    return cfg


def norm_layers(model, kind):
    """Layers of ``kind``; ``PLAIN_BN`` counts batch norms not synced
    (mmengine reverts SyncBN to its ``_BatchNormXd``)."""
    if kind is PLAIN_BN:
        return [
            m for m in model.modules() if isinstance(m, _BatchNorm)
            and not isinstance(m, torch.nn.SyncBatchNorm)
        ]
    return [m for m in model.modules() if isinstance(m, kind)]


def test_sync_bn_encoders_build_and_revert(repo_root):
    cfg = tiny_model_cfg(repo_root)
    model = MODELS.build(cfg.model)
    synced = norm_layers(model.backbone, torch.nn.SyncBatchNorm)
    synced += norm_layers(model.appearance_encoder, torch.nn.SyncBatchNorm)
    assert synced and all(m.momentum == 0.01 and m.eps == 1e-3
                          for m in synced)
    assert norm_layers(model.generator, PLAIN_BN)
    # what mmengine's runner does without a process group
    model = revert_sync_batchnorm(model)
    assert not norm_layers(model, torch.nn.SyncBatchNorm)
    model.train()
    inputs = torch.rand(2, 3, 32, 32)
    assert model.backbone(inputs)[-1].shape[:2] == (2, 10)


def test_cpu_runs_replace_sync_bn(repo_root):
    cfg = tiny_model_cfg(repo_root)
    cfg.sync_bn = 'torch'
    if torch.cuda.is_available():
        assert sync_bn_to_bn_on_cpu(cfg) == 0
        return
    with pytest.warns(UserWarning, match='GPU-only'):
        assert sync_bn_to_bn_on_cpu(cfg) == 3  # two norm_cfgs + sync_bn
    assert cfg.model.backbone.norm_cfg == dict(
        type='BN', momentum=0.01, eps=1e-3)
    assert cfg.sync_bn is None


def test_single_process_runner_trains_a_sync_bn_config(repo_root, tmp_path):
    from mmengine.runner import Runner
    cfg = tiny_model_cfg(repo_root)
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.update(batch_size=4, num_workers=0,
                                persistent_workers=False)
    cfg.train_dataloader.dataset.dataset.update(num_clips=4,
                                                frames_per_clip=2)
    cfg.train_dataloader.dataset.pair_sampler.min_gap = 1
    cfg.train_cfg = dict(by_epoch=False, max_iters=1, val_interval=100)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint.save_best = None
    cfg.default_hooks.visualization.enable = False
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    assert not norm_layers(runner.model, torch.nn.SyncBatchNorm)
    assert norm_layers(runner.model.backbone, PLAIN_BN)
