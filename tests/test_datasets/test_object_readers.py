"""SVHN (formats 1 and 2) and smallNORB readers, on tiny files in their
official formats written in tmp_path."""
import os
import os.path as osp

import cv2
import h5py
import numpy as np
import pytest
import scipy.io
from mmengine.registry import DefaultScope
from reader_test_utils import tiny_config, train_two_iterations

from mmkp_unsup.datasets import (FramePairDataset, SmallNORBDataset,
                                 SVHNDataset, SVHNFullNumbersDataset)
from mmkp_unsup.datasets.datasets.objects import (read_digit_struct,
                                                  read_norb_header,
                                                  read_norb_matrix)

# -------------------------------------------------------------------- SVHN


def svhn_images(num: int) -> np.ndarray:
    """``32 x 32 x 3 x N`` RGB: sample i has red = 10 i, green = 1."""
    images = np.zeros((32, 32, 3, num), np.uint8)
    images[:, :, 0] = (10 * np.arange(num)).astype(np.uint8)
    images[:, :, 1] = 1
    return images


@pytest.fixture(scope='module')
def svhn_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('svhn'))
    labels = np.array([[10], [1], [2], [3], [4], [5]], np.uint8)
    scipy.io.savemat(
        osp.join(root, 'train_32x32.mat'), {
            'X': svhn_images(6),
            'y': labels
        })
    return root


def test_svhn_format2(svhn_root):
    ds = SVHNDataset(data_root=svhn_root,
                     pipeline=[dict(type='LoadImage')])
    assert len(ds) == 6
    assert [d['label'] for d in ds] == [0, 1, 2, 3, 4, 5]  # 10 is 0
    sample = ds[3]
    img = sample['img']
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    # BGR, as mmpose's LoadImage gives
    assert (img[..., 2] == 30).all() and (img[..., 1] == 1).all()
    assert (img[..., 0] == 0).all()
    np.testing.assert_array_equal(sample['bbox'], [[0, 0, 32, 32]])
    assert ds.metainfo['dataset_name'] == 'svhn'


def test_svhn_format2_errors_name_the_file(tmp_path):
    path = str(tmp_path / 'train_32x32.mat')
    with pytest.raises(FileNotFoundError, match='train_32x32.mat'):
        SVHNDataset(data_root=str(tmp_path))
    scipy.io.savemat(path, {'X': svhn_images(2)})
    with pytest.raises(ValueError, match="train_32x32.mat has no .*'y'"):
        SVHNDataset(data_root=str(tmp_path))
    scipy.io.savemat(path, {'X': svhn_images(2), 'y': np.array([[1], [11]])})
    with pytest.raises(ValueError, match=r'y\(2\) = 11'):
        SVHNDataset(data_root=str(tmp_path))
    scipy.io.savemat(path, {'X': svhn_images(2), 'y': np.array([[1]])})
    with pytest.raises(ValueError, match='2 images in X but 1 labels'):
        SVHNDataset(data_root=str(tmp_path))


def write_digit_struct(path: str, entries) -> None:
    """MATLAB v7.3 (HDF5) digitStruct: /digitStruct/name and /bbox hold
    object references; a bbox field with one digit holds the value, with
    several digits references to one value each."""
    with h5py.File(path, 'w') as f:
        refs = f.create_group('#refs#')
        names = f.create_dataset('digitStruct/name', (len(entries), 1),
                                 dtype=h5py.ref_dtype)
        boxes = f.create_dataset('digitStruct/bbox', (len(entries), 1),
                                 dtype=h5py.ref_dtype)
        counter = iter(range(10**6))
        for i, (name, digits) in enumerate(entries):
            chars = refs.create_dataset(
                f'n{i}', data=np.array([[ord(c)] for c in name], np.uint16))
            names[i, 0] = chars.ref
            group = refs.create_group(f'b{i}')
            for key in ('height', 'label', 'left', 'top', 'width'):
                values = [float(d[key]) for d in digits]
                if len(values) == 1:
                    group.create_dataset(key, data=np.array([[values[0]]]))
                else:
                    field = group.create_dataset(key, (len(values), 1),
                                                 dtype=h5py.ref_dtype)
                    for j, value in enumerate(values):
                        ds = refs.create_dataset(f'v{next(counter)}',
                                                 data=np.array([[value]]))
                        field[j, 0] = ds.ref
            boxes[i, 0] = group.ref


def digit(label, left, top, width=5, height=10):
    return dict(label=label, left=left, top=top, width=width, height=height)


@pytest.fixture(scope='module')
def svhn_full_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('svhn_full'))
    os.makedirs(osp.join(root, 'train'))
    for i in (1, 2):
        cv2.imwrite(osp.join(root, 'train', f'{i}.png'),
                    np.full((30, 40, 3), 50 * i, np.uint8))
    write_digit_struct(
        osp.join(root, 'train', 'digitStruct.mat'),
        [('1.png', [digit(1, 4, 5), digit(10, 12, 6, height=12)]),
         ('2.png', [digit(7, 20, 3)])])
    return root


def test_svhn_format1(svhn_full_root):
    entries = read_digit_struct(
        osp.join(svhn_full_root, 'train', 'digitStruct.mat'))
    assert [e['name'] for e in entries] == ['1.png', '2.png']
    assert entries[0]['digits'][1] == digit(10, 12, 6, height=12)
    ds = SVHNFullNumbersDataset(
        data_root=svhn_full_root, pipeline=[dict(type='LoadImage')])
    assert len(ds) == 2
    first = ds[0]
    assert first['digits'] == [1, 0]
    np.testing.assert_array_equal(first['digit_bboxes'],
                                  [[4, 5, 9, 15], [12, 6, 17, 18]])
    np.testing.assert_array_equal(first['bbox'], [[4, 5, 17, 18]])
    assert first['img'].shape == (30, 40, 3)
    assert ds[1]['digits'] == [7]


def test_svhn_format1_errors_name_the_entry(tmp_path):
    path = str(tmp_path / 'digitStruct.mat')
    with pytest.raises(FileNotFoundError, match='digitStruct.mat'):
        read_digit_struct(path)
    scipy.io.savemat(path, {'a': 1})  # MATLAB v5, not HDF5
    with pytest.raises(ValueError, match='HDF5'):
        read_digit_struct(path)
    write_digit_struct(path, [('1.png', [digit(1, 0, 0)]),
                              ('2.png', [digit(12, 0, 0)])])
    with pytest.raises(ValueError, match=r'digitStruct\(2\) \(2.png\) has '
                       'labels'):
        SVHNFullNumbersDataset(data_root=str(tmp_path),
                               ann_file='digitStruct.mat')
    write_digit_struct(path, [('1.png', [digit(1, 0, 0, width=0)])])
    with pytest.raises(ValueError, match=r'digitStruct\(1\).*empty digit'):
        SVHNFullNumbersDataset(data_root=str(tmp_path),
                               ann_file='digitStruct.mat')


def test_svhn_static_pairs_by_warps(svhn_root):
    ds = SVHNDataset(
        data_root=svhn_root,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='TPSPairWarp', mask_margin=2, mask_ramp=4),
            dict(type='PackPairInputs')
        ])
    sample = ds[2]
    assert set(sample['inputs']) == {'target', 'source'}
    assert sample['data_samples'].gt_fields.loss_mask.shape == (1, 32, 32)


def test_svhn_config_trains_without_validation(svhn_root, tmp_path):
    cfg = tiny_config('svhn_k10.py', str(tmp_path / 'work'), svhn_root)
    assert cfg.val_dataloader is None and cfg.test_dataloader is None
    with DefaultScope.overwrite_default_scope('mmpose'):
        runner = train_two_iterations(cfg)
    assert runner.val_loop is None
    assert runner.message_hub.get_scalar('train/loss') is not None


# --------------------------------------------------------------- smallNORB
PREFIX = 'smallnorb-5x46789x9x18x6x2x96x96-training'


def write_norb(path: str, array: np.ndarray, magic: int) -> None:
    """NORB binary matrix: int32 magic, ndim, max(3, ndim) dims, data."""
    dims = list(array.shape) + [1] * max(0, 3 - array.ndim)
    header = np.array([magic, array.ndim] + dims, dtype='<i4')
    with open(path, 'wb') as f:
        f.write(header.tobytes())
        f.write(np.ascontiguousarray(array).tobytes())


def norb_fixture(root: str, size: int = 24) -> tuple:
    """8 stereo pairs: 2 toys (category 1 instance 4, category 3 instance
    6) in 4 poses each; pixel value = 10 * pair + camera."""
    num = 8
    dat = np.zeros((num, 2, size, size), np.uint8)
    for i in range(num):
        dat[i, 0], dat[i, 1] = 10 * i, 10 * i + 1
    cat = np.array([1, 1, 1, 1, 3, 3, 3, 3], '<i4')
    info = np.array([[4 if c == 1 else 6, i % 9, 2 * i, i % 6]
                     for i, c in enumerate(cat)], '<i4')
    write_norb(osp.join(root, f'{PREFIX}-dat.mat'), dat, 0x1E3D4C55)
    write_norb(osp.join(root, f'{PREFIX}-cat.mat'), cat, 0x1E3D4C54)
    write_norb(osp.join(root, f'{PREFIX}-info.mat'), info, 0x1E3D4C54)
    return dat, cat, info


@pytest.fixture(scope='module')
def norb_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('smallnorb'))
    norb_fixture(root)
    return root


def test_norb_binary_format(norb_root):
    dat_path = osp.join(norb_root, f'{PREFIX}-dat.mat')
    dtype, shape, offset = read_norb_header(dat_path)
    assert (dtype, shape, offset) == (np.uint8, (8, 2, 24, 24), 24)
    cat = read_norb_matrix(osp.join(norb_root, f'{PREFIX}-cat.mat'))
    assert cat.shape == (8, ) and cat.dtype == np.int32  # 3 dims stored
    assert read_norb_matrix(dat_path, mmap=True)[5, 1, 0, 0] == 51


def test_smallnorb_samples(norb_root):
    ds = SmallNORBDataset(norb_root, pipeline=[dict(type='LoadImage')])
    assert len(ds) == 8
    sample = ds[5]
    assert sample['img'].shape == (24, 24, 3)
    assert (sample['img'] == 50).all()  # left camera
    assert sample['category_name'] == 'truck'
    assert sample['clip_id'] == (3, 6)
    assert sample['frame_id'] == (0, 5, 10, 5)  # camera, elev., azim., light
    both = SmallNORBDataset(norb_root, camera='both',
                            pipeline=[dict(type='LoadImage')])
    assert len(both) == 16 and (both[11]['img'] == 51).all()


def test_smallnorb_pairs_two_views_of_one_toy(norb_root):
    pairs = FramePairDataset(
        dataset=dict(type='SmallNORBDataset', data_root=norb_root,
                     pipeline=[dict(type='LoadImage')]),
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=1,
                          max_gap=None),
        pipeline=[dict(type='PackPairInputs')])
    sources = set()
    for _ in range(5):
        for idx in range(len(pairs)):
            meta = pairs[idx]['data_samples'].metainfo
            assert meta['source_id'] != idx
            assert meta['source_id'] // 4 == idx // 4  # the same toy
            sources.add((idx, meta['source_id']))
    assert len(sources) > 16  # several views per toy, not one fixed pair


def test_smallnorb_errors_name_the_file(tmp_path):
    root = str(tmp_path)
    with pytest.raises(FileNotFoundError, match='training-dat.mat'):
        SmallNORBDataset(root)
    dat, cat, info = norb_fixture(root)
    info_path = osp.join(root, f'{PREFIX}-info.mat')
    write_norb(info_path, info[:7], 0x1E3D4C54)
    with pytest.raises(ValueError, match=r'info.mat: shape \(7, 4\)'):
        SmallNORBDataset(root)
    write_norb(info_path, info, 0x12345678)
    with pytest.raises(ValueError, match='info.mat: unknown magic'):
        SmallNORBDataset(root)
    write_norb(info_path, info, 0x1E3D4C54)
    with open(info_path, 'ab') as f:
        f.write(b'\0\0')
    with pytest.raises(ValueError, match='info.mat: the header gives'):
        SmallNORBDataset(root)
    with pytest.raises(ValueError, match='camera'):
        SmallNORBDataset(root, camera=2)


def test_smallnorb_config_trains_without_validation(norb_root, tmp_path):
    cfg = tiny_config('smallnorb_k10.py', str(tmp_path / 'work'), norb_root)
    with DefaultScope.overwrite_default_scope('mmpose'):
        runner = train_two_iterations(cfg)
    assert runner.val_loop is None
