import numpy as np
import pytest
import torch

from mmkp_unsup.datasets import (ClipFramePairSampler, FramePairDataset,
                                 RegressionSplitDataset)
from mmkp_unsup.datasets.transforms import PackPairInputs

FACES = dict(type='SyntheticFaceDataset', num_clips=3, frames_per_clip=5,
             pipeline=[dict(type='LoadImage')])


def test_clip_sampler_respects_clips_and_gaps():
    infos = [dict(clip_id=c, frame_id=f) for c in 'ab' for f in range(6)]
    sampler = ClipFramePairSampler(min_gap=2, max_gap=3)
    sampler.bind(infos)
    np.random.seed(0)
    for idx in range(len(infos)):
        partners = {sampler(idx) for _ in range(60)}
        own = infos[idx]
        expected = {
            j for j, info in enumerate(infos)
            if info['clip_id'] == own['clip_id']
            and 2 <= abs(info['frame_id'] - own['frame_id']) <= 3
        }
        assert partners == expected


def test_clip_sampler_orders_frames_by_frame_key():
    infos = [dict(clip_id=0, frame_id=f) for f in (30, 10, 20)]
    sampler = ClipFramePairSampler(min_gap=1, max_gap=1)
    sampler.bind(infos)
    # frame 10 (index 1) has only frame 20 (index 2) at distance 1
    assert {sampler(1) for _ in range(20)} == {2}


def test_clip_sampler_errors_name_the_problem():
    with pytest.raises(KeyError, match="no 'clip_id'"):
        ClipFramePairSampler().bind([dict(frame_id=0, img_path='a.jpg')])
    with pytest.raises(ValueError, match="clip 'x' has 1 frame"):
        ClipFramePairSampler().bind([dict(clip_id='x', frame_id=0)])
    with pytest.raises(ValueError, match='min_gap'):
        ClipFramePairSampler(min_gap=3, max_gap=2)


def test_frame_pair_dataset_pairs_two_poses_of_one_face():
    ds = FramePairDataset(
        dataset=FACES, pipeline=[dict(type='PackPairInputs')])
    assert len(ds) == 15
    assert ds.metainfo['dataset_name'] == 'synthetic_faces'
    for idx in (0, 7, 14):
        sample = ds[idx]
        inputs, meta = sample['inputs'], sample['data_samples'].metainfo
        assert set(inputs) == {'target', 'source'}
        assert inputs['target'].shape == (3, 32, 32)
        source_id = meta['source_id']
        assert source_id // 5 == idx // 5 and source_id != idx
        assert torch.equal(inputs['source'],
                           ds[source_id]['inputs']['target'])


def test_pack_pair_inputs():
    results = dict(
        img=np.zeros((8, 8, 3), np.uint8),
        source_img=np.ones((8, 8, 3), np.uint8),
        loss_mask=np.full((8, 8), 0.5, np.float32),
        keypoints=np.zeros((1, 5, 2), np.float32),
        keypoints_visible=np.ones((1, 5), np.float32),
        clip_id=3, frame_id=4, id=7)
    packed = PackPairInputs()(results)
    assert packed['inputs']['source'].sum() == 3 * 64
    sample = packed['data_samples']
    assert sample.gt_fields.loss_mask.shape == (1, 8, 8)
    assert sample.gt_instances.keypoints.shape == (1, 5, 2)
    assert (sample.clip_id, sample.frame_id, sample.id) == (3, 4, 7)
    single = PackPairInputs()(dict(img=np.zeros((8, 8, 3), np.uint8)))
    assert isinstance(single['inputs'], torch.Tensor)


def test_regression_split_dataset_tags_samples():
    test_pipeline = [dict(type='LoadImage'), dict(type='PackPairInputs')]
    ds = RegressionSplitDataset(
        fit_dataset=dict(type='SyntheticFaceDataset', num_clips=4, seed=1,
                         pipeline=test_pipeline),
        eval_dataset=dict(type='SyntheticFaceDataset', num_clips=2, seed=2,
                          pipeline=test_pipeline))
    assert len(ds) == 6
    tags = [ds[i]['data_samples'].regression_split for i in range(6)]
    assert tags == ['fit'] * 4 + ['eval'] * 2
    assert ds.get_data_info(5)['regression_split'] == 'eval'
    with pytest.raises(IndexError):
        ds.get_data_info(6)


def test_regression_split_needs_packed_samples():
    ds = RegressionSplitDataset(
        fit_dataset=dict(type='SyntheticFaceDataset', num_clips=1),
        eval_dataset=dict(type='SyntheticFaceDataset', num_clips=1))
    with pytest.raises(RuntimeError, match='must end with a packing'):
        ds[0]
