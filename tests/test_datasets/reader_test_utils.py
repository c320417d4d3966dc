"""Helpers of the reader tests: tiny copies of the experiment configs."""
import glob
import os.path as osp
from typing import Any

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
H36M_FIXTURES = osp.join(REPO_ROOT, '..', 'shared', 'fixtures',
                         'mmpose_testdata', 'h36m')


def real_frames(size: int, count: int = 4) -> list:
    """``count`` real Human3.6M photographs (BGR uint8 ``[size, size,
    3]``), or plain noise images if the shared fixtures are absent."""
    paths = sorted(glob.glob(osp.join(H36M_FIXTURES, 'S*', '*', '*.jpg')))
    frames = []
    for i in range(count):
        if paths:
            img = cv2.imread(paths[i % len(paths)])
            h, w = img.shape[:2]
            side = min(h, w) // 2  # the centre, where the person is
            img = img[h // 2 - side:h // 2 + side, w // 2 - side:w // 2 +
                      side]
            frames.append(
                cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA))
        else:
            rng = np.random.default_rng(i)
            frames.append(
                rng.integers(0, 255, (size, size, 3), dtype=np.uint8))
    return frames


def _walk(node: Any, fn) -> None:
    if isinstance(node, dict):
        fn(node)
        for value in node.values():
            _walk(value, fn)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, fn)


def tiny_config(config: str, work_dir: str, data_root: str,
                max_iters: int = 2, size: int = 32) -> Config:
    """An experiment config, shrunk: 32x32 inputs, 4 filters, a pixel
    loss, batch 2, no worker processes, ``max_iters`` iterations."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', config))
    cfg.work_dir = work_dir
    # visualizers are named singletons: one per run, writing in its work dir
    cfg.visualizer.name = f'visualizer_{work_dir}'
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    cfg.model.reconstruction_loss = dict(
        type='PixelReconstructionLoss', criterion='l1')
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = max_iters
    cfg.default_hooks.visualization.interval = 1
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h.type != 'SyncBuffersHook']

    def shrink(node: dict) -> None:
        if node.get('type') == 'TopdownAffine':
            node['input_size'] = (size, size)
        if node.get('type') == 'TPSPairWarp':
            node.update(mask_margin=2, mask_ramp=4)
        if 'data_root' in node:
            node['data_root'] = data_root
        if 'num_workers' in node:
            node.update(num_workers=0, persistent_workers=False)
            node['batch_size'] = 2 if 'InfiniteSampler' in str(
                node.get('sampler')) else 64

    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key) is not None:
            _walk(cfg[key], shrink)
    return cfg


def train_two_iterations(cfg: Config) -> Runner:
    """Train through mmengine's Runner and check the checkpoint."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    assert osp.isfile(ckpt), ckpt
    state = torch.load(ckpt, weights_only=True)
    assert state['meta']['iter'] == cfg.train_cfg.max_iters
    pictures = glob.glob(
        osp.join(cfg.work_dir, '*', 'vis_data', 'vis_image', '*.png'))
    assert any('train_reconstruction' in p for p in pictures), (
        cfg.work_dir, glob.glob(osp.join(cfg.work_dir, '**'), recursive=True))
    return runner
