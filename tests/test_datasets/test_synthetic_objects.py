"""The held-out synthetic family: creatures over photographs, and its writer."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from mmkp_unsup.datasets import SyntheticObjectDataset
from mmkp_unsup.datasets.synthetic.object_renderer import (
    OBJECT_LANDMARK_NAMES, object_landmarks, sample_object_identity,
    sample_object_motion)

pytest.importorskip('sklearn', reason='backgrounds come from scikit-learn')


def tiny(**kwargs):
    args = dict(num_clips=3, frames_per_clip=4, seed=0, pipeline=[])
    args.update(kwargs)
    return SyntheticObjectDataset(**args)


def test_fields_and_determinism():
    ds = tiny()
    assert len(ds) == 12
    sample = ds[5]
    assert sample['img'].shape == (32, 32, 3)
    assert sample['img'].dtype == np.uint8
    assert sample['keypoints'].shape == (1, 5, 2)
    assert sample['keypoints_visible'].shape == (1, 5)
    assert sample['bbox'].shape == (1, 4)
    assert (sample['clip_id'], sample['frame_id']) == (1, 1)
    assert ds.metainfo['dataset_name'] == 'synthetic_objects'
    assert ds.metainfo['num_keypoints'] == len(OBJECT_LANDMARK_NAMES)
    # the landmarks lie in the creature's box
    kpts, box = sample['keypoints'][0], sample['bbox'][0]
    assert (kpts >= box[:2] - 1).all() and (kpts <= box[2:] + 1).all()
    # same seed, same images; a clip does not depend on num_clips
    again = tiny(num_clips=5)
    np.testing.assert_array_equal(again[5]['img'], sample['img'])
    other = tiny(seed=1)
    assert np.abs(other[5]['img'].astype(int) - sample['img']).mean() > 5


def test_frames_of_a_clip_move_and_bend():
    rng = np.random.default_rng(3)
    identity = sample_object_identity(rng, 3)
    poses = sample_object_motion(rng, 8)
    first = object_landmarks(identity, poses[0], 32)
    last = object_landmarks(identity, poses[-1], 32)
    assert np.abs(first - last).max() > 1.0  # pixels
    angles = {(round(p.neck, 3), round(p.hip, 3)) for p in poses}
    assert len(angles) > 1


def test_bad_arguments():
    with pytest.raises(ValueError, match='num_clips'):
        tiny(num_clips=0)
    with pytest.raises(ValueError, match='motion'):
        tiny(motion=dict(speed=1))
    with pytest.raises(ValueError, match='reads no files'):
        tiny(ann_file='x.json')
    with pytest.raises(FileNotFoundError, match='nope.jpg'):
        tiny(background_paths=['/nope.jpg'])


def test_writer_tool_writes_the_same_images(tmp_path):
    from tools.misc.make_synthetic_objects import main
    main(['--out', str(tmp_path), '--seed', '0', '--train-clips', '2',
          '--fit-clips', '3', '--eval-clips', '2', '--frames', '3'])
    with open(tmp_path / 'annotations' / 'train.json') as f:
        coco = json.load(f)
    assert len(coco['images']) == 6 and len(coco['annotations']) == 6
    assert coco['categories'][0]['keypoints'] == list(OBJECT_LANDMARK_NAMES)
    image = coco['images'][4]
    assert image['file_name'] == 'train/clip00001/001.png'
    ds = tiny(num_clips=2, frames_per_clip=3)
    drawn = cv2.imread(osp.join(tmp_path, image['file_name']))
    np.testing.assert_array_equal(drawn, ds[4]['img'])
    ann = coco['annotations'][4]
    kpts = np.array(ann['keypoints']).reshape(5, 3)
    np.testing.assert_allclose(kpts[:, :2], ds[4]['keypoints'][0], atol=1e-3)
    for split, count in (('fit', 3), ('eval', 2)):
        with open(tmp_path / 'annotations' / f'{split}.json') as f:
            assert len(json.load(f)['images']) == count
