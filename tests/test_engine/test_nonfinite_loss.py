"""A non-finite loss through the Runner: stop with a message naming the
iteration and the term (default), or skip the step (skip_nonfinite)."""
import glob

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmkp_unsup.models import VGG16Features
from mmpose.registry import HOOKS, MODELS


@MODELS.register_module(force=True)
class _NaNAtSecondIterVGG(VGG16Features):
    """Test-only loss network whose conv2_2 output is NaN for the generated
    image of the second training iteration (its third call)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.calls = 0

    def forward(self, images):
        self.calls += 1
        outs = super().forward(images)
        if self.calls == 3:
            outs[self.layers.index('conv2_2')] = outs[-1] * float('nan')
        return outs


@HOOKS.register_module(force=True)
class _RecordParamsAroundIters(Hook):
    """Test-only: parameters before and after each training iteration."""
    before, after = {}, {}

    def before_train(self, runner):
        type(self).before, type(self).after = {}, {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        type(self).before[runner.iter] = {
            n: p.detach().clone() for n, p in runner.model.named_parameters()}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        type(self).after[runner.iter] = {
            n: p.detach().clone() for n, p in runner.model.named_parameters()}


def runner_cfg(repo_root, tmp_path, max_iters, **optim_kwargs):
    cfg = Config.fromfile(f'{repo_root}/configs/synthetic_k10.py')
    cfg.work_dir = str(tmp_path / 'work')
    # runners built within one second would share a logger (named after
    # the config and the time) and write to the first one's log file
    cfg.experiment_name = f'nonfinite_{tmp_path.name}'
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_dataloader.dataset.dataset.num_clips = 4
    cfg.train_dataloader.dataset.dataset.frames_per_clip = 2
    cfg.train_dataloader.dataset.pair_sampler.min_gap = 1
    cfg.train_dataloader.dataset.dataset.cache_images = False
    cfg.train_cfg = dict(by_epoch=False, max_iters=max_iters,
                         val_interval=1000)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.visualization.enable = False
    cfg.default_hooks.logger.interval = 1
    cfg.custom_hooks = [dict(type='_RecordParamsAroundIters')]
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 4
    cfg.model.channels_last = False
    cfg.model.reconstruction_loss = dict(
        type='PerceptualLoss',
        loss_network=dict(type='_NaNAtSecondIterVGG',
                          layers=('conv1_2', 'conv2_2'), weights=None),
        init_values=(100.0, 1.6, 2.3))
    cfg.optim_wrapper.update(optim_kwargs)
    return cfg


def test_default_stops_naming_the_iteration_and_the_term(repo_root,
                                                         tmp_path):
    runner = Runner.from_cfg(runner_cfg(repo_root, tmp_path, max_iters=3))
    with pytest.raises(FloatingPointError) as info:
        runner.train()
    message = str(info.value)
    assert 'iteration 2' in message
    assert 'loss_reconstruction=nan' in message
    assert 'loss_reconstruction[conv2_2]=nan' in message
    assert 'conv1_2' not in message  # finite terms are not named
    assert 'skip_nonfinite' in message  # says how to skip instead
    # the bad step was not applied
    before = _RecordParamsAroundIters.before[1]
    for name, p in runner.model.named_parameters():
        torch.testing.assert_close(p.detach(), before[name])


def test_skip_mode_leaves_the_parameters_and_counts(repo_root, tmp_path):
    cfg = runner_cfg(repo_root, tmp_path, max_iters=3, skip_nonfinite=True)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 3
    before, after = (_RecordParamsAroundIters.before,
                     _RecordParamsAroundIters.after)
    # iteration 2 (runner.iter 1 during it) changed nothing...
    for name in before[1]:
        torch.testing.assert_close(after[1][name], before[1][name])
    # ...while iterations 1 and 3 trained
    changed = [name for name in before[2]
               if not torch.equal(after[2][name], before[2][name])]
    assert changed
    assert not torch.equal(after[0]['backbone.keypoint_logits.weight'],
                           before[0]['backbone.keypoint_logits.weight'])
    # Adam took two steps, not three
    state = runner.optim_wrapper.optimizer.state
    assert {int(s['step']) for s in state.values()} == {2}
    # the running averages stayed finite
    assert torch.isfinite(runner.model.reconstruction_loss.running_avg).all()
    # counted and logged
    hub = runner.message_hub
    assert hub.get_scalar('train/skipped_steps').current() == 1
    log = open(glob.glob(f'{cfg.work_dir}/*/*.log')[0]).read()
    assert 'non-finite loss at iteration 2' in log
    assert 'loss_reconstruction[conv2_2]=nan' in log
    assert 'step skipped (1 so far)' in log
    assert 'skipped_steps: 1' in log
