"""Face dataset readers on tiny files in their official layouts."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from face_fixtures import (AFLW_SIZES, CELEBA_MAFL_TEST, CELEBA_SIZE,
                           MMPOSE_TESTDATA, celeba_name, landmarks_for,
                           write_aflw, write_celeba, write_clip_folders,
                           write_voxceleb1, write_voxceleb2)

from mmkp_unsup.datasets import (AFLWRDataset, CelebAMAFLDataset,
                                 ClipFolderDataset, FramePairDataset,
                                 VoxCeleb1FramesDataset,
                                 VoxCeleb2VideoDataset)
from mmkp_unsup.datasets.transforms import (LoadVideoFrame, ResizeCrop,
                                            resize_crop_matrix)


def _infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def _names(dataset):
    return [osp.basename(i['img_path']) for i in _infos(dataset)]


# ---------------------------------------------------------------- CelebA
@pytest.fixture
def celeba(tmp_path):
    return write_celeba(str(tmp_path / 'celeba'))


def test_celeba_splits_follow_the_release(celeba):
    def names(split):
        return _names(CelebAMAFLDataset(split=split, data_root=celeba))

    # MAFL training 1-6, 9; its last 10 % (round(0.7) = 1 image, in the
    # landmark file's order) is 9: the MAFL validation
    assert names('mafl_val') == [celeba_name(9)]
    assert names('mafl_train') == [celeba_name(i) for i in range(1, 7)]
    assert names('mafl_test') == [celeba_name(i) for i in CELEBA_MAFL_TEST]
    # partition 0 minus MAFL test (7, 8); 9 is not in partition 0
    assert names('train') == [celeba_name(i) for i in range(1, 7)]
    assert names('celeba_val') == [celeba_name(10)]


def test_celeba_sample_fields_and_release_crop(celeba):
    dataset = CelebAMAFLDataset(
        split='mafl_test',
        data_root=celeba,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='ResizeCrop', resize=(160, 160),
                 crop=(16, 16, 128, 128)),
        ])
    info = dataset.get_data_info(0)
    raw = landmarks_for(7, *CELEBA_SIZE)
    assert info['keypoints'].shape == (1, 5, 2)
    np.testing.assert_allclose(info['keypoints'][0], raw)  # (x, y) pixels
    assert info['keypoints_visible'].shape == (1, 5)
    out = dataset[0]
    assert out['img'].shape == (128, 128, 3)
    w, h = CELEBA_SIZE
    # the release: x * 160 / w - 16, y * 160 / h - 16
    expected = raw * [160 / w, 160 / h] - 16
    np.testing.assert_allclose(out['keypoints'][0], expected, rtol=1e-5)
    assert dataset.metainfo['num_keypoints'] == 5
    assert dataset.metainfo['keypoint_id2name'][0] == 'left_eye'


def test_celeba_errors_name_file_and_line(celeba):
    anno = osp.join(celeba, 'Anno', 'list_landmarks_align_celeba.txt')
    lines = open(anno).read().splitlines()
    lines[3] = lines[3].rsplit(' ', 1)[0]  # 10 fields instead of 11
    open(anno, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match=r'list_landmarks_align_celeba.txt, '
                       r'line 4: expected 11 fields'):
        CelebAMAFLDataset(data_root=celeba)
    lines[3] = lines[3] + ' x'
    open(anno, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match='line 4: expected numbers'):
        CelebAMAFLDataset(data_root=celeba)


def test_celeba_errors_for_missing_or_unknown_files(celeba):
    mafl = osp.join(celeba, 'MAFL', 'testing.txt')
    with open(mafl, 'a') as f:
        f.write('999999.jpg\n')
    with pytest.raises(ValueError, match=r"testing.txt, line 3: "
                       r"'999999.jpg' is not in"):
        CelebAMAFLDataset(data_root=celeba)
    with pytest.raises(FileNotFoundError, match='CelebA image folder'):
        CelebAMAFLDataset(data_root=celeba,
                          image_folder='Img/img_align_celeba_hq')
    import os
    os.remove(osp.join(celeba, 'Eval', 'list_eval_partition.txt'))
    with pytest.raises(FileNotFoundError,
                       match='partition file not found: .*list_eval'):
        CelebAMAFLDataset(data_root=celeba, split='mafl_test')


# ---------------------------------------------------------------- AFLW
@pytest.fixture
def aflw(tmp_path):
    return write_aflw(str(tmp_path / 'aflw'))


def test_aflw_splits_and_yx_conversion(aflw):
    train = AFLWRDataset(split='train', data_root=aflw)
    val = AFLWRDataset(split='val', data_root=aflw)
    test = AFLWRDataset(split='test', data_root=aflw)
    assert (len(train), len(val), len(test)) == (9, 1, AFLW_SIZES['test'])
    assert _names(val) == ['img009.jpg']
    info = train.get_data_info(2)
    np.testing.assert_allclose(info['keypoints'][0],
                               landmarks_for(2, 22, 24))  # (x, y)
    assert info['image_hw'] == (24, 22)
    out = AFLWRDataset(
        split='train', data_root=aflw,
        pipeline=[dict(type='LoadImage'),
                  dict(type='ResizeCrop', resize=(128, 128))])[2]
    assert out['img'].shape == (128, 128, 3)
    np.testing.assert_allclose(out['keypoints'][0],
                               landmarks_for(2, 22, 24) * [128 / 22,
                                                           128 / 24],
                               rtol=1e-5)


def test_aflw_errors(aflw):
    from scipy.io import savemat
    listing = osp.join(aflw, 'aflw_test_images.txt')
    lines = open(listing).read().splitlines()
    open(listing, 'w').write('\n'.join([lines[0], '', *lines[1:]]) + '\n')
    with pytest.raises(ValueError, match=r'aflw_test_images.txt, line 2: '
                       'empty line'):
        AFLWRDataset(split='test', data_root=aflw)
    open(listing, 'w').write('\n'.join(lines[:2]) + '\n')
    with pytest.raises(ValueError, match=r'gt must be \[N, 5, 2\] with N = '
                       r'2 .* got \[3, 5, 2\]'):
        AFLWRDataset(split='test', data_root=aflw)
    savemat(osp.join(aflw, 'aflw_train_keypoints.mat'),
            dict(gt=np.zeros((10, 5, 2))))
    with pytest.raises(ValueError, match="no variable 'hw'"):
        AFLWRDataset(split='train', data_root=aflw)
    with pytest.raises(FileNotFoundError, match='AFLW image folder'):
        AFLWRDataset(split='train', data_root=aflw, image_folder='nope')



def test_aflw_landmarks_scaled_by_the_stored_hw(aflw):
    """The release (imm/datasets/aflw_dataset.py): (y, x) * 128 / hw with
    hw the .mat file's, not the loaded image's."""
    from scipy.io import loadmat, savemat
    mat = loadmat(osp.join(aflw, 'aflw_train_keypoints.mat'))
    pipeline = [
        dict(type='LoadImage'),
        dict(type='ResizeCrop', resize=(128, 128),
             keypoint_size_from='image_hw')
    ]
    out = AFLWRDataset(split='train', data_root=aflw, pipeline=pipeline)[3]
    expected_yx = mat['gt'][3] * 128.0 / mat['hw'][3][None]
    np.testing.assert_allclose(out['keypoints'][0], expected_yx[:, ::-1],
                               rtol=1e-5)
    # a .mat whose hw disagrees with the image: an error naming the image
    hw = mat['hw'].copy()
    hw[3] = [30, 20]
    savemat(osp.join(aflw, 'aflw_train_keypoints.mat'),
            dict(gt=mat['gt'], hw=hw))
    dataset = AFLWRDataset(split='train', data_root=aflw, pipeline=pipeline)
    with pytest.raises(ValueError, match=r'img003\.jpg: the image is 24x23 '
                       r'\(h x w\) but its annotation gives hw = \(30, 20\)'):
        dataset[3]
    # the image's size instead (the earlier behaviour) does not look at hw
    pipeline[1]['keypoint_size_from'] = 'image'
    out = AFLWRDataset(split='train', data_root=aflw, pipeline=pipeline)[3]
    np.testing.assert_allclose(out['keypoints'][0], expected_yx[:, ::-1],
                               rtol=1e-5)
    with pytest.raises(KeyError, match='image_hw'):
        ResizeCrop(resize=(8, 8), keypoint_size_from='image_hw')(
            dict(img=np.zeros((4, 4, 3), np.uint8),
                 keypoints=np.zeros((1, 1, 2))))
    with pytest.raises(ValueError, match='keypoint_size_from'):
        ResizeCrop(resize=(8, 8), keypoint_size_from='hw')


def test_celeba_image_folder_list_reads_the_first_present(celeba, tmp_path):
    import shutil
    folders = ['Img/img_align_celeba_hq', 'Img/img_align_celeba']
    dataset = CelebAMAFLDataset(data_root=celeba, image_folder=folders)
    assert dataset.image_dir == osp.join(celeba, 'Img/img_align_celeba')
    assert _infos(dataset)[0]['img_path'].startswith(dataset.image_dir)
    shutil.copytree(osp.join(celeba, 'Img/img_align_celeba'),
                    osp.join(celeba, 'Img/img_align_celeba_hq'))
    dataset = CelebAMAFLDataset(data_root=celeba, image_folder=folders)
    assert dataset.image_dir == osp.join(celeba, 'Img/img_align_celeba_hq')
    assert all(i['img_path'].startswith(dataset.image_dir)
               for i in _infos(dataset))
    with pytest.raises(FileNotFoundError, match='none of'):
        CelebAMAFLDataset(data_root=celeba, image_folder=['a', 'b'])
    with pytest.raises(ValueError, match='image_folder'):
        CelebAMAFLDataset(data_root=celeba, image_folder=[])


# ---------------------------------------------------------------- ResizeCrop
def test_resize_crop_exact_mapping_follows_the_image():
    img = np.zeros((30, 40, 3), np.uint8)
    img[10, 31] = 255  # the point (x, y) = (31, 10)
    transform = ResizeCrop(resize=(79, 59), crop=(4, 2, 60, 50),
                           keypoint_mapping='exact')
    out = transform(dict(img=img, keypoints=np.array([[[31.0, 10.0]]])))
    y, x = np.unravel_index(out['img'][..., 0].argmax(), (50, 60))
    np.testing.assert_allclose(out['keypoints'][0, 0], (x, y), atol=0.5)
    np.testing.assert_allclose(
        resize_crop_matrix((30, 40), (59, 79), (4, 2)) @ [31, 10, 1],
        out['keypoints'][0, 0], rtol=1e-6)
    assert out['input_size'] == (60, 50)
    with pytest.raises(ValueError, match='does not fit'):
        ResizeCrop(resize=(10, 10), crop=(5, 5, 10, 10))
    assert 'keypoint_mapping' in repr(transform)


# ---------------------------------------------------------------- footage
def test_clip_folders_with_a_coco_file(tmp_path):
    root = write_clip_folders(str(tmp_path / 'footage'))
    dataset = ClipFolderDataset(data_root=root,
                                ann_file='annotations/train.json')
    infos = {osp.basename(i['img_path']): i for i in _infos(dataset)}
    assert len(infos) == 5  # unannotated frames kept
    assert infos['f10.png']['clip_id'] == 'train/clipA'
    # frames by name, digit runs as numbers: f1, f2, f10
    assert [infos[n]['frame_id'] for n in ('f1.png', 'f2.png', 'f10.png')
            ] == [0, 1, 2]
    assert infos['0004.png']['clip_id'] == 'train/clipB'
    assert infos['0004.png']['frame_id'] == 1
    assert infos['f2.png']['keypoints_visible'].sum() == 0
    assert infos['f2.png']['keypoints'].shape == (1, 5, 2)
    np.testing.assert_allclose(infos['f1.png']['keypoints'][0],
                               landmarks_for(0, 24, 20))
    # the whole image as the box by default, the annotation's on request
    np.testing.assert_allclose(infos['f1.png']['bbox'],
                               [[0, 0, 24, 20]])
    boxed = ClipFolderDataset(data_root=root, bbox_mode='annotation',
                              ann_file='annotations/train.json')
    assert boxed.get_data_info(0)['bbox'][0, 2] == 20
    # names of the metainfo from the file's category
    assert dataset.metainfo['keypoint_id2name'][2] == 'nose'
    labelled = ClipFolderDataset(data_root=root, with_unannotated=False,
                                 ann_file='annotations/train.json')
    assert sorted(_names(labelled)) == ['0003.png', '0004.png', 'f1.png']


def test_clip_folders_without_annotation_file_pair_frames(tmp_path):
    root = write_clip_folders(str(tmp_path / 'footage'))
    frames = dict(type='ClipFolderDataset', data_root=root,
                  data_prefix=dict(img='train/'),
                  pipeline=[dict(type='LoadImage'),
                            dict(type='GetBBoxCenterScale', padding=1.0),
                            dict(type='TopdownAffine', input_size=(16, 16))])
    pairs = FramePairDataset(dataset=frames,
                             pipeline=[dict(type='PackPairInputs')])
    infos = _infos(pairs)
    assert sorted({i['clip_id'] for i in infos}) == ['clipA', 'clipB']
    for idx in range(len(pairs)):
        sample = pairs[idx]
        source = pairs.get_data_info(sample['data_samples'].source_id)
        assert source['clip_id'] == infos[idx]['clip_id']
        assert source['img_path'] != infos[idx]['img_path']
        assert sample['inputs']['source'].shape == (3, 16, 16)


def test_clip_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='keypoint annotation file'):
        ClipFolderDataset(data_root=str(tmp_path), ann_file='missing.json')
    with pytest.raises(FileNotFoundError, match='frame folder'):
        ClipFolderDataset(data_root=str(tmp_path / 'nowhere'))
    (tmp_path / 'clip').mkdir()
    with pytest.raises(FileNotFoundError, match='no image files'):
        ClipFolderDataset(data_root=str(tmp_path))
    (tmp_path / 'clip' / '0001.png').write_bytes(b'not an image')
    with pytest.raises(ValueError, match=r'0001.png: not a readable image'):
        ClipFolderDataset(data_root=str(tmp_path))
    (tmp_path / 'bad.json').write_text(json.dumps(dict(images=[{}])))
    with pytest.raises(ValueError, match='bad.json: not a COCO-style'):
        ClipFolderDataset(data_root=str(tmp_path), ann_file='bad.json')


def test_clip_folders_on_300vw_frames():
    root = osp.join(MMPOSE_TESTDATA, '300vw')
    if not osp.isdir(root):
        pytest.skip(f'mmpose test data not found at {root}')
    # the COCO-style file (its frames lie in <video>/imgs/)
    dataset = ClipFolderDataset(
        data_root=root,
        ann_file='anno_300vw.json',
        metainfo=dict(from_file='configs/_base_/datasets/300vw.py'))
    infos = _infos(dataset)
    assert [(i['clip_id'], i['frame_id']) for i in infos] == [
        ('001/imgs', 0), ('001/imgs', 1), ('401/imgs', 0)]
    assert infos[0]['keypoints'].shape == (1, 68, 2)
    # the plain frame folders: both frames of both videos
    frames = ClipFolderDataset(data_root=root)
    assert sorted((i['clip_id'], i['frame_id']) for i in _infos(frames)) == [
        ('001/imgs', 0), ('001/imgs', 1), ('401/imgs', 0), ('401/imgs', 1)]


# ---------------------------------------------------------------- VoxCeleb
def test_voxceleb1_frames(tmp_path):
    root = write_voxceleb1(str(tmp_path / 'vox1'))
    dataset = VoxCeleb1FramesDataset(data_root=root)
    infos = _infos(dataset)
    assert len(infos) == 9
    assert sorted({i['clip_id'] for i in infos}) == [
        'A.Person/yt1/1', 'A.Person/yt1/2', 'B.Person/yt9/1']
    assert [i['frame_id'] for i in infos[:3]] == [0, 1, 2]
    only_b = VoxCeleb1FramesDataset(data_root=root, identities=['B.Person'])
    assert len(only_b) == 3
    with pytest.raises(FileNotFoundError, match="not found .*'C.Person'"):
        VoxCeleb1FramesDataset(data_root=root, identities=['C.Person'])
    with pytest.raises(ValueError, match='3 frame.*min_frames=4'):
        VoxCeleb1FramesDataset(data_root=root, min_frames=4)
    with pytest.raises(FileNotFoundError, match='VoxCeleb1 frame folder'):
        VoxCeleb1FramesDataset(data_root=str(tmp_path))


def test_voxceleb2_videos_and_frame_reading(tmp_path):
    root = write_voxceleb2(str(tmp_path / 'vox2'), frames=12)
    dataset = VoxCeleb2VideoDataset(
        data_root=root, frames_per_video=3, frame_step=5,
        pipeline=[dict(type='LoadVideoFrame')])
    infos = _infos(dataset)
    assert len(infos) == 6
    assert infos[1]['clip_id'] == 'id00001/ytA/00001'
    assert [i['frame_index'] for i in infos[:3]] == [0, 5, 10]
    img = dataset[2]['img']  # frame 10: grey level 100 (compressed)
    assert img.shape == (16, 16, 3) and abs(img.mean() - 100) < 8
    too_far = dict(video_path=infos[0]['video_path'], frame_index=40)
    with pytest.raises(ValueError, match=r'00001.mp4: cannot read frame 40 '
                       r'\(the video reports 12 frames\)'):
        LoadVideoFrame()(too_far)
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'not a video')
    with pytest.raises(ValueError, match='broken.mp4'):
        LoadVideoFrame()(dict(video_path=str(broken), frame_index=0))
    with pytest.raises(FileNotFoundError, match='video not found'):
        LoadVideoFrame()(dict(video_path=str(tmp_path / 'x.mp4'),
                              frame_index=0))


# ---------------------------------------------------------------- export
def test_export_synthetic_clips_reads_back(tmp_path, repo_root):
    import sys
    sys.path.insert(0, osp.join(repo_root, 'tools', 'misc'))
    try:
        import export_synthetic_clips as export
    finally:
        sys.path.pop(0)
    out = str(tmp_path / 'clips')
    export.main([out, '--train-clips', '2', '--frames-per-clip', '3',
                 '--fit-clips', '2', '--eval-clips', '1', '--image-size',
                 '24'])
    frames = ClipFolderDataset(data_root=out,
                               ann_file='annotations/train.json')
    infos = _infos(frames)
    assert len(infos) == 6
    assert {i['clip_id'] for i in infos} == {'train/clip00000',
                                             'train/clip00001'}
    from mmkp_unsup.datasets import SyntheticFaceDataset
    synthetic = SyntheticFaceDataset(num_clips=2, frames_per_clip=3,
                                     image_size=24, seed=0)
    for info, ref in zip(infos, _infos(synthetic)):
        assert info['frame_id'] == ref['frame_id']
        np.testing.assert_allclose(info['keypoints'], ref['keypoints'],
                                   atol=1e-3)
        img = cv2.imread(info['img_path'])
        np.testing.assert_array_equal(img, synthetic.draw(ref))
