"""Pair augmentations: flip, swap, TPS on frame pairs; mixtures."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import ConcatDataset, default_collate

from mmkp_unsup.datasets import FramePairDataset
from mmkp_unsup.datasets.transforms import (PairRandomFlip, PairRandomSwap,
                                            TPSFramePairWarp, TPSPairWarp)

FRAMES = dict(type='SyntheticFaceDataset', num_clips=3, frames_per_clip=4,
              pipeline=[dict(type='LoadImage')])


def _pair(h=8, w=10, flip_indices=(1, 0, 2)):
    rng = np.random.RandomState(0)
    return dict(
        img=rng.randint(0, 255, (h, w, 3), np.uint8),
        source_img=rng.randint(0, 255, (h, w, 3), np.uint8),
        keypoints=np.array([[[1.0, 2.0], [7.0, 3.0], [4.0, 5.0]]]),
        keypoints_visible=np.array([[1.0, 1.0, 0.0]]),
        source_keypoints=np.array([[[2.0, 2.0], [6.0, 3.0], [5.0, 5.0]]]),
        source_keypoints_visible=np.ones((1, 3)),
        loss_mask=np.arange(h * w, dtype=np.float32).reshape(h, w),
        bbox=np.array([[1.0, 1.0, 4.0, 6.0]]),
        source_bbox=np.array([[2.0, 1.0, 5.0, 6.0]]),
        flip_indices=list(flip_indices),
        id=3, source_id=5, img_path='t.png', source_img_path='s.png')


def test_flip_mirrors_both_images_and_exchanges_left_right():
    results = _pair()
    before = {k: np.copy(v) for k, v in results.items()
              if isinstance(v, np.ndarray)}
    out = PairRandomFlip(prob=1.0)(results)
    assert out['flip'] and out['flip_direction'] == 'horizontal'
    np.testing.assert_array_equal(out['img'], before['img'][:, ::-1])
    np.testing.assert_array_equal(out['source_img'],
                                  before['source_img'][:, ::-1])
    np.testing.assert_array_equal(out['loss_mask'],
                                  before['loss_mask'][:, ::-1])
    # landmark 0 <-> 1 (left/right), x -> W - 1 - x, y kept
    np.testing.assert_allclose(out['keypoints'][0],
                               [[9 - 7, 3], [9 - 1, 2], [9 - 4, 5]])
    np.testing.assert_allclose(out['keypoints_visible'], [[1, 1, 0]])
    np.testing.assert_allclose(out['source_keypoints'][0],
                               [[9 - 6, 3], [9 - 2, 2], [9 - 5, 5]])
    # mmpose's convention for boxes too: x -> W - 1 - x
    np.testing.assert_allclose(out['bbox'], [[9 - 4, 1, 9 - 1, 6]])
    np.testing.assert_allclose(out['source_bbox'], [[9 - 5, 1, 9 - 2, 6]])
    # the release's flip: coordinates only
    out = PairRandomFlip(prob=1.0, use_flip_indices=False)(_pair())
    np.testing.assert_allclose(out['keypoints'][0, 0], [9 - 1, 2])
    out = PairRandomFlip(prob=0.0)(_pair())
    assert not out['flip']
    np.testing.assert_array_equal(out['img'], before['img'])


def test_flip_after_a_crop_keeps_both_frames_of_landmarks():
    """After mmpose's TopdownAffine: the crop's landmarks
    (transformed_keypoints) mirror in the crop, the original image's
    (keypoints, bbox) in the original image, one permutation for both."""
    results = _pair()
    results.update(
        input_size=(10, 8), ori_shape=(100, 50),
        transformed_keypoints=results['keypoints'] + 0.5,
        source_transformed_keypoints=results['source_keypoints'] + 0.5,
        source_ori_shape=(100, 60))
    out = PairRandomFlip(prob=1.0)(results)
    np.testing.assert_allclose(out['transformed_keypoints'][0],
                               [[9 - 7.5, 3.5], [9 - 1.5, 2.5],
                                [9 - 4.5, 5.5]])
    np.testing.assert_allclose(out['keypoints'][0],
                               [[49 - 7, 3], [49 - 1, 2], [49 - 4, 5]])
    np.testing.assert_allclose(out['source_keypoints'][0, 0], [59 - 6, 3])
    np.testing.assert_allclose(out['bbox'], [[49 - 4, 1, 49 - 1, 6]])
    np.testing.assert_allclose(out['keypoints_visible'], [[1, 1, 0]])


def test_swap_exchanges_source_and_target():
    out = PairRandomSwap(prob=1.0)(_pair_without_mask())
    ref = _pair()
    assert out['pair_swapped']
    np.testing.assert_array_equal(out['img'], ref['source_img'])
    np.testing.assert_array_equal(out['source_img'], ref['img'])
    np.testing.assert_array_equal(out['keypoints'], ref['source_keypoints'])
    assert (out['id'], out['source_id']) == (5, 3)
    assert out['img_path'] == 's.png'
    out = PairRandomSwap(prob=0.0)(_pair_without_mask())
    assert not out['pair_swapped'] and out['id'] == 3


def _pair_without_mask():
    results = _pair()
    results.pop('loss_mask')
    return results


def test_swap_refuses_target_only_keys_and_half_pairs():
    with pytest.raises(ValueError, match='before TPSFramePairWarp'):
        PairRandomSwap(prob=1.0)(_pair())
    results = _pair_without_mask()
    results.pop('source_keypoints')
    with pytest.raises(KeyError, match='source_keypoints'):
        PairRandomSwap(prob=1.0)(results)
    results = _pair_without_mask()
    results.pop('source_img')
    with pytest.raises(KeyError, match='source_img'):
        PairRandomSwap()(results)


def test_flip_and_swap_draw_about_half():
    np.random.seed(1)
    flips = [PairRandomFlip()(_pair())['flip'] for _ in range(400)]
    swaps = [
        PairRandomSwap()(_pair_without_mask())['pair_swapped']
        for _ in range(400)
    ]
    assert 0.4 < np.mean(flips) < 0.6 and 0.4 < np.mean(swaps) < 0.6


def test_tps_frame_pair_warp_reduces_to_tps_pair_warp():
    rng = np.random.RandomState(0)
    img = rng.randint(0, 255, (32, 32, 3), np.uint8)
    kpts = np.array([[[10.0, 12.0], [20.0, 15.0]]])
    common = dict(mask_margin=2, mask_ramp=4)
    np.random.seed(3)
    ref = TPSPairWarp(**common)(
        dict(img=img, keypoints=kpts, keypoints_visible=np.ones((1, 2))))
    np.random.seed(3)
    out = TPSFramePairWarp(**common)(
        dict(img=img, source_img=img.copy(), keypoints=kpts,
             keypoints_visible=np.ones((1, 2)),
             source_keypoints=kpts, source_keypoints_visible=np.ones((1, 2))))
    for key in ('img', 'source_img', 'loss_mask', 'keypoints'):
        np.testing.assert_array_equal(out[key], ref[key])
    assert 'source_keypoints' not in out
    assert not np.array_equal(out['img'], img)


def test_tps_frame_pair_warp_warps_each_frame():
    rng = np.random.RandomState(0)
    target = rng.randint(0, 255, (32, 32, 3), np.uint8)
    source = rng.randint(0, 255, (32, 32, 3), np.uint8)
    np.random.seed(4)
    out = TPSFramePairWarp(mask_margin=2, mask_ramp=4)(
        dict(img=target, source_img=source))
    np.random.seed(4)
    # the source is the source frame under the same composed warp as the
    # source TPSPairWarp makes from the target frame
    ref = TPSPairWarp(mask_margin=2, mask_ramp=4)(dict(img=source))
    np.testing.assert_array_equal(out['source_img'], ref['source_img'])
    assert out['loss_mask'].shape == (32, 32)
    with pytest.raises(ValueError, match='one shape'):
        TPSFramePairWarp()(dict(img=target, source_img=source[:16]))
    assert 'TPSFramePairWarp(control_points' in repr(TPSFramePairWarp())


def test_frame_pairs_with_flip_swap_and_tps():
    ds = FramePairDataset(
        dataset=FRAMES,
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=1, max_gap=2),
        pipeline=[
            dict(type='PairRandomFlip'),
            dict(type='PairRandomSwap'),
            dict(type='TPSFramePairWarp', mask_margin=2, mask_ramp=4),
            dict(type='PackPairInputs'),
        ])
    seen_swap = set()
    for idx in range(len(ds)):
        sample = ds[idx]
        meta = sample['data_samples'].metainfo
        assert sample['inputs']['source'].shape == (3, 32, 32)
        assert sample['data_samples'].gt_fields.loss_mask.shape == (1, 32, 32)
        # both frames from one clip, 1 or 2 frames apart, whichever order
        assert meta['id'] // 4 == meta['source_id'] // 4
        assert 1 <= abs(meta['id'] - meta['source_id']) <= 2
        seen_swap.add(meta['id'] != idx)
    assert seen_swap == {True, False}


def test_a_mixture_of_tps_pairs_and_frame_pairs(tmp_path, repo_root):
    """CelebA-like static images with TPS pairs + video-like frame pairs,
    through mmengine's ConcatDataset, trained one step on by the Runner."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    mask = dict(mask_margin=2, mask_ramp=4)
    static = dict(
        type='SyntheticFaceDataset', num_clips=6, seed=5,
        pipeline=[dict(type='LoadImage'),
                  dict(type='TPSPairWarp', **mask),
                  dict(type='PackPairInputs')])
    frames = dict(
        type='FramePairDataset', dataset=FRAMES,
        pipeline=[dict(type='PairRandomFlip'), dict(type='PairRandomSwap'),
                  dict(type='TPSFramePairWarp', **mask),
                  dict(type='PackPairInputs')])
    mixture = ConcatDataset(datasets=[static, frames])
    assert len(mixture) == 6 + 12
    batch = default_collate([mixture[i] for i in (0, 5, 6, 17)])
    assert batch['inputs']['target'].shape == (4, 3, 32, 32)
    assert [s.gt_fields.loss_mask.shape[0] for s in batch['data_samples']
            ] == [1] * 4
    # the static pairs are two warps of one face, the frame pairs two poses
    assert 'source_id' not in batch['data_samples'][0]
    assert 'source_id' in batch['data_samples'][2]

    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'synthetic_k10.py'))
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader = dict(
        batch_size=6, num_workers=0,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='ConcatDataset', datasets=[static, frames]))
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=100)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint.save_best = None
    cfg.default_hooks.visualization.enable = False
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    assert runner.iter == 2
    after = runner.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
