"""The second held-out family: four-legged animals walking over photographs,
its writer and its config."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmkp_unsup.datasets import SyntheticQuadrupedDataset
from mmkp_unsup.datasets.synthetic.photo_canvas import (SUPERSAMPLE,
                                                        canvas_grid, capsule)
from mmkp_unsup.datasets.synthetic.quadruped_renderer import (
    QUADRUPED_LANDMARK_NAMES, QUADRUPED_NORM_INDICES, quadruped_bbox,
    quadruped_landmarks, quadruped_parts, quadruped_skeleton,
    render_quadruped, sample_quadruped_identity, sample_quadruped_motion,
    sample_quadruped_pose)
from mmpose.registry import DATASETS

pytest.importorskip('sklearn', reason='backgrounds come from scikit-learn')

# each landmark and the part it is drawn in
LANDMARK_PARTS = dict(
    nose_tip='head',
    ear_tip='ear',
    withers='torso',
    hip='torso',
    tail_tip='tail',
    front_foot='near_front_hoof',
    back_foot='near_hind_hoof')


def tiny(**kwargs):
    args = dict(num_clips=3, frames_per_clip=4, seed=0, pipeline=[])
    args.update(kwargs)
    return SyntheticQuadrupedDataset(**args)


def coverage(identity, pose, size=32):
    """How much of each pixel the animal covers, from two drawings."""
    black = np.zeros((size, size, 3))
    white = np.full((size, size, 3), 255.0)
    on_black, _ = render_quadruped(identity, pose, size, black)
    on_white, _ = render_quadruped(identity, pose, size, white)
    return 1 - (on_white.astype(float) - on_black).mean(-1) / 255


def test_fields_and_determinism():
    ds = tiny()
    assert len(ds) == 12
    sample = ds[5]
    assert sample['img'].shape == (32, 32, 3)
    assert sample['img'].dtype == np.uint8
    assert sample['keypoints'].shape == (1, 7, 2)
    assert sample['keypoints_visible'].shape == (1, 7)
    assert sample['bbox'].shape == (1, 4)
    assert (sample['clip_id'], sample['frame_id']) == (1, 1)
    assert ds.metainfo['dataset_name'] == 'synthetic_quadrupeds'
    assert ds.metainfo['num_keypoints'] == len(QUADRUPED_LANDMARK_NAMES)
    # the normalising pair is the withers and the hip
    assert [QUADRUPED_LANDMARK_NAMES[i]
            for i in QUADRUPED_NORM_INDICES] == ['withers', 'hip']
    # every landmark of every frame lies in the image and in the box
    for idx in range(len(ds)):
        info = ds.get_data_info(idx)
        kpts, box = info['keypoints'][0], info['bbox'][0]
        assert (kpts >= 0).all() and (kpts <= 31).all()
        assert (kpts >= box[:2]).all() and (kpts <= box[2:]).all()
    # same seed, same images; a clip does not depend on num_clips
    again = tiny(num_clips=5)
    np.testing.assert_array_equal(again[5]['img'], sample['img'])
    np.testing.assert_array_equal(again[5]['keypoints'], sample['keypoints'])
    other = tiny(seed=1)
    assert np.abs(other[5]['img'].astype(int) - sample['img']).mean() > 5
    # single frames (the fitting and evaluation splits) are single poses
    single = tiny(frames_per_clip=1, test_mode=True)
    assert len(single) == 3 and single[2]['frame_id'] == 0


def test_landmarks_agree_with_the_drawing():
    size = 32
    px, py = canvas_grid(size)
    # how much of the landmark's pixel its part covers: more than a fifth
    # for the round ends, something for the feet and the pointed tips
    least = dict(
        nose_tip=0.2,
        withers=0.2,
        hip=0.2,
        front_foot=0.1,
        back_foot=0.1,
        ear_tip=0.0,
        tail_tip=0.0)
    for clip in range(6):
        rng = np.random.default_rng([7, clip])
        identity = sample_quadruped_identity(rng, 3)
        pose = sample_quadruped_pose(rng, identity)
        landmarks = quadruped_landmarks(identity, pose, size)
        parts = {p['name']: p for p in quadruped_parts(identity, pose, size)}
        alpha = coverage(identity, pose, size)
        for name, point in zip(QUADRUPED_LANDMARK_NAMES, landmarks):
            part = parts[LANDMARK_PARTS[name]]
            # the part's mask at the output size, as the renderer paints it
            inside, _, _ = capsule(px, py, part['a'], part['b'], part['ra'],
                                   part['rb'])
            mask = inside.reshape(size, SUPERSAMPLE, size,
                                  SUPERSAMPLE).mean((1, 3))
            x, y = np.round(point).astype(int)
            assert mask[y, x] > least[name], (clip, name, mask[y, x])
            # and the animal is drawn there (the best of the 4 pixels around
            # the point), more than its shadow (0.35) at the feet
            x0, y0 = np.floor(point).astype(int)
            drawn = alpha[y0:y0 + 2, x0:x0 + 2].max()
            assert drawn > (0.4 if name.endswith('foot') else 0.15), (clip,
                                                                       name)
        # the nose tip is the far end of the head, beyond the eye
        np.testing.assert_allclose(parts['head']['b'], landmarks[0],
                                   atol=1e-4)
        joints = quadruped_skeleton(identity, pose, size)
        assert (np.linalg.norm(joints['eye'] - joints['poll']) <
                np.linalg.norm(landmarks[0] - joints['poll']))
        # far from the animal nothing is drawn, not even the shadow
        box = quadruped_bbox(identity, pose, size)
        assert alpha[:max(int(box[1]) - 1, 0)].max(initial=0) == 0


def test_legs_swing_head_nods_and_the_animal_walks():
    size = 32
    for clip in range(4):
        rng = np.random.default_rng([3, clip])
        identity = sample_quadruped_identity(rng, 3)
        poses = sample_quadruped_motion(rng, identity, 8)
        landmarks = np.stack(
            [quadruped_landmarks(identity, p, size) for p in poses])
        # feet relative to the torso (the walk's translation taken out)
        torso = landmarks[:, 2:4].mean(1, keepdims=True)
        feet = landmarks[:, 5:7] - torso
        assert np.ptp(feet[..., 0], axis=0).min() > 1.5  # pixels
        # the front foot lifts (knee bent) at some frame of the stride
        assert np.ptp(feet[:, 0, 1]) > 0.2
        # the nose moves against the withers: the head nods
        nose = landmarks[:, 0] - landmarks[:, 2]
        assert np.ptp(nose[:, 1]) > 0.4
        # the whole animal moves forward (the way it faces), size kept
        facing = poses[0].facing
        assert {p.facing for p in poses} == {facing}
        assert facing * (torso[-1, 0, 0] - torso[0, 0, 0]) > 1.5
        torso_length = np.linalg.norm(landmarks[:, 2] - landmarks[:, 3], 1)
        assert np.ptp(torso_length) < 0.2 * torso_length.mean()
        # the pictures differ where the legs are
        images = [
            render_quadruped(identity, p, size, np.zeros((size, size, 3)))[0]
            for p in poses
        ]
        assert np.abs(images[0].astype(int) - images[4]).max() > 50


def test_bad_arguments():
    with pytest.raises(ValueError, match='num_clips'):
        tiny(num_clips=0)
    with pytest.raises(ValueError, match='motion'):
        tiny(motion=dict(speed=1))
    with pytest.raises(ValueError, match='length_range'):
        tiny(length_range=(0.3, 0.2))
    with pytest.raises(FileNotFoundError, match='nope.jpg'):
        tiny(background_paths=['/nope.jpg'])


def test_writer_tool_writes_the_same_quadrupeds(tmp_path):
    from tools.misc.make_synthetic_objects import main
    main(['--family', 'quadrupeds', '--out',
          str(tmp_path), '--seed', '0', '--train-clips', '2', '--fit-clips',
          '3', '--eval-clips', '2', '--frames', '3'])
    with open(tmp_path / 'annotations' / 'train.json') as f:
        coco = json.load(f)
    assert len(coco['images']) == 6 and len(coco['annotations']) == 6
    category = coco['categories'][0]
    assert category['name'] == 'quadruped'
    assert category['keypoints'] == list(QUADRUPED_LANDMARK_NAMES)
    ds = tiny(num_clips=2, frames_per_clip=3)
    for idx in range(6):
        image = coco['images'][idx]
        assert image['file_name'] == (f'train/clip{idx // 3:05d}/'
                                      f'{idx % 3:03d}.png')
        drawn = cv2.imread(osp.join(tmp_path, image['file_name']))
        np.testing.assert_array_equal(drawn, ds[idx]['img'])
        kpts = np.array(coco['annotations'][idx]['keypoints']).reshape(7, 3)
        np.testing.assert_allclose(
            kpts[:, :2], ds[idx]['keypoints'][0], atol=1e-3)
    fit = SyntheticQuadrupedDataset(
        num_clips=3, seed=1, test_mode=True, pipeline=[])
    with open(tmp_path / 'annotations' / 'fit.json') as f:
        assert len(json.load(f)['images']) == 3
    np.testing.assert_array_equal(
        cv2.imread(osp.join(tmp_path, 'fit', 'clip00002', '000.png')),
        fit[2]['img'])
    with open(tmp_path / 'annotations' / 'eval.json') as f:
        assert len(json.load(f)['images']) == 2


def test_config_builds_and_yields_pairs(repo_root):
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs', 'synthetic_quadrupeds_k10.py'))
    objects = Config.fromfile(
        osp.join(repo_root, 'configs', 'synthetic_objects_k10.py'))
    # the creatures' config with this family's data
    for key in ('model', 'optim_wrapper', 'param_scheduler', 'train_cfg'):
        assert cfg[key] == objects[key], key
    assert cfg.train_dataloader.batch_size == objects.train_dataloader.\
        batch_size
    assert tuple(cfg.val_evaluator.norm_indices) == QUADRUPED_NORM_INDICES
    assert cfg.train_dataloader.dataset.pair_sampler.min_gap == 3
    train = cfg.train_dataloader.dataset
    assert (train.dataset.num_clips, train.dataset.frames_per_clip,
            train.dataset.seed) == (2000, 8, 0)
    train.dataset.update(num_clips=2, cache_images=False)
    pairs = DATASETS.build(train)
    assert len(pairs) == 16
    sample = pairs[3]
    inputs, meta = sample['inputs'], sample['data_samples'].metainfo
    assert inputs['target'].shape == inputs['source'].shape == (3, 32, 32)
    assert meta['source_id'] // 8 == 0 and abs(meta['source_id'] - 3) >= 3
    assert not torch.equal(inputs['target'], inputs['source'])
    regression = cfg.val_dataloader.dataset
    assert (regression.fit_dataset.seed, regression.eval_dataset.seed) == (1,
                                                                          2)
    assert cfg.inference_pipeline[-1]['type'] == 'PackPoseInputs'
