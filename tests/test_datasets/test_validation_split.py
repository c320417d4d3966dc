"""Checkpoints are selected on a validation split, never on the test
split (docs/method.md, "Checkpoint selection")."""
import numpy as np
from mmengine.config import Config

from mmpose.registry import DATASETS

# the test split the demo's published numbers come from
TEST_SPLIT = dict(
    fit=dict(num_clips=2000, seed=1, image_size=32),
    eval=dict(num_clips=1000, seed=2, image_size=32))


def load(repo_root):
    return Config.fromfile(f'{repo_root}/configs/synthetic_k10.py')


def test_test_split_is_unchanged(repo_root):
    cfg = load(repo_root)
    test = cfg.test_dataloader.dataset
    for part, expected in (('fit', TEST_SPLIT['fit']),
                           ('eval', TEST_SPLIT['eval'])):
        got = test[f'{part}_dataset']
        assert {k: got[k] for k in expected} == expected, part
    assert cfg.test_evaluator == cfg.val_evaluator


def test_validation_faces_are_not_the_test_faces(repo_root):
    cfg = load(repo_root)
    val, test = cfg.val_dataloader.dataset, cfg.test_dataloader.dataset
    assert cfg.default_hooks.checkpoint.save_best == 'NME'
    # the regressor is fitted on the same faces; it is measured elsewhere
    assert val.fit_dataset == test.fit_dataset
    seeds = {cfg.train_dataloader.dataset.dataset.seed,
             val.fit_dataset.seed, test.eval_dataset.seed}
    assert val.eval_dataset.seed not in seeds
    # and the faces really differ (first images and landmarks)
    small = dict(num_clips=3, pipeline=[])
    val_faces = DATASETS.build(dict(val.eval_dataset, **small))
    test_faces = DATASETS.build(dict(test.eval_dataset, **small))
    for i in range(3):
        a, b = val_faces.get_data_info(i), test_faces.get_data_info(i)
        assert not np.allclose(a['keypoints'], b['keypoints'])


def test_val_and_test_loaders_are_independent(repo_root):
    cfg = load(repo_root)
    cfg.merge_from_dict({'val_dataloader.dataset.eval_dataset.num_clips': 7})
    assert cfg.test_dataloader.dataset.eval_dataset.num_clips == 1000
