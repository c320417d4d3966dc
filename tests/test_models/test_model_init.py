"""Initialisation as the runner does it: the loss network is loaded, frozen
and left out of the optimizer; every other conv follows the release."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from torchvision.models.vgg import cfgs, make_layers

from mmpose.registry import HOOKS, MODELS

LAYERS = ('conv1_2', 'conv2_2')  # torchvision features[0:9]


@HOOKS.register_module(force=True)
class _RecordParamsBeforeTrain(Hook):
    """Test-only: copies the parameters once the runner has initialised
    the model, before the first step."""
    recorded = {}

    def before_train(self, runner) -> None:
        type(self).recorded = {
            name: p.detach().clone()
            for name, p in runner.model.named_parameters()
        }


def write_vgg_checkpoint(path):
    """A torchvision-layout VGG-16 checkpoint, random weights, truncated to
    the layers used (features.0 ... features.7)."""
    features = make_layers(cfgs['D'])[:9]
    for m in features:
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.normal_(m.weight, std=0.05)
            torch.nn.init.uniform_(m.bias, -0.5, 0.5)
    state = {f'features.{k}': v for k, v in features.state_dict().items()}
    torch.save(state, path)
    return state


def tiny_runner_cfg(repo_root, tmp_path, reconstruction_loss):
    cfg = Config.fromfile(f'{repo_root}/configs/synthetic_k10.py')
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_dataloader.dataset.dataset.num_clips = 4
    cfg.train_dataloader.dataset.dataset.frames_per_clip = 2
    cfg.train_dataloader.dataset.pair_sampler.min_gap = 1
    cfg.train_dataloader.dataset.dataset.cache_images = False
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=1000)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.visualization.enable = False
    cfg.default_hooks.logger.interval = 1
    cfg.custom_hooks = [dict(type='_RecordParamsBeforeTrain')]
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 4
    cfg.model.channels_last = False
    cfg.model.reconstruction_loss = reconstruction_loss
    return cfg


def release_convs(model):
    """Every conv of the model except the loss network's: (name, conv)."""
    return [(name, m) for name, m in model.named_modules()
            if isinstance(m, torch.nn.Conv2d)
            and not name.startswith('reconstruction_loss.')]


def assert_release_init(named_weights, what):
    """Truncated normal std 0.01 cut at 2 std (std 0.0088), zero biases."""
    for name, (weight, bias) in named_weights.items():
        assert weight.abs().max() <= 0.02 + 1e-6, (what, name)
        assert 0.006 < weight.std() < 0.0115, (what, name, weight.std())
        if bias is not None:
            assert bias.abs().max() == 0, (what, name)


def test_runner_loads_the_loss_network_and_inits_every_conv(
        repo_root, tmp_path):
    state = write_vgg_checkpoint(tmp_path / 'vgg16_tiny.pth')
    loss = dict(
        type='PerceptualLoss',
        loss_network=dict(
            type='VGG16Features',
            layers=LAYERS,
            input_mode='imagenet',
            weights=str(tmp_path / 'vgg16_tiny.pth')),
        init_values=(100.0, 1.6, 2.3))
    runner = Runner.from_cfg(tiny_runner_cfg(repo_root, tmp_path, loss))
    runner.train()
    model = runner.model
    assert runner.iter == 2
    vgg = model.reconstruction_loss.loss_network

    # the loss network equals the checkpoint after two training steps
    for key, value in vgg.features.state_dict().items():
        torch.testing.assert_close(value, state[f'features.{key}'])
    assert not any(p.requires_grad for p in vgg.parameters())
    assert not vgg.training and model.training
    optimised = {id(p) for group in runner.optim_wrapper.optimizer.param_groups
                 for p in group['params']}
    assert not optimised & {id(p) for p in vgg.parameters()}
    # ...while everything else is optimised
    others = [p for n, p in model.named_parameters()
              if not n.startswith('reconstruction_loss.')]
    assert {id(p) for p in others} <= optimised

    # every other conv was initialised as in the release by the runner
    recorded = _RecordParamsBeforeTrain.recorded
    convs = release_convs(model)
    names = [n for n, _ in convs]
    assert 'generator.final_block.conv' in names
    assert 'generator.to_image' in names
    assert 'backbone.keypoint_logits' in names
    assert_release_init(
        {n: (recorded[f'{n}.weight'], recorded.get(f'{n}.bias'))
         for n in names}, 'runner')


def test_init_weights_gives_every_conv_the_release_init(repo_root):
    cfg = Config.fromfile(
        f'{repo_root}/configs/_base_/models/conditional_generation.py')
    cfg.model.reconstruction_loss.loss_network.weights = None
    cfg.model.reconstruction_loss.loss_network.layers = ('conv1_2', )
    cfg.model.reconstruction_loss.init_values = (100.0, 1.6)
    model = MODELS.build(cfg.model)
    vgg_before = copy.deepcopy(
        model.reconstruction_loss.loss_network.state_dict())
    model.init_weights()
    convs = release_convs(model)
    # 8 + 8 encoder convs, the 1x1 head, 3 x 2 + 1 + 1 generator convs
    assert len(convs) == 25
    assert_release_init({n: (m.weight, m.bias) for n, m in convs},
                        'init_weights')
    # BatchNorm at its identity initialisation
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all((bn.weight == 1).all() and (bn.bias == 0).all() for bn in bns)
    # the loss network (no weights given) is left alone
    for key, value in model.reconstruction_loss.loss_network.state_dict(
    ).items():
        torch.testing.assert_close(value, vgg_before[key])


def test_kaiming_would_fail_the_statistics_check():
    """The check above can fail: mmcv's ConvModule init is far from it."""
    from mmcv.cnn import ConvModule
    conv = ConvModule(8, 8, 3, norm_cfg=dict(type='BN'))
    conv.init_weights()
    with pytest.raises(AssertionError):
        assert_release_init({'conv': (conv.conv.weight, None)}, 'kaiming')
