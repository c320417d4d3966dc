"""ContinueTrainingHook's errors: a missing run to continue, or a
checkpoint without the optimiser state, stop training before its first
iteration with the path named. (The chain itself:
tests/test_configs/test_face_configs.py and
tests/test_tools/test_paper_chain.py.)"""
import logging
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config

from mmkp_unsup.engine.hooks import ContinueTrainingHook
from mmkp_unsup.engine.hooks.continue_training_hook import \
    find_checkpoint_to_continue


def runner(**cfg):
    return SimpleNamespace(
        iter=0, cfg=Config(cfg), logger=logging.getLogger('test'))


def test_work_dir_resolves_to_its_last_checkpoint(tmp_path):
    run = tmp_path / 'celeba_k30'
    run.mkdir()
    (run / 'iter_3.pth').write_bytes(b'')
    (run / 'last_checkpoint').write_text(str(run / 'iter_3.pth'))
    assert find_checkpoint_to_continue(str(run)) == str(run / 'iter_3.pth')
    # a file is itself
    assert find_checkpoint_to_continue(str(run / 'iter_3.pth')) == str(
        run / 'iter_3.pth')
    # the work dir moved: the same file name inside it
    moved = tmp_path / 'moved'
    run.rename(moved)
    assert find_checkpoint_to_continue(str(moved)) == str(
        moved / 'iter_3.pth')
    (moved / 'iter_3.pth').unlink()
    with pytest.raises(FileNotFoundError, match='does not exist'):
        find_checkpoint_to_continue(str(moved))


def test_missing_run_is_named(tmp_path):
    hook = ContinueTrainingHook()
    missing = str(tmp_path / 'work_dirs' / 'celeba_k30')
    with pytest.raises(FileNotFoundError,
                       match=f'{missing}: no such work dir'):
        hook.before_train(runner(continue_from=missing))
    (tmp_path / 'work_dirs' / 'celeba_k30').mkdir(parents=True)
    with pytest.raises(FileNotFoundError,
                       match='celeba_k30/last_checkpoint: no such file'):
        hook.before_train(runner(continue_from=missing))
    with pytest.raises(ValueError, match='set `continue_from`'):
        hook.before_train(runner())


def test_weights_only_checkpoint_is_refused(tmp_path):
    """mmengine's best_*.pth: no optimizer or scheduler state."""
    best = tmp_path / 'best_NME_iter_2.pth'
    torch.save(dict(meta=dict(iter=2), state_dict={}), best)
    with pytest.raises(KeyError,
                       match='best_NME_iter_2.pth has no optimizer / '
                       'param_schedulers state'):
        ContinueTrainingHook().before_train(runner(continue_from=str(best)))
    # and the hook's own argument wins over the config's key
    with pytest.raises(KeyError, match='best_NME_iter_2.pth has no'):
        ContinueTrainingHook(checkpoint=str(best)).before_train(
            runner(continue_from='elsewhere'))


def test_load_from_beside_it_is_refused(tmp_path):
    with pytest.raises(ValueError, match='leave load_from None'):
        ContinueTrainingHook().before_train(
            runner(continue_from='work_dirs/celeba_k30',
                   load_from='work_dirs/celeba_k30/iter_3.pth'))


def test_a_resumed_run_keeps_its_own_state():
    resumed = runner()  # nothing to continue from: would raise at iter 0
    resumed.iter = 5
    ContinueTrainingHook().before_train(resumed)
