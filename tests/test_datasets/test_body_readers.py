"""Human3.6M (simplified) and BBC Pose readers, on tiny copies of their
official layouts written in tmp_path."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import scipy.io
from mmengine.registry import DefaultScope
from reader_test_utils import real_frames, tiny_config, train_two_iterations

from mmkp_unsup.datasets import (BBCPoseDataset, FramePairDataset,
                                 SimplifiedHuman36MDataset)
from mmkp_unsup.datasets.datasets.body import (H36M_16_JOINTS,
                                               load_bbcpose_annotations,
                                               matlab_to_pixels,
                                               sequence_activity)
from mmkp_unsup.datasets.transforms import MaskBackground

# --------------------------------------------------------------- Human3.6M
H36M_SUBJECTS = ('S1', 'S5', 'S6', 'S7', 'S8', 'S9', 'S11')
# 11 frames: with pairs 5 frames apart or more, each has a partner
H36M_FRAMES = tuple(range(1, 56, 5))  # "6" < "11" only numerically
DIRECTIONS = 'Directions 1.54138969'


def h36m_points(subject: str, frame: int) -> np.ndarray:
    """The fixture's (x, y) landmarks in [0, 1]: distinct per joint,
    subject and frame (the files store them (y, x))."""
    x = np.linspace(0.1, 0.9, 32)
    y = np.full(32, 0.2 + 0.01 * frame + 0.001 * int(subject[1:]))
    return np.stack([x, y], axis=1)


def write_h36m(root: str, size: int = 128) -> str:
    """Simplified Human3.6M layout: 7 subjects x 'Directions 1' (11 frames);
    S1 also 'Eating' (another activity) and 'WalkingDog' (a prefix match of
    'walking')."""
    images = real_frames(size)
    mask = np.zeros((size, size), np.uint8)
    mask[:, :size // 2] = 255  # foreground: the left half
    for s, subject in enumerate(H36M_SUBJECTS):
        sequences = [DIRECTIONS]
        if subject == 'S1':
            sequences += ['Eating.54138969', 'WalkingDog.54138969']
        for sequence in sequences:
            dirs = [osp.join(root, subject, d, sequence)
                    for d in ('WithBackground', 'BackgroudMask',
                              'Landmarks')]
            for d in dirs:
                os.makedirs(d)
            for k, frame in enumerate(H36M_FRAMES):
                cv2.imwrite(osp.join(dirs[0], f'{frame}.jpg'),
                            images[(s + k) % len(images)],
                            [cv2.IMWRITE_JPEG_QUALITY, 60])
                cv2.imwrite(osp.join(dirs[1], f'{frame}.png'), mask)
                scipy.io.savemat(
                    osp.join(dirs[2], f'{frame}.mat'),
                    {'keypoints_2d': h36m_points(subject, frame)[:, ::-1]})
    return root


@pytest.fixture(scope='module')
def h36m_root(tmp_path_factory):
    return write_h36m(str(tmp_path_factory.mktemp('h36m')))


def test_h36m_fixture_is_small(h36m_root):
    total = sum(
        osp.getsize(osp.join(d, f)) for d, _, fs in os.walk(h36m_root)
        for f in fs)
    assert total < 600 * 1024


def test_h36m_activity_and_selection(h36m_root):
    assert sequence_activity('Walking 1.54138969') == 'Walking'
    assert sequence_activity('WalkingDog.55011271') == 'WalkingDog'
    prefix = SimplifiedHuman36MDataset(h36m_root, subjects=['S1'])
    assert {d['sequence'] for d in prefix} == {DIRECTIONS,
                                                 'WalkingDog.54138969'}
    exact = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S1'], activity_match='exact')
    assert {d['activity'] for d in exact} == {'Directions'}
    everything = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S1'], activities=None)
    assert len(everything) == 33


def test_h36m_data_infos(h36m_root):
    ds = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S5', 'S11'],
        pipeline=[dict(type='LoadImage')])
    assert len(ds) == 22
    info = ds.get_data_info(1)
    assert info['frame_id'] == 6  # numeric order: 1, 6, 11, ...
    assert [ds.get_data_info(i)['frame_id'] for i in range(11)] == list(
        H36M_FRAMES)
    assert info['clip_id'] == f'S5/{DIRECTIONS}'
    assert info['activity'] == 'Directions' and info['subject'] == 'S5'
    assert info['img_path'].endswith(
        osp.join('S5', 'WithBackground', DIRECTIONS, '6.jpg'))
    assert info['mask_path'].endswith(
        osp.join('S5', 'BackgroudMask', DIRECTIONS, '6.png'))
    np.testing.assert_array_equal(info['bbox'], [[0, 0, 128, 128]])
    sample = ds[1]
    assert sample['img'].shape == (128, 128, 3)
    # [0, 1] of the 128 image -> (x, y) pixels
    expected = h36m_points('S5', 6) * 128
    np.testing.assert_allclose(sample['keypoints'][0], expected, rtol=1e-6)
    assert sample['keypoints_visible'].shape == (1, 32)
    assert sample['flip_indices'][1] == 6  # right hip <-> left hip
    xy = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S5'], landmarks_order='xy')
    np.testing.assert_allclose(xy[1]['keypoints'][0], expected[:, ::-1],
                               rtol=1e-6)
    step = SimplifiedHuman36MDataset(h36m_root, subjects=['S5'],
                                     frame_step=4)
    assert [d['frame_id'] for d in step] == [1, 21, 41]


def test_h36m_16_joints_subset(h36m_root):
    ds = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S9'], keypoint_indices=H36M_16_JOINTS)
    assert ds.metainfo['num_keypoints'] == 16
    names = [ds.metainfo['keypoint_id2name'][i] for i in range(16)]
    assert names[:4] == ['right_hip', 'right_knee', 'right_ankle', 'left_hip']
    assert names[9] == 'head_top'
    # left/right swaps stay inside the subset
    assert ds.metainfo['flip_indices'][1] == 4
    assert ds.metainfo['flip_indices'][10] == 13
    np.testing.assert_allclose(
        ds[0]['keypoints'][0],
        h36m_points('S9', 1)[list(H36M_16_JOINTS)] * 128, rtol=1e-6)


def test_mask_background_blacks_out_the_background(h36m_root):
    ds = SimplifiedHuman36MDataset(
        h36m_root, subjects=['S7'],
        pipeline=[dict(type='LoadImage'),
                  dict(type='MaskBackground')])
    img = ds[0]['img']
    assert img[:, 64:].max() == 0  # background
    assert img[:, :64].mean() > 20  # the photograph
    assert 'keep_mask=False' in repr(MaskBackground())


def test_h36m_errors_name_the_file(h36m_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='S2'):
        SimplifiedHuman36MDataset(h36m_root, subjects=['S2'])
    with pytest.raises(ValueError, match='activity_match'):
        SimplifiedHuman36MDataset(h36m_root, activity_match='fuzzy')
    # a malformed landmark file: the message names it and the problem
    bad = write_h36m(str(tmp_path / 'bad'), size=16)
    path = osp.join(bad, 'S9', 'Landmarks', DIRECTIONS, '11.mat')
    scipy.io.savemat(path, {'keypoints_2d': np.zeros((17, 2))})
    ds = SimplifiedHuman36MDataset(bad, subjects=['S9'], image_size=16)
    with pytest.raises(ValueError, match=r'11\.mat.*\(17, 2\)'):
        ds[2]
    scipy.io.savemat(path, {'points': np.zeros((32, 2))})
    with pytest.raises(ValueError, match=r"11\.mat has no 'keypoints_2d'"):
        ds[2]
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=r'11\.mat'):
        ds[2]
    # a missing mask folder, a frame not named by its number
    os.rename(osp.join(bad, 'S8', 'BackgroudMask'),
              osp.join(bad, 'S8', 'masks'))
    with pytest.raises(FileNotFoundError, match='BackgroudMask'):
        SimplifiedHuman36MDataset(bad, subjects=['S8'])
    cv2.imwrite(osp.join(bad, 'S7', 'WithBackground', DIRECTIONS, 'x.jpg'),
                np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match=r'x\.jpg'):
        SimplifiedHuman36MDataset(bad, subjects=['S7'])
    # a mask of another size than its image
    cv2.imwrite(osp.join(bad, 'S6', 'BackgroudMask', DIRECTIONS, '1.png'),
                np.zeros((8, 8), np.uint8))
    ds = SimplifiedHuman36MDataset(
        bad, subjects=['S6'], image_size=16,
        pipeline=[dict(type='LoadImage'), dict(type='MaskBackground')])
    with pytest.raises(ValueError, match=r'1\.png is 8x8'):
        ds[0]


def test_h36m_pairs_come_from_one_sequence_5_to_30_frames_apart(h36m_root):
    pairs = FramePairDataset(
        dataset=dict(type='SimplifiedHuman36MDataset', data_root=h36m_root,
                     subjects=['S1', 'S5'], with_landmarks=False,
                     pipeline=[dict(type='LoadImage')]),
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=5,
                          max_gap=30),
        pipeline=[dict(type='PackPairInputs',
                       meta_keys=('id', 'clip_id', 'frame_id', 'source_id',
                                  'activity'))])
    for idx in range(len(pairs)):
        meta = pairs[idx]['data_samples'].metainfo
        source = pairs.get_data_info(meta['source_id'])
        assert source['clip_id'] == meta['clip_id']
        assert 5 <= abs(H36M_FRAMES.index(source['frame_id']) -
                        H36M_FRAMES.index(meta['frame_id'])) <= 30
        assert meta['activity'] in ('Directions', 'WalkingDog')


def test_h36m_config_trains_and_validates(h36m_root, tmp_path):
    cfg = tiny_config('h36m_k16.py', str(tmp_path / 'work'), h36m_root)
    # every frame: more fitting samples (55) than regressor unknowns (32)
    cfg.val_dataloader.dataset.fit_dataset.frame_step = 1
    with DefaultScope.overwrite_default_scope('mmpose'):
        runner = train_two_iterations(cfg)
    # the simplified protocol: error / image size, per activity
    hub = runner.message_hub
    assert np.isfinite(hub.get_scalar('val/error').current())
    assert np.isfinite(hub.get_scalar('val/error_Directions').current())
    sample = runner.val_dataloader.dataset[0]
    assert sample['data_samples'].metainfo['activity'] == 'Directions'
    assert sample['data_samples'].metainfo['regression_split'] == 'fit'
    assert sample['inputs'].shape == (3, 32, 32)


# ---------------------------------------------------------------- BBC Pose
BBC_SIZE = (96, 72)  # w, h of the fixture's frames
BBC_CROP = 40


def bbc_joints(video: int, frames) -> np.ndarray:
    """1-based joints ``2 x 7 x N`` around (61, 41) + a per-frame shift."""
    base = np.array([[61, 51, 71, 53, 69, 55, 67],
                     [31, 51, 51, 41, 41, 36, 36]], dtype=np.float64)
    shift = np.array([[0.5 * video], [0.]])
    return np.stack([base + shift + f for f in frames], axis=2)


def write_bbcpose(root: str) -> str:
    """bbcpose_data_1.0/<1..20>/<1..6>.jpg and code/bbcpose.mat: all
    videos have 6 tracked frames; val and test videos also 2 manual."""
    images = real_frames(96)
    fields = ('videoName', 'type', 'source', 'train_frames', 'train_joints',
              'test_frames', 'test_joints')
    entries = np.zeros((1, 20), dtype=[(f, 'O') for f in fields])
    for video in range(1, 21):
        folder = osp.join(root, 'bbcpose_data_1.0', str(video))
        os.makedirs(folder)
        for frame in range(1, 7):
            img = cv2.resize(images[(video + frame) % len(images)],
                             BBC_SIZE)
            cv2.imwrite(osp.join(folder, f'{frame}.jpg'), img,
                        [cv2.IMWRITE_JPEG_QUALITY, 60])
        kind = 'train' if video <= 10 else 'val' if video <= 15 else 'test'
        train = np.arange(1, 7, dtype=np.float64)
        test = np.array([2., 4.]) if kind != 'train' else np.zeros((1, 0))
        entries[0, video - 1] = (
            f'video{video:02d}', kind, 'buehler11', train[None],
            bbc_joints(video, train), test[None] if test.size else test,
            bbc_joints(video, test.ravel()) if test.size else np.zeros(
                (2, 7, 0)))
    os.makedirs(osp.join(root, 'code'))
    scipy.io.savemat(osp.join(root, 'code', 'bbcpose.mat'),
                     {'bbcpose': entries})
    return root


@pytest.fixture(scope='module')
def bbc_root(tmp_path_factory):
    return write_bbcpose(str(tmp_path_factory.mktemp('bbcpose')))


def test_bbcpose_mat_round_trips(bbc_root):
    entries = load_bbcpose_annotations(
        osp.join(bbc_root, 'code', 'bbcpose.mat'))
    assert len(entries) == 20
    assert entries[11].type == 'val' and entries[0].videoName == 'video01'
    np.testing.assert_array_equal(entries[0].train_frames, range(1, 7))
    assert entries[0].train_joints.shape == (2, 7, 6)
    assert entries[16].test_joints.shape == (2, 7, 2)


def test_matlab_to_pixels():
    np.testing.assert_array_equal(matlab_to_pixels([[1, 1], [3.5, 2]]),
                                  [[0, 0], [2.5, 1]])


def test_bbcpose_data_infos(bbc_root):
    ds = BBCPoseDataset(bbc_root, videos=[2, 3], crop_size=BBC_CROP,
                        box_mode='frame', keep_crop_inside=False)
    assert len(ds) == 12
    info = ds.get_data_info(7)  # video 3, frame 2
    assert (info['video'], info['clip_id'], info['frame_id']) == (3, 3, 2)
    assert info['img_path'].endswith(osp.join('bbcpose_data_1.0', '3',
                                              '2.jpg'))
    joints = bbc_joints(3, [2])[..., 0].T - 1  # 0-based (x, y)
    np.testing.assert_allclose(info['keypoints'][0], joints)
    assert info['keypoints_visible'].sum() == 7
    centre = (joints.min(0) + joints.max(0)) / 2
    np.testing.assert_allclose(info['bbox'][0],
                               np.r_[centre - 20, centre + 20])
    # one crop per video, shifted inside the 96 x 72 frames
    video = BBCPoseDataset(bbc_root, videos=[20], crop_size=60)
    boxes = np.stack([d['bbox'][0] for d in video])
    assert np.ptp(boxes, axis=0).max() == 0
    assert boxes[0, 2] <= 96 and boxes[0, 3] <= 72 and boxes[0, 0] >= 0
    # manual annotations of a test video
    test = BBCPoseDataset(bbc_root, videos=[17], annotation='test')
    assert [d['frame_id'] for d in test] == [2, 4]


def test_bbcpose_unannotated_frames(bbc_root, tmp_path):
    root = write_bbcpose(str(tmp_path / 'bbc'))
    cv2.imwrite(osp.join(root, 'bbcpose_data_1.0', '1', '9.jpg'),
                np.zeros((72, 96, 3), np.uint8))
    plain = BBCPoseDataset(root, videos=[1])
    assert len(plain) == 6
    ds = BBCPoseDataset(root, videos=[1], include_unannotated=True,
                        box_mode='frame')
    extra = ds.get_data_info(6)
    assert extra['frame_id'] == 9 and not extra['annotated']
    assert extra['keypoints_visible'].sum() == 0
    # the crop of the nearest annotated frame (6)
    np.testing.assert_array_equal(extra['bbox'], ds.get_data_info(5)['bbox'])


def test_bbcpose_errors_name_the_file_and_entry(bbc_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.mat'):
        BBCPoseDataset(bbc_root, ann_file='code/nothing.mat')
    with pytest.raises(ValueError, match=r'bbcpose\(3\)\.test_frames is '
                       'empty'):
        BBCPoseDataset(bbc_root, videos=[3], annotation='test')
    with pytest.raises(ValueError, match='videos'):
        BBCPoseDataset(bbc_root, videos=[21])
    root = str(tmp_path / 'bad')
    os.makedirs(osp.join(root, 'code'))
    entries = np.zeros((1, 2), dtype=[('videoName', 'O'),
                                      ('train_frames', 'O'),
                                      ('train_joints', 'O')])
    entries[0, 0] = ('a', np.array([[1., 2.]]), np.zeros((2, 7, 2)))
    entries[0, 1] = ('b', np.array([[1., 2.]]), np.zeros((2, 6, 2)))
    path = osp.join(root, 'code', 'bbcpose.mat')
    scipy.io.savemat(path, {'bbcpose': entries})
    os.makedirs(osp.join(root, 'bbcpose_data_1.0', '2'))
    with pytest.raises(ValueError,
                       match=r'bbcpose\(2\)\.train_joints has shape '
                       r'\(2, 6, 2\)'):
        BBCPoseDataset(root, videos=[2], keep_crop_inside=False)
    with pytest.raises(FileNotFoundError, match=r'bbcpose_data_1\.0.1'):
        BBCPoseDataset(root, videos=[1])
    scipy.io.savemat(path, {'poses': entries})
    with pytest.raises(ValueError, match='no variable "bbcpose"'):
        BBCPoseDataset(root, videos=[1])


def test_bbcpose_pairs_3_to_40_frames_apart(bbc_root):
    pairs = FramePairDataset(
        dataset=dict(type='BBCPoseDataset', data_root=bbc_root,
                     videos=[1, 2], crop_size=BBC_CROP,
                     pipeline=[dict(type='LoadImage')]),
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=3,
                          max_gap=40),
        pipeline=[dict(type='PackPairInputs')])
    for idx in range(len(pairs)):
        meta = pairs[idx]['data_samples'].metainfo
        source = pairs.get_data_info(meta['source_id'])
        assert source['clip_id'] == meta['clip_id']
        assert abs(source['frame_id'] - meta['frame_id']) >= 3


def test_bbcpose_config_trains_and_validates(bbc_root, tmp_path):
    cfg = tiny_config('bbcpose_k10.py', str(tmp_path / 'work'), bbc_root)
    for key in ('train_dataloader', 'val_dataloader'):
        loader = cfg[key].dataset
        for child in ('dataset', 'fit_dataset', 'eval_dataset'):
            if child in loader:
                loader[child].crop_size = BBC_CROP
    # every frame: more fitting samples (60) than regressor unknowns (20)
    cfg.val_dataloader.dataset.fit_dataset.frame_step = 1
    with DefaultScope.overwrite_default_scope('mmpose'):
        runner = train_two_iterations(cfg)
    # the official protocol: accuracy within 6 px at half scale, per joint
    hub = runner.message_hub
    assert 0 <= hub.get_scalar('val/accuracy').current() <= 100
    assert 0 <= hub.get_scalar('val/accuracy_head').current() <= 100
    val = runner.val_dataloader.dataset
    assert len(val) == 60 + 10  # 10 x 6 tracked frames; 5 x 2 manual
    sample = val[len(val) - 1]
    assert sample['data_samples'].metainfo['regression_split'] == 'eval'
    assert sample['data_samples'].gt_instances.transformed_keypoints.shape \
        == (1, 7, 2)


def test_h36m_16_joint_variant_config_builds(h36m_root, tmp_path):
    from mmengine.config import Config

    from mmpose.registry import DATASETS
    cfg = tiny_config('h36m_k16_16joints.py', str(tmp_path), h36m_root)
    with DefaultScope.overwrite_default_scope('mmpose'):
        test = DATASETS.build(cfg.test_dataloader.dataset)
        train = DATASETS.build(cfg.train_dataloader.dataset)
    assert isinstance(cfg, Config)
    # fit: S1 (Directions only: 'WalkingDog' is no exact match), S5-S8
    assert len(test) == 5 * 11 + 2 * 11
    sample = test[len(test) - 1]
    assert sample['data_samples'].metainfo['regression_split'] == 'eval'
    assert sample['data_samples'].gt_instances.keypoints.shape == (1, 16, 2)
    assert len(train) == 5 * 11


def test_h36m_zero_padded_frame_names_keep_their_files(tmp_path):
    root = str(tmp_path)
    dirs = [osp.join(root, 'S1', d, 'Posing.55011271')
            for d in ('WithBackground', 'BackgroudMask', 'Landmarks')]
    for d in dirs:
        os.makedirs(d)
    for frame in ('000002', '000010'):
        cv2.imwrite(osp.join(dirs[0], f'{frame}.jpg'),
                    np.zeros((8, 8, 3), np.uint8))
    ds = SimplifiedHuman36MDataset(root, subjects=['S1'], image_size=8,
                                   with_landmarks=False)
    assert [d['frame_id'] for d in ds] == [2, 10]
    assert ds[1]['img_path'].endswith(osp.join('Posing.55011271',
                                               '000010.jpg'))
    assert ds[1]['mask_path'].endswith('000010.png')
    assert ds[1]['activity'] == 'Posing'


def test_bbcpose_non_finite_joints_are_not_visible(tmp_path):
    root = str(tmp_path)
    os.makedirs(osp.join(root, 'code'))
    folder = osp.join(root, 'bbcpose_data_1.0', '1')
    os.makedirs(folder)
    cv2.imwrite(osp.join(folder, '7.jpg'), np.zeros((72, 96, 3), np.uint8))
    joints = bbc_joints(1, [7.])
    joints[:, 2, 0] = np.nan  # left wrist lost
    entries = np.zeros((1, 1), dtype=[('videoName', 'O'),
                                      ('train_frames', 'O'),
                                      ('train_joints', 'O')])
    entries[0, 0] = ('a', np.array([[7.]]), joints)
    scipy.io.savemat(osp.join(root, 'code', 'bbcpose.mat'),
                     {'bbcpose': entries})
    info = BBCPoseDataset(root, videos=[1], crop_size=BBC_CROP)[0]
    np.testing.assert_array_equal(info['keypoints_visible'][0],
                                  [1, 1, 0, 1, 1, 1, 1])
    assert np.isfinite(info['keypoints']).all()
    assert info['num_keypoints'] == 6
