import numpy as np
import pytest

from mmkp_unsup.datasets import SyntheticFaceDataset
from mmkp_unsup.datasets.synthetic import (FaceIdentity, face_landmarks,
                                           face_to_image, render_face,
                                           sample_identity,
                                           sample_jittered_poses,
                                           sample_motion, sample_pose)


def make(**kwargs):
    kwargs.setdefault('num_clips', 4)
    kwargs.setdefault('frames_per_clip', 3)
    return SyntheticFaceDataset(**kwargs)


def test_fields_like_mmpose_face_datasets():
    ds = make()
    assert len(ds) == 12
    assert ds.metainfo['dataset_name'] == 'synthetic_faces'
    assert ds.metainfo['num_keypoints'] == 5
    assert ds.metainfo['flip_indices'] == [1, 0, 2, 4, 3]
    info = ds.get_data_info(4)
    assert info['clip_id'] == 1 and info['frame_id'] == 1
    assert info['keypoints'].shape == (1, 5, 2)
    assert info['keypoints_visible'].shape == (1, 5)
    assert info['bbox'].shape == (1, 4)
    assert 'img' not in info  # drawn by prepare_data, like LoadImage
    for i in range(len(ds)):  # boxes inside the image, landmarks in boxes
        info = ds.get_data_info(i)
        x0, y0, x1, y1 = info['bbox'][0]
        assert 0 <= x0 < x1 <= 32 and 0 <= y0 < y1 <= 32
        kpts = info['keypoints'][0]
        assert (kpts >= (x0, y0)).all() and (kpts <= (x1, y1)).all()
    sample = ds[4]
    assert sample['img'].shape == (32, 32, 3)
    assert sample['img'].dtype == np.uint8


def test_deterministic_from_seed():
    a, b, c = make(seed=3), make(seed=3), make(seed=4)
    np.testing.assert_array_equal(a[5]['img'], b[5]['img'])
    np.testing.assert_array_equal(a[5]['keypoints'], b[5]['keypoints'])
    assert not np.array_equal(a[5]['img'], c[5]['img'])


def test_cached_images_are_drawn_once_and_protected():
    plain, cached = make(seed=3), make(seed=3, cache_images=True)
    first = cached[5]['img']
    np.testing.assert_array_equal(first, plain[5]['img'])
    first[:] = 0  # a transform changing the image in place
    np.testing.assert_array_equal(cached[5]['img'], plain[5]['img'])
    assert set(cached._image_cache) == {5}
    assert not plain._image_cache


def test_frames_of_a_clip_share_identity_and_change_pose():
    ds = make(num_clips=2, frames_per_clip=4)
    frames = [ds.get_data_info(i) for i in range(4)]
    assert all(f['face_identity'] == frames[0]['face_identity']
               for f in frames)
    assert len({tuple(f['face_pose'].values()) for f in frames}) == 4
    assert ds.get_data_info(4)['face_identity'] != frames[0]['face_identity']


def test_landmarks_sit_on_the_drawn_features():
    rng = np.random.default_rng(0)

    def colour_at(image, point):
        x, y = np.round(point).astype(int)
        return image[y, x].astype(float)

    checked_hair = 0
    for _ in range(20):
        identity = sample_identity(rng)
        pose = sample_pose(rng)
        image, landmarks = render_face(identity, pose, 64)
        assert max(identity.pupil) <= 50  # dark in every face
        for k, side in ((0, -1), (1, 1)):
            # eye centres: the dark pupil, inside the eye colour
            assert np.abs(colour_at(image, landmarks[k]) -
                          identity.pupil).sum() < 40
            iris = face_to_image(
                [[side * identity.eye_x + 0.9 * identity.eye_size,
                  identity.eye_y]], pose, 64)[0]
            assert np.abs(colour_at(image, iris) - identity.eye).sum() < 40
        # the hair: above the hairline, inside the face outline
        hair = face_to_image([[0.0, identity.hair_y - 0.08]], pose, 64)[0]
        if (hair >= 0).all() and (hair <= 63).all():
            checked_hair += 1
            assert np.abs(colour_at(image, hair) -
                          identity.hair).sum() < 40
        # the lip gap runs between the mouth corners
        gap = (landmarks[3] + landmarks[4]) / 2
        assert np.abs(colour_at(image, gap) - identity.pupil).sum() < 60
    assert checked_hair >= 10


def test_landmarks_do_not_need_drawing():
    rng = np.random.default_rng(5)
    identity, pose = sample_identity(rng), sample_pose(rng)
    np.testing.assert_array_equal(
        render_face(identity, pose, 32)[1],
        face_landmarks(identity, pose, 32))


def test_landmarks_follow_the_pose():
    identity = sample_identity(np.random.default_rng(1))
    pose = sample_pose(np.random.default_rng(2), max_angle=0.0)
    _, base = render_face(identity, pose, 32)
    pose.center_x += 0.25  # a quarter of the image to the right
    _, moved = render_face(identity, pose, 32)
    np.testing.assert_allclose(moved - base, [[8.0, 0.0]] * 5, atol=1e-4)


def test_steady_motion_keeps_consecutive_frames_close():
    poses = sample_motion(np.random.default_rng(0), 6, angle_step=3.0,
                          scale_step=0.01, shift_step=0.02)
    angles = np.array([p.angle for p in poses])
    xs = np.array([p.center_x for p in poses])
    assert len(poses) == 6
    assert np.abs(np.diff(angles)).max() <= 3.0 + 1e-9
    assert np.abs(np.diff(xs)).max() <= 0.02 + 1e-9
    # a constant velocity (until a range limit stops it)
    assert np.allclose(np.diff(angles), angles[1] - angles[0]) or \
        np.isclose(np.abs(angles).max(), 30.0)
    ds = make(num_clips=2, frames_per_clip=4,
              motion=dict(angle_step=1.0, shift_step=0.0, scale_step=0.0))
    first, second = (ds.get_data_info(i)['face_pose'] for i in (0, 1))
    assert abs(first['angle'] - second['angle']) <= 1.0
    assert first['center_x'] == second['center_x']
    with pytest.raises(ValueError, match="unknown keys for 'steady'"):
        make(motion=dict(speed=1.0))
    with pytest.raises(ValueError, match='unknown motion type'):
        make(motion=dict(type='teleport'))


def test_jittered_frames_scatter_around_one_pose_inside_the_ranges():
    jitter = dict(angle_jitter=10.0, scale_jitter=0.02, shift_jitter=0.05)
    poses = sample_jittered_poses(np.random.default_rng(0), 200, **jitter)
    angles = np.array([p.angle for p in poses])
    scales = np.array([p.scale for p in poses])
    xs = np.array([p.center_x for p in poses])
    assert np.ptp(angles) <= 20.0 and np.ptp(xs) <= 0.1
    assert np.ptp(angles) > 15.0  # frames do differ
    assert np.abs(angles).max() <= 30.0
    assert scales.min() >= 0.36 and scales.max() <= 0.5
    assert np.abs(xs - 0.5).max() <= 0.14
    ds = make(num_clips=3, frames_per_clip=4,
              motion=dict(type='jitter', **jitter))
    angles = [ds.get_data_info(i)['face_pose']['angle'] for i in range(12)]
    for clip in range(3):
        assert np.ptp(angles[4 * clip:4 * clip + 4]) <= 20.0
    with pytest.raises(ValueError, match='must fit in the pose ranges'):
        sample_jittered_poses(np.random.default_rng(0), 2, angle_jitter=40.0)
    with pytest.raises(ValueError, match="unknown keys for 'jitter'"):
        make(motion=dict(type='jitter', angle_step=1.0))


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match='num_clips'):
        make(num_clips=0)
    with pytest.raises(ValueError, match='reads no files'):
        make(ann_file='faces.json')
    with pytest.raises(ValueError, match='scale_range'):
        make(scale_range=(0.5, 0.2))
    assert isinstance(sample_identity(np.random.default_rng(0)), FaceIdentity)
