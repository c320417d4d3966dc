"""Unreadable images and malformed annotations: named, or skipped and
counted; and TPSPairWarp after mmpose's crops on a real COCO-style set."""
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset

from mmpose.registry import DATASETS
from mmkp_unsup.datasets import (BadSampleError, CheckedDataset,
                                 FramePairDataset)
from mmkp_unsup.datasets.dataset_wrappers import SKIPPED_KEY

AFLW = osp.join('..', 'shared', 'fixtures', 'mmpose_testdata', 'aflw')
CROP_PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=(32, 32)),
    dict(type='TPSPairWarp', mask_margin=2, mask_ramp=4),
    # the crop's landmarks are `transformed_keypoints`
    dict(type='PackPairInputs', pack_transformed=True),
]


@pytest.fixture
def aflw_dir(repo_root):
    path = osp.join(repo_root, AFLW)
    if not osp.isfile(osp.join(path, 'test_aflw.json')):
        pytest.skip(f'mmpose test data not found at {path}')
    return path


@DATASETS.register_module(force=True)
class _FrameFolder(BaseDataset):
    """Frames ``clip<c>_<f>.png`` of a folder, for these tests."""

    def __init__(self, clips=2, frames=3, bad_box=None, **kwargs):
        self.clips, self.frames, self.bad_box = clips, frames, bad_box
        super().__init__(**kwargs)

    def load_data_list(self):
        infos = [
            dict(img_path=osp.join(self.data_root, f'clip{c}_{f}.png'),
                 clip_id=c, frame_id=f, id=c * self.frames + f,
                 bbox=np.array([[2.0, 2.0, 30.0, 30.0]], np.float32))
            for c in range(self.clips) for f in range(self.frames)
        ]
        if self.bad_box is not None:  # two numbers instead of four
            infos[self.bad_box]['bbox'] = np.array([[2.0, 2.0]], np.float32)
        return infos


def _write_frames(folder, clips=2, frames=3, bad=('clip0_1.png', )):
    rng = np.random.RandomState(0)
    for c in range(clips):
        for f in range(frames):
            name = f'clip{c}_{f}.png'
            path = osp.join(folder, name)
            if name in bad:
                with open(path, 'wb') as file:
                    file.write(b'\x89PNG this is not an image')
            else:
                cv2.imwrite(path, rng.randint(0, 255, (32, 32, 3), np.uint8))


def _frames(folder, on_error):
    return FramePairDataset(
        dataset=dict(type='_FrameFolder', data_root=str(folder),
                     pipeline=[dict(type='LoadImage')]),
        pipeline=[dict(type='PairRandomFlip'),
                  dict(type='PackPairInputs')],
        on_error=on_error)


def test_frame_pairs_name_an_unreadable_frame(tmp_path):
    _write_frames(str(tmp_path))
    ds = _frames(tmp_path, 'raise')
    ds[3]  # clip 1 is fine
    with pytest.raises(BadSampleError, match=r'clip0_1\.png') as info:
        ds[1]
    assert info.value.img_path.endswith('clip0_1.png')
    assert 'failed to load image' in str(info.value)


def test_frame_pairs_skip_and_count(tmp_path):
    _write_frames(str(tmp_path))
    ds = _frames(tmp_path, 'skip')
    np.random.seed(0)
    counts = []
    for _ in range(5):
        sample = ds[1]  # the bad frame itself: always replaced
        counts.append(sample['data_samples'].metainfo[SKIPPED_KEY])
        assert not sample['data_samples'].img_path.endswith('clip0_1.png')
    assert min(counts) >= 1
    # a good pair records zero
    clean = [ds[4]['data_samples'].metainfo[SKIPPED_KEY] for _ in range(3)]
    assert clean == [0, 0, 0]


def test_skip_gives_up_when_everything_is_bad(tmp_path):
    bad = [f'clip{c}_{f}.png' for c in range(2) for f in range(3)]
    _write_frames(str(tmp_path), bad=bad)
    ds = FramePairDataset(
        dataset=dict(type='_FrameFolder', data_root=str(tmp_path),
                     pipeline=[dict(type='LoadImage')]),
        on_error='skip', max_skips=3)
    with pytest.raises(BadSampleError, match='4 bad samples in a row'):
        ds[0]


def test_skip_is_refused_in_test_mode_and_checked(tmp_path):
    with pytest.raises(ValueError, match='training sets'):
        CheckedDataset(dict(type='_FrameFolder', data_root=str(tmp_path)),
                       on_error='skip', test_mode=True)
    with pytest.raises(ValueError, match="got 'ignore'"):
        CheckedDataset(dict(type='_FrameFolder', data_root=str(tmp_path)),
                       on_error='ignore')


def _aflw_copy(aflw_dir, tmp_path, corrupt=None):
    for name in ('test_aflw.json', 'image04476.jpg', 'image22568.jpg'):
        shutil.copy(osp.join(aflw_dir, name), tmp_path / name)
    if corrupt:
        (tmp_path / corrupt).write_bytes(b'\xff\xd8 truncated jpeg')
    return dict(type='AFLWDataset', data_root=str(tmp_path),
                ann_file='test_aflw.json', data_prefix=dict(img=''),
                pipeline=CROP_PIPELINE)


def test_tps_pairs_after_mmpose_crops_on_aflw(aflw_dir, tmp_path):
    """LoadImage -> GetBBoxCenterScale -> TopdownAffine -> TPSPairWarp."""
    dataset = _aflw_copy(aflw_dir, tmp_path)
    no_warp = dict(rotation_sd=0.0, scale_sd=0.0, translation_sd=0.0,
                   jitter_sd=(0.0, 0.0))
    plain = DATASETS.build(
        dict(dataset, pipeline=CROP_PIPELINE[:3] + [
            dict(type='TPSPairWarp', target_warp=no_warp,
                 source_warp=no_warp, mask_margin=2, mask_ramp=4),
            dict(type='PackPairInputs', pack_transformed=True)]))
    warped = DATASETS.build(dataset)
    assert len(warped) == 2
    for idx in range(2):
        ref = plain[idx]
        np.random.seed(idx)
        sample = warped[idx]
        target, source = sample['inputs']['target'], sample['inputs'][
            'source']
        assert target.shape == source.shape == (3, 32, 32)
        # the identity warp keeps the crop; the release's warps move it
        assert torch.equal(ref['inputs']['target'], ref['inputs']['source'])
        assert not torch.equal(target, ref['inputs']['target'])
        assert not torch.equal(target, source)
        gt = sample['data_samples'].gt_instances
        crop = ref['data_samples'].gt_instances
        assert gt.transformed_keypoints.shape == (1, 19, 2)
        # the original image's landmarks stay; the crop's move with the
        # target warp (a mild one: a few pixels at 32x32)
        np.testing.assert_array_equal(gt.keypoints, crop.keypoints)
        moved = np.abs(gt.transformed_keypoints -
                       crop.transformed_keypoints).max()
        assert 0.05 < moved < 8.0
        assert sample['data_samples'].gt_fields.loss_mask.shape == (1, 32, 32)


def test_landmarks_follow_the_target_warp(aflw_dir, tmp_path):
    """A bright dot drawn at a landmark of the crop is found, after the
    warp, at the moved landmark."""
    from mmkp_unsup.datasets.transforms import TPSPairWarp
    dataset = DATASETS.build(
        dict(_aflw_copy(aflw_dir, tmp_path), pipeline=CROP_PIPELINE[:3]))
    results = dataset[0]
    kpts = results['transformed_keypoints'].copy()
    visible = (kpts[0] > 3).all(1) & (kpts[0] < 28).all(1)
    k = int(np.flatnonzero(visible)[0])
    x, y = np.round(kpts[0, k]).astype(int)
    img = np.zeros((32, 32, 3), np.float32)
    img[y, x] = 255.0
    np.random.seed(7)
    results.update(img=img, transformed_keypoints=np.array(
        [[[x, y]]], np.float32), keypoints_visible=np.ones((1, 1)),
        keypoints=results['keypoints'][:, k:k + 1])
    out = TPSPairWarp(mask_margin=2, mask_ramp=4)(results)
    peak = np.unravel_index(out['img'][..., 0].argmax(), (32, 32))
    moved = out['transformed_keypoints'][0, 0]
    np.testing.assert_allclose(moved, peak[::-1], atol=1.0)
    assert np.abs(moved - [x, y]).max() > 0.2


def test_plain_dataset_with_tps_names_or_skips_a_bad_image(aflw_dir,
                                                            tmp_path):
    dataset = _aflw_copy(aflw_dir, tmp_path, corrupt='image22568.jpg')
    strict = CheckedDataset(dataset)
    strict[1]
    with pytest.raises(BadSampleError, match=r'image22568\.jpg'):
        strict[0]
    lenient = CheckedDataset(dataset, on_error='skip')
    np.random.seed(0)
    sample = lenient[0]
    assert sample['data_samples'].img_path.endswith('image04476.jpg')
    assert sample['data_samples'].metainfo[SKIPPED_KEY] >= 1


def test_a_malformed_annotation_names_the_file(tmp_path):
    """A box of two numbers instead of four, met by mmpose's crop."""
    _write_frames(str(tmp_path), bad=())
    frames = dict(type='_FrameFolder', data_root=str(tmp_path), bad_box=4,
                  pipeline=[dict(type='LoadImage'),
                            dict(type='GetBBoxCenterScale'),
                            dict(type='TopdownAffine', input_size=(16, 16))])
    ds = FramePairDataset(dataset=frames)
    ds[0]
    with pytest.raises(BadSampleError, match=r'sample 4 \(.*clip1_1\.png\)'):
        ds[4]


def test_skips_are_counted_and_logged_by_the_runner(tmp_path, repo_root):
    """Training with on_error='skip' through mmengine's Runner: the hook
    logs the count and keeps the total in the message hub."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    frames = tmp_path / 'frames'
    frames.mkdir()
    _write_frames(str(frames), clips=2, frames=3,
                  bad=('clip0_1.png', 'clip1_2.png'))
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'synthetic_k10.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_dataloader = dict(
        batch_size=6, num_workers=1,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        collate_fn=dict(type='default_collate'),
        dataset=dict(
            type='FramePairDataset', on_error='skip',
            dataset=dict(type='_FrameFolder', data_root=str(frames),
                         pipeline=[dict(type='LoadImage')]),
            pipeline=[dict(type='PackPairInputs')]))
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=100)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.default_hooks.checkpoint.save_best = None
    cfg.default_hooks.visualization.enable = False
    cfg.default_hooks.logger.interval = 1
    cfg.custom_hooks.append(dict(type='SkippedSamplesHook'))
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    runner = Runner.from_cfg(cfg)
    runner.train()
    total = runner.message_hub.get_info(SKIPPED_KEY)
    assert total >= 1  # 12 samples, 4 of 6 frames in bad pairs at least
    log = open(osp.join(runner.log_dir, f'{runner.timestamp}.log')).read()
    assert re.search(r'bad training sample\(s\) skipped and replaced '
                     rf'\({total} in all\)', log)
    assert f'bad training samples skipped: {total}' in log
    # the files themselves are named in the warnings (from the worker)
    assert 'clip0_1.png' in log or 'clip1_2.png' in log
