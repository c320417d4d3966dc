"""mmpose's own face datasets as the source of pairs and of the regression."""
import os.path as osp

import numpy as np
import pytest
from face_fixtures import MMPOSE_TESTDATA

from mmkp_unsup.datasets import RegressionSplitDataset, SubsetDataset
from mmpose.registry import DATASETS

NO_WARP = dict(rotation_sd=0.0, scale_sd=0.0, translation_sd=0.0,
               jitter_sd=(0.0, 0.0))
SHIFT = dict(rotation_sd=0.0, scale_sd=0.0, translation_sd=0.3,
             jitter_sd=(0.0, 0.0))
CROP = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=(64, 64)),
]


def _mmpose_dataset(name, ann, dataset_type, pipeline):
    root = osp.join(MMPOSE_TESTDATA, name)
    if not osp.isdir(root):
        pytest.skip(f'mmpose test data not found at {root}')
    return DATASETS.build(
        dict(type=dataset_type, data_root=root, ann_file=ann,
             data_prefix=dict(img=''), test_mode=True, pipeline=pipeline))


def test_mmpose_aflw_as_tps_pairs():
    crop_only = _mmpose_dataset('aflw', 'test_aflw.json', 'AFLWDataset',
                                CROP)
    pairs = _mmpose_dataset(
        'aflw', 'test_aflw.json', 'AFLWDataset', CROP + [
            dict(type='TPSPairWarp', target_warp=NO_WARP),
            dict(type='PackPairInputs', pack_transformed=True)
        ])
    reference = crop_only[0]
    packed = pairs[0]
    assert packed['inputs']['target'].shape == (3, 64, 64)
    assert packed['inputs']['source'].shape == (3, 64, 64)
    gt = packed['data_samples'].gt_instances
    # no target warp: the landmarks stay where TopdownAffine put them
    np.testing.assert_allclose(gt.transformed_keypoints,
                               reference['transformed_keypoints'], atol=1e-3)
    np.testing.assert_allclose(gt.keypoints, reference['keypoints'])
    assert packed['data_samples'].gt_fields.loss_mask.shape == (1, 64, 64)


def test_tps_pair_warp_moves_the_cropped_landmarks():
    dataset = _mmpose_dataset('aflw', 'test_aflw.json', 'AFLWDataset', CROP)
    from mmkp_unsup.datasets.transforms import TPSPairWarp
    results = dataset[1]
    original = results['keypoints'].copy()
    cropped = results['transformed_keypoints'].copy()
    np.random.seed(3)
    warped = TPSPairWarp(target_warp=SHIFT, with_loss_mask=False)(
        dict(results))
    # a pure translation of the target: every landmark moves by one offset
    shift = warped['transformed_keypoints'] - cropped
    assert np.abs(shift).max() > 1.0
    np.testing.assert_allclose(shift, shift[:, :1].repeat(shift.shape[1], 1),
                               atol=1e-2)
    # ... and the image content moved with it (the same offset)
    img, out = results['img'].astype(float), warped['img'].astype(float)
    dx, dy = np.round(shift[0, 0]).astype(int)
    h, w = img.shape[:2]
    ys = slice(max(dy, 0) + 8, h + min(dy, 0) - 8)
    xs = slice(max(dx, 0) + 8, w + min(dx, 0) - 8)
    src_ys = slice(ys.start - dy, ys.stop - dy)
    src_xs = slice(xs.start - dx, xs.stop - dx)
    assert np.abs(out[ys, xs] - img[src_ys, src_xs]).mean() < 12
    # the original image's landmarks are left alone
    np.testing.assert_array_equal(warped['keypoints'], original)


def test_mmpose_300w_as_regression_source():
    test_pipeline = CROP + [dict(type='PackPairInputs',
                                 pack_transformed=True)]
    _mmpose_dataset('300w', 'test_300w.json', 'Face300WDataset', [])
    source = dict(type='Face300WDataset',
                  data_root=osp.join(MMPOSE_TESTDATA, '300w'),
                  ann_file='test_300w.json', data_prefix=dict(img=''),
                  test_mode=True, pipeline=test_pipeline)
    dataset = RegressionSplitDataset(
        fit_dataset=dict(type='SubsetDataset', dataset=source, end=0.5),
        eval_dataset=SubsetDataset(source, start=0.5))
    assert len(dataset) == 2
    samples = [dataset[i]['data_samples'] for i in range(2)]
    assert [s.regression_split for s in samples] == ['fit', 'eval']
    for sample in samples:
        landmarks = sample.gt_instances.transformed_keypoints
        assert landmarks.shape == (1, 68, 2)
        assert (landmarks >= 0).all() and (landmarks < 64).all()
    with pytest.raises(ValueError, match='0 <= start < end <= 1'):
        SubsetDataset(source, start=0.6, end=0.5)
