"""The held-out families' configs, end to end through mmengine's Runner."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

pytest.importorskip('sklearn', reason='backgrounds come from scikit-learn')

TINY = {
    'train_dataloader.batch_size': 4,
    'train_dataloader.num_workers': 0,
    'train_dataloader.persistent_workers': False,
    'train_dataloader.dataset.dataset.num_clips': 4,
    'train_dataloader.dataset.dataset.cache_images': False,
    'val_dataloader.num_workers': 0,
    'val_dataloader.persistent_workers': False,
    'val_dataloader.dataset.fit_dataset.num_clips': 30,
    'val_dataloader.dataset.eval_dataset.num_clips': 8,
    'test_dataloader.num_workers': 0,
    'test_dataloader.persistent_workers': False,
    'test_dataloader.dataset.fit_dataset.num_clips': 30,
    'test_dataloader.dataset.eval_dataset.num_clips': 8,
    'model.backbone.n_filters': 4,
    'model.appearance_encoder.n_filters': 4,
    'model.generator.n_filters': 2,
    'train_cfg.max_iters': 2,
    'train_cfg.val_interval': 2,
    'default_hooks.logger.interval': 1,
    'default_hooks.visualization.interval': 2,
    'default_hooks.checkpoint.interval': 2,
}


@pytest.mark.parametrize(
    'name', ['synthetic_objects_k10', 'synthetic_quadrupeds_k10'])
def test_objects_config_trains_logs_diagnostics_and_evaluates(
        repo_root, tmp_path, name):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', f'{name}.py'))
    cfg.merge_from_dict(TINY)
    cfg.work_dir = str(tmp_path)
    assert cfg.train_dataloader.dataset.pair_sampler.min_gap == 3
    runner = Runner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    for key in ('keypoint_spread', 'keypoint_dispersion', 'keypoint_in_box'):
        value = hub.get_scalar(f'train/{key}').current()
        assert 0.0 <= value <= 2.0, (key, value)
    metrics = runner.test()
    assert metrics['NME'] > 0 and metrics['NME_mean_shape'] > 0
    pictures = glob.glob(
        osp.join(tmp_path, '*', 'vis_data', 'vis_image', '*.png'))
    names = {osp.basename(p).rsplit('_', 1)[0] for p in pictures}
    assert {'train_reconstruction', 'val_keypoints',
            'test_keypoints'} <= names
