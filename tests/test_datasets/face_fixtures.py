"""Tiny face datasets written in their official layouts (a few KB each)."""
import json
import os
import os.path as osp

import cv2
import numpy as np

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# ../shared/fixtures next to the repository (a worktree may sit one level
# deeper)
MMPOSE_TESTDATA = next(
    (p for p in (osp.join(osp.dirname(_REPO), 'shared', 'fixtures',
                          'mmpose_testdata'),
                 osp.join(osp.dirname(osp.dirname(_REPO)), 'shared',
                          'fixtures', 'mmpose_testdata')) if osp.isdir(p)),
    osp.join(_REPO, '..', 'shared', 'fixtures', 'mmpose_testdata'))


def _image(path: str, width: int, height: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, img), path


def landmarks_for(index: int, width: int, height: int) -> np.ndarray:
    """Deterministic landmarks ``[5, 2]`` ``(x, y)`` of image ``index``."""
    rng = np.random.default_rng(100 + index)
    return np.stack([rng.integers(2, width - 2, 5),
                     rng.integers(2, height - 2, 5)], 1).astype(float)


# CelebA: 12 images; partition 0 for 1-8, 1 for 9-10, 2 for 11-12; MAFL
# training 1-6 and 9 (its last, 9, is the MAFL validation), MAFL test 7-8.
CELEBA_SIZE = (18, 22)  # (w, h), the aligned images' aspect (178 x 218)
CELEBA_PARTITION = [0] * 8 + [1] * 2 + [2] * 2
CELEBA_MAFL_TRAIN = [1, 2, 3, 4, 5, 6, 9]
CELEBA_MAFL_TEST = [7, 8]


def celeba_name(i: int) -> str:
    return f'{i:06d}.jpg'


def write_celeba(root: str, image_folder: str = 'Img/img_align_celeba',
                 extra_mafl_train: int = 0) -> str:
    """CelebA + MAFL in the official layout under ``root``.

    ``extra_mafl_train`` appends images 13, 14... in partition 0 and in
    MAFL training (enough fitting samples for a landmark regression); the
    last 10 % of MAFL training, the MAFL validation, then comes from them.
    """
    w, h = CELEBA_SIZE
    count = 12 + extra_mafl_train
    extra = list(range(13, count + 1))
    lines = [str(count), 'lefteye_x lefteye_y righteye_x righteye_y nose_x '
             'nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y']
    for i in range(1, count + 1):
        _image(osp.join(root, image_folder, celeba_name(i)), w, h, i)
        points = landmarks_for(i, w, h)
        lines.append(celeba_name(i) + ' ' +
                     ' '.join(str(int(v)) for v in points.ravel()))
    _write(osp.join(root, 'Anno', 'list_landmarks_align_celeba.txt'), lines)
    _write(osp.join(root, 'Eval', 'list_eval_partition.txt'), [
        f'{celeba_name(i)} {p}'
        for i, p in enumerate(CELEBA_PARTITION + [0] * len(extra), start=1)
    ])
    _write(osp.join(root, 'MAFL', 'training.txt'),
           [celeba_name(i) for i in CELEBA_MAFL_TRAIN + extra])
    _write(osp.join(root, 'MAFL', 'testing.txt'),
           [celeba_name(i) for i in CELEBA_MAFL_TEST])
    return root


# AFLW_R: 10 training images (last one = validation), 3 test images.
AFLW_SIZES = dict(train=10, test=3)


def write_aflw(root: str) -> str:
    """AFLW_R in the layout released by Zhang et al. under ``root``."""
    from scipy.io import savemat
    for subset, count in AFLW_SIZES.items():
        names, gt, hw = [], [], []
        for i in range(count):
            width, height = 20 + i, 24
            name = f'{subset}/img{i:03d}.jpg'
            _image(osp.join(root, 'output', name), width, height, i)
            names.append(name)
            gt.append(landmarks_for(i, width, height)[:, ::-1])  # (y, x)
            hw.append((height, width))
        _write(osp.join(root, f'aflw_{subset}_images.txt'), names)
        savemat(
            osp.join(root, f'aflw_{subset}_keypoints.mat'),
            dict(gt=np.asarray(gt), hw=np.asarray(hw)))
    return root


def write_voxceleb1(root: str, frames: int = 3) -> str:
    """Two identities, three clips in the VoxCeleb1 frame layout."""
    base = osp.join(root, 'unzippedIntervalFaces', 'data')
    seed = 0
    for name, video, clip in (('A.Person', 'yt1', '1'), ('A.Person', 'yt1',
                                                          '2'),
                              ('B.Person', 'yt9', '1')):
        for f in range(1, frames + 1):
            seed += 1
            _image(
                osp.join(base, name, '1.6', video, clip, f'{f:07d}.jpg'), 16,
                16, seed)
    return root


def write_voxceleb2(root: str, frames: int = 12) -> str:
    """Two videos of ``frames`` frames (frame k is grey level 10 k)."""
    for person, video, clip in (('id00001', 'ytA', '00001'),
                                ('id00002', 'ytB', '00001')):
        path = osp.join(root, 'dev', 'mp4', person, video, clip + '.mp4')
        os.makedirs(osp.dirname(path), exist_ok=True)
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                                 (16, 16))
        assert writer.isOpened()
        for k in range(frames):
            writer.write(np.full((16, 16, 3), 10 * k, np.uint8))
        writer.release()
    return root


def write_clip_folders(root: str) -> str:
    """Users' footage: ``train/<clip>/<frame>.png`` + a COCO file in which
    some frames have no annotation, and ``eval/<clip>/<frame>.png``."""
    images, anns = [], []
    frames = dict(clipA=['f1.png', 'f2.png', 'f10.png'],
                  clipB=['0003.png', '0004.png'])
    for clip, names in frames.items():
        for name in names:
            idx = len(images)
            file_name = f'train/{clip}/{name}'
            _image(osp.join(root, file_name), 24, 20, idx)
            images.append(dict(id=idx, file_name=file_name, width=24,
                               height=20))
            if name in ('f2.png', 'f10.png'):
                continue  # frames without annotation
            points = landmarks_for(idx, 24, 20)
            anns.append(dict(
                id=100 + idx, image_id=idx, category_id=1, iscrowd=0,
                num_keypoints=5, bbox=[2, 2, 18, 15], area=270.0,
                keypoints=np.concatenate([points, np.full((5, 1), 2)],
                                         1).ravel().tolist()))
    categories = [dict(id=1, name='face', keypoints=[
        'left_eye', 'right_eye', 'nose', 'left_mouth', 'right_mouth'])]
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    with open(osp.join(root, 'annotations', 'train.json'), 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=categories), f)
    return root


def _write(path: str, lines) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
