"""The inference API: model loading, coordinate frames, the stored
regressor, mmpose's inference_topdown, fixture images."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmkp_unsup.apis import inference_landmarks, init_model, read_image
from mmkp_unsup.apis.inference import (array_dataset_meta,
                                       plain_dataset_meta)
from mmkp_unsup.datasets import SyntheticFaceDataset
from mmkp_unsup.evaluation import LandmarkRegressionMetric
from mmpose.structures import PoseDataSample

TINY_MODEL = {
    'model.backbone.n_filters': 4,
    'model.appearance_encoder.n_filters': 4,
    'model.generator.n_filters': 2,
}


def fixtures_dir(repo_root):
    path = osp.join(repo_root, '..', 'shared', 'fixtures', 'mmpose_testdata')
    if not osp.isdir(path):
        pytest.skip(f'mmpose test data not found at {path}')
    return path


@pytest.fixture(scope='module')
def config():
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    return osp.join(root, 'configs', 'synthetic_k10.py')


@pytest.fixture(scope='module')
def model(config):
    torch.manual_seed(0)
    return init_model(config, cfg_options=TINY_MODEL)


@pytest.fixture(scope='module')
def faces():
    dataset = SyntheticFaceDataset(
        num_clips=6, seed=5, test_mode=True, pipeline=[])
    return [dataset.draw(dataset.get_data_info(i)) for i in range(6)]


def fitted_regressor(model, seed=0):
    rng = np.random.default_rng(seed)
    k = model.num_keypoints
    weights = rng.normal(0, 0.1, (2 * k, 5, 2)).astype(np.float32)
    return weights


def test_whole_image_is_the_network_input(model, faces):
    """A 32x32 image with no box: the affine is the identity, so the API
    gives exactly what predict gives on the plain tensors."""
    results = inference_landmarks(model, faces, batch_size=4)
    assert len(results) == 6
    images = torch.stack(
        [torch.from_numpy(f).permute(2, 0, 1) for f in faces])
    data = model.data_preprocessor(
        dict(inputs=list(images),
             data_samples=[PoseDataSample() for _ in faces]), False)
    model.test_cfg['output_space'] = 'input'
    try:
        with torch.no_grad():
            samples = model.predict(data['inputs'], data['data_samples'])
    finally:
        model.test_cfg['output_space'] = 'image'
    for result, sample in zip(results, samples):
        assert result['keypoints'].shape == (10, 2)
        assert result['keypoint_scores'].shape == (10, )
        np.testing.assert_allclose(
            result['keypoints'],
            sample.pred_instances.learned_keypoints[0],
            atol=1e-4)
        assert 'landmarks' not in result  # no regressor stored


def test_points_follow_a_box_and_a_rescaling(model, faces):
    """Keypoints come back in pixels of the original image."""
    face = faces[0]
    plain = inference_landmarks(model, face)[0]['keypoints']
    # the face pasted at (40, 25) in a larger canvas, found through a box
    canvas = np.full((100, 120, 3), 30, np.uint8)
    canvas[25:57, 40:72] = face
    boxed = inference_landmarks(model, canvas, bboxes=[40, 25, 72, 57])[0]
    np.testing.assert_allclose(boxed['keypoints'], plain + [40, 25],
                               atol=1e-3)
    np.testing.assert_allclose(boxed['bbox'], [40, 25, 72, 57])
    # the face upscaled x4: points x4 (up to interpolation differences)
    big = cv2.resize(face, (128, 128), interpolation=cv2.INTER_NEAREST)
    scaled = inference_landmarks(model, big)[0]['keypoints']
    np.testing.assert_allclose(scaled, plain * 4, atol=1.0)


def test_mmpose_inference_topdown_matches(model, repo_root):
    from mmpose.apis import inference_topdown
    image = osp.join(fixtures_dir(repo_root), 'aflw', 'image04476.jpg')
    ours = inference_landmarks(model, image)[0]
    samples = inference_topdown(model, image)
    np.testing.assert_allclose(samples[0].pred_instances.keypoints[0],
                               ours['keypoints'], atol=1e-4)
    box = [100, 120, 300, 320]
    ours = inference_landmarks(model, image, bboxes=box)[0]
    samples = inference_topdown(model, image, bboxes=np.array([box]))
    np.testing.assert_allclose(samples[0].pred_instances.keypoints[0],
                               ours['keypoints'], atol=1e-4)
    assert (ours['keypoints'] >= 100).all() and (ours['keypoints']
                                                 <= 320).all()


def test_fixture_images_and_clip_frames(model, repo_root):
    root = fixtures_dir(repo_root)
    paths = sorted(
        glob.glob(osp.join(root, '300vw', '*', 'imgs', '*.jpg')) +
        glob.glob(osp.join(root, 'aflw', '*.jpg')) +
        glob.glob(osp.join(root, '300w', '*.png')) +
        glob.glob(osp.join(root, 'cofw', '*.jpg')))
    assert len(paths) >= 8
    results = inference_landmarks(model, paths, batch_size=3)
    assert len(results) == len(paths)
    for path, result in zip(paths, results):
        h, w = cv2.imread(path).shape[:2]
        kpts = result['keypoints']
        assert kpts.shape == (10, 2) and np.isfinite(kpts).all()
        assert result['img_path'] == path
        # a random model points near the centre of the (square) crop:
        # inside the image
        assert (kpts[:, 0] >= 0).all() and (kpts[:, 0] <= w).all(), path
        assert (kpts[:, 1] >= 0).all() and (kpts[:, 1] <= h).all(), path
        np.testing.assert_allclose(result['bbox'], [0, 0, w, h])


def test_stored_regressor_gives_named_landmarks(config, model, faces,
                                                tmp_path):
    weights = fitted_regressor(model)
    state = model.state_dict()
    assert state['landmark_regressor.weight'].shape == (0, 0, 2)
    state['landmark_regressor.weight'] = torch.from_numpy(weights)
    meta = plain_dataset_meta(
        SyntheticFaceDataset(num_clips=1, test_mode=True).metainfo)
    ckpt = str(tmp_path / 'detector.pth')
    torch.save(dict(meta=dict(dataset_meta=meta), state_dict=state), ckpt)
    loaded = torch.load(ckpt, weights_only=True)  # plain objects only
    assert loaded['meta']['dataset_meta']['keypoint_id2name'][2] == 'nose'

    detector = init_model(config, ckpt, cfg_options=TINY_MODEL)
    assert detector.landmark_regressor.fitted
    assert detector.landmark_regressor.weight.shape == (20, 5, 2)
    assert isinstance(detector.dataset_meta['keypoint_colors'], np.ndarray)
    results = inference_landmarks(detector, faces[:3])
    plain = inference_landmarks(model, faces[:3])
    for result, base in zip(results, plain):
        assert result['landmark_names'] == [
            'left_eye', 'right_eye', 'nose', 'left_mouth', 'right_mouth'
        ]
        assert result['landmarks'].shape == (5, 2)
        assert result['landmark_scores'].shape == (5, )
        np.testing.assert_allclose(result['keypoints'], base['keypoints'],
                                   atol=1e-5)
        expected = np.einsum('i,ilc->lc', base['keypoints'].reshape(-1),
                             weights)
        np.testing.assert_allclose(result['landmarks'], expected, atol=1e-3)

    # the metric keeps fitting on the learned points of a detector
    sample = dict(
        regression_split='fit',
        pred_instances=dict(
            keypoints=np.zeros((1, 5, 2)),
            learned_keypoints=np.ones((1, 10, 2))),
        gt_instances=dict(keypoints=np.zeros((1, 5, 2))))
    metric = LandmarkRegressionMetric()
    metric.process([], [sample])
    assert metric.results[0]['keypoints'].shape == (10, 2)


def test_dataset_meta_round_trip():
    meta = SyntheticFaceDataset(num_clips=1, test_mode=True).metainfo
    back = array_dataset_meta(plain_dataset_meta(meta))
    for key, value in meta.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(back[key], value)
            assert back[key].dtype == value.dtype
        else:
            assert back[key] == value, key


def test_bad_inputs_name_the_problem(model, tmp_path):
    bad = tmp_path / 'broken.jpg'
    bad.write_bytes(b'not a jpeg at all')
    with pytest.raises(ValueError, match='broken.jpg'):
        read_image(str(bad))
    with pytest.raises(FileNotFoundError, match='missing.png'):
        inference_landmarks(model, str(tmp_path / 'missing.png'))
    with pytest.raises(ValueError, match='x2 > x1'):
        inference_landmarks(model, np.zeros((8, 8, 3), np.uint8),
                            bboxes=[5, 5, 2, 9])
    with pytest.raises(ValueError, match='output_space'):
        from mmpose.registry import MODELS
        from mmengine.config import Config
        cfg = Config.fromfile(
            osp.join(
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(
                    __file__)))), 'configs', 'synthetic_k10.py'))
        cfg.model.test_cfg = dict(output_space='world')
        MODELS.build(cfg.model)


def test_box_to_input_transform():
    from mmkp_unsup.datasets.transforms import BoxToInput
    image = np.zeros((60, 100, 3), np.uint8)
    image[20:40, 50:70] = 255  # a white square
    results = dict(
        img=image,
        bbox_center=np.array([[60., 30.]]),
        bbox_scale=np.array([[40., 20.]]),
        keypoints=np.array([[[50., 20.], [70., 40.]]]))
    out = BoxToInput(input_size=(16, 8))(results)
    assert out['img'].shape == (8, 16, 3)
    # the box [40, 80] x [20, 40] fills the input (x 0.4 px per pixel in
    # x, 0.4 in y); the square [50, 70] is input columns 4..12, full height
    img = out['img']
    assert img[:, 5:11].min() > 200
    assert img[:, :3].max() < 60 and img[:, 13:].max() < 60
    np.testing.assert_allclose(out['transformed_keypoints'][0],
                               [[4, 0], [12, 8]])
    assert out['input_size'] == (16, 8)
    np.testing.assert_allclose(out['input_scale'], [40, 20])
    assert 'BoxToInput(input_size=(16, 8))' == repr(BoxToInput((16, 8)))
    # strong reductions average the area (no aliasing of a fine pattern)
    stripes = np.zeros((400, 400, 3), np.uint8)
    stripes[:, ::2] = 255
    small = BoxToInput((8, 8))(dict(
        img=stripes, bbox_center=np.array([[200., 200.]]),
        bbox_scale=np.array([[400., 400.]])))['img']
    assert np.abs(small.astype(float) - 127.5).max() < 3
