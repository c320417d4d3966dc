"""Frames read from disk by the footage template reach the network as the
same pixels the in-memory dataset gives it, and the decoded-frame cache
returns what the files hold."""
import importlib.util
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from mmpose.registry import DATASETS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    spec = importlib.util.spec_from_file_location(
        'export_synthetic_clips',
        osp.join(ROOT, 'tools', 'misc', 'export_synthetic_clips.py'))
    export = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(export)
    root = str(tmp_path_factory.mktemp('clips'))
    faces = DATASETS.build(
        dict(type='SyntheticFaceDataset', num_clips=2, frames_per_clip=4,
             image_size=32, seed=0, test_mode=True))
    export.export_split(faces, root, 'train')
    return root, faces


def _frames(root, **kwargs):
    cfg = Config.fromfile(osp.join(ROOT, 'configs',
                                   'footage_template_k10.py'))
    child = cfg.train_dataloader.dataset.dataset
    child.update(data_root=root, ann_file='annotations/train.json', **kwargs)
    return DATASETS.build(child)


@pytest.mark.parametrize('cache', [False, True])
def test_disk_frames_are_the_memory_frames(clips, cache):
    """The whole 32x32 frame is the box: the template's crop to the input
    changes no pixel and no point (no half-pixel shift)."""
    root, faces = clips
    frames = _frames(root, cache_images=cache)
    assert len(frames) == len(faces) == 8
    for idx in range(len(frames)):
        sample = frames.prepare_data(idx)
        info = faces.get_data_info(idx)
        np.testing.assert_array_equal(sample['img'], faces.draw(info))
        np.testing.assert_allclose(sample['transformed_keypoints'],
                                   info['keypoints'], atol=1e-3)
        np.testing.assert_allclose(sample['bbox'], [[0, 0, 32, 32]])


def test_cache_decodes_each_frame_once(clips, tmp_path):
    import shutil
    root = str(tmp_path / 'copy')
    shutil.copytree(clips[0], root)
    frames = _frames(root, cache_images=True)
    first = [frames.prepare_data(i)['img'] for i in range(len(frames))]
    for folder, _, files in os.walk(osp.join(root, 'train')):
        for name in files:
            os.remove(osp.join(folder, name))
    again = frames.prepare_data(3)
    np.testing.assert_array_equal(again['img'], first[3])
    again['img'][:] = 0  # a transform writing into its image...
    np.testing.assert_array_equal(frames.prepare_data(3)['img'], first[3])
    # ...and without the cache the files are read (and are gone)
    with pytest.raises(Exception):
        _frames(root).prepare_data(3)


@pytest.mark.parametrize('shape,box,skips', [
    ((32, 32), (0, 0, 32, 32), True),  # the whole frame, the input's size
    ((32, 40), (0, 0, 40, 32), False),  # the whole frame, padded to a square
    ((32, 32), (3, 5, 27, 30), False),  # a box inside
    ((64, 64), (0, 0, 64, 64), False),  # the whole frame, larger
])
def test_frame_to_input_is_topdown_affine(shape, box, skips, monkeypatch):
    import cv2
    from mmcv.transforms import Compose
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, shape + (3, ), dtype=np.uint8)
    points = rng.uniform(0, 32, (1, 5, 2)).astype(np.float32)
    warps = []

    def warp(*args, **kwargs):
        warps.append(1)
        return cv2_warp(*args, **kwargs)

    cv2_warp = cv2.warpAffine
    monkeypatch.setattr(cv2, 'warpAffine', warp)

    def run(kind):
        steps = Compose([
            dict(type='GetBBoxCenterScale', padding=1.0),
            dict(type=kind, input_size=(32, 32))
        ])
        return steps(
            dict(img=image.copy(), img_shape=shape,
                 bbox=np.array([box], np.float32), keypoints=points.copy(),
                 keypoints_visible=np.ones((1, 5), np.float32)))

    fast = run('FrameToInput')
    assert len(warps) == (0 if skips else 1)
    slow = run('TopdownAffine')
    assert fast.keys() == slow.keys()
    for key in ('img', 'transformed_keypoints', 'bbox_scale', 'input_center',
                'input_scale'):
        np.testing.assert_array_equal(fast[key], slow[key], err_msg=key)
    assert fast['input_size'] == slow['input_size'] == (32, 32)
