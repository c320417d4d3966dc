"""The untrained baseline and the collapse warning."""
import logging
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub, MMLogger

from mmkp_unsup.engine.hooks import CollapseWarningHook
from mmkp_unsup.engine.hooks.untrained_baseline_hook import (
    calibrate_batch_norm, untrained_copy)
from mmpose.registry import MODELS


def _encoder():
    return MODELS.build(
        dict(type='KeypointEncoder', num_keypoints=3, n_filters=4,
             num_stages=1))


def test_untrained_copy_is_a_seeded_fresh_draw():
    encoder = _encoder()
    encoder.init_weights()
    with torch.no_grad():  # as if trained
        for p in encoder.parameters():
            p.add_(1.0)
    state = torch.random.get_rng_state()
    a = untrained_copy(encoder, seed=3)
    b = untrained_copy(encoder, seed=3)
    c = untrained_copy(encoder, seed=4)
    # the global random state is left as it was
    assert torch.equal(torch.random.get_rng_state(), state)
    with torch.random.fork_rng():
        torch.manual_seed(3)
        fresh = _encoder()  # built and initialised as the runner does
        fresh.init_weights()
    for (name, pa), pb, pc, pf, pt in zip(
            a.state_dict().items(),
            b.state_dict().values(),
            c.state_dict().values(),
            fresh.state_dict().values(),
            encoder.state_dict().values()):
        assert torch.equal(pa, pb), name
        assert torch.equal(pa, pf), name  # the config's initialisation
        if pa.is_floating_point() and pa.numel() > 1 and 'conv' in name \
                and 'weight' in name:
            assert not torch.equal(pa, pc), name
            assert not torch.equal(pa, pt), name  # not the trained weights


def test_calibrate_batch_norm_averages_the_batches():
    encoder = _encoder()
    encoder.init_weights()
    batches = [torch.randn(4, 3, 8, 8) * 3 + 1 for _ in range(2)]
    calibrate_batch_norm(encoder, batches)
    assert not encoder.training
    first = next(m for m in encoder.modules()
                 if isinstance(m, torch.nn.BatchNorm2d))
    assert first.momentum == 0.01  # restored
    conv = next(m for m in encoder.modules()
                if isinstance(m, torch.nn.Conv2d))
    with torch.no_grad():
        feats = torch.cat([conv(x) for x in batches])
    expected = feats.mean((0, 2, 3))
    assert torch.allclose(first.running_mean, expected, atol=1e-5)


def _hub_runner(spread, dispersion, step):
    hub = MessageHub.get_instance('test_collapse_warning')
    for _ in range(5):
        hub.update_scalar('train/keypoint_spread', spread)
        hub.update_scalar('train/keypoint_dispersion', dispersion)
    return SimpleNamespace(message_hub=hub, iter=step - 1)


@pytest.mark.parametrize('spread,dispersion,collapsed', [
    (0.61, 0.14, True),  # flat heatmaps: every point at the centre
    (0.30, 0.005, True),  # the points on one spot
    (0.30, 0.17, False),  # healthy
])
def test_collapse_warning(spread, dispersion, collapsed):
    hook = CollapseWarningHook(after_iter=10, interval=5, window=5)
    runner = _hub_runner(spread, dispersion, step=15)
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        hook.after_train_iter(runner, 0)
    finally:
        logger.removeHandler(handler)
    assert runner.message_hub.get_info('keypoint_collapse') is collapsed
    text = ' '.join(r.getMessage() for r in records)
    assert ('keypoint collapse at iteration 15' in text) is collapsed
    if collapsed:
        assert 'min_gap' in text  # says what to try
    # not checked between intervals nor before after_iter
    runner = _hub_runner(0.61, 0.001, step=12)
    runner.message_hub.update_info('keypoint_collapse', None)
    hook.after_train_iter(runner, 0)
    assert runner.message_hub.get_info('keypoint_collapse') is None
