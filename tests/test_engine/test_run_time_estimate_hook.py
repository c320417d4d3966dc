"""RunTimeEstimateHook: the time per iteration and the run's length, from
the run's own first iterations."""
import time
from types import SimpleNamespace

import pytest

import mmkp_unsup  # noqa: F401
from mmpose.registry import HOOKS


class _Logger:

    def __init__(self):
        self.lines = []

    def info(self, message):
        self.lines.append(message)


def _runner(max_iters=1000, val_interval=100):
    return SimpleNamespace(
        iter=0,
        max_iters=max_iters,
        logger=_Logger(),
        val_loop=object(),
        train_loop=SimpleNamespace(val_interval=val_interval))


def _train(hook, runner, iters, seconds):
    for _ in range(iters):
        hook.before_train_iter(runner, runner.iter)
        time.sleep(seconds)
        hook.after_train_iter(runner, runner.iter)
        runner.iter += 1


def test_estimate_after_the_timed_iterations():
    hook = HOOKS.build(dict(type='RunTimeEstimateHook', warmup=2, timed=4))
    runner = _runner()
    hook.before_train(runner)
    _train(hook, runner, 5, 0.02)
    assert runner.logger.lines == []  # 3 of 4 timed iterations so far
    _train(hook, runner, 1, 0.02)
    (line, ) = runner.logger.lines
    assert 'per iteration (iterations 3-6)' in line
    assert 'the 994 iterations left take about' in line
    assert 'a validation every 100 iterations' in line
    per_iter = float(line.split(' s per iteration')[0])
    assert 0.015 < per_iter < 0.2
    hook.before_val(runner)
    time.sleep(0.05)
    hook.after_val(runner)
    assert 'validation took' in runner.logger.lines[1]
    assert '(994 iterations, 9 validations)' in runner.logger.lines[1]
    hook.before_val(runner)
    hook.after_val(runner)
    assert len(runner.logger.lines) == 2  # once


def test_resumed_run_counts_from_where_it_starts():
    hook = HOOKS.build(dict(type='RunTimeEstimateHook', warmup=1, timed=2))
    runner = _runner(max_iters=600)
    runner.iter = 500
    hook.before_train(runner)
    _train(hook, runner, 3, 0.0)
    assert 'iterations 502-503' in runner.logger.lines[0]
    assert 'the 97 iterations left' in runner.logger.lines[0]


def test_bad_arguments():
    with pytest.raises(ValueError, match='timed'):
        HOOKS.build(dict(type='RunTimeEstimateHook', timed=0))


def test_estimate_again_after_recheck_iterations():
    hook = HOOKS.build(
        dict(type='RunTimeEstimateHook', warmup=1, timed=2, recheck=5))
    runner = _runner(max_iters=100)
    hook.before_train(runner)
    _train(hook, runner, 6, 0.0)
    assert len(runner.logger.lines) == 2
    assert 'iterations 2-3' in runner.logger.lines[0]
    assert 'iterations 2-6' in runner.logger.lines[1]
    assert 'the 94 iterations left' in runner.logger.lines[1]
