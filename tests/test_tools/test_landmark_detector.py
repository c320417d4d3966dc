"""The detector tool, the demo and the swap grid, end to end on a model
trained a few iterations through tools/train.py."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from tool_utils import import_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'synthetic_k10.py')
MODEL = [
    # a wide init of Phi: two iterations give points that vary with the
    # image (the release's std 0.01 gives the same points for every image,
    # and a regressor fitted on them is ill-conditioned)
    'model.backbone.init_cfg.type=Normal',
    'model.backbone.init_cfg.layer=Conv2d',
    'model.backbone.init_cfg.std=1.0',
    'model.backbone.n_filters=4',
    'model.appearance_encoder.n_filters=4',
    'model.generator.n_filters=2',
]
DATA = [
    'train_dataloader.batch_size=4',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.dataset.num_clips=8',
    'train_dataloader.dataset.dataset.frames_per_clip=2',
    'train_dataloader.dataset.pair_sampler.min_gap=1',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'test_dataloader.batch_size=16',
    'test_dataloader.dataset.fit_dataset.num_clips=40',
    'test_dataloader.dataset.eval_dataset.num_clips=16',
]


def fixtures_dir():
    # ../shared/fixtures next to the repository (a worktree may sit one
    # level deeper)
    path = next((p for p in (
        osp.join(osp.dirname(ROOT), 'shared', 'fixtures', 'mmpose_testdata'),
        osp.join(osp.dirname(osp.dirname(ROOT)), 'shared', 'fixtures',
                 'mmpose_testdata')) if osp.isdir(p)),
        osp.join(ROOT, '..', 'shared', 'fixtures', 'mmpose_testdata'))
    if not osp.isdir(path):
        pytest.skip(f'mmpose test data not found at {path}')
    return path



@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A model trained 2 iterations, a config file for it and a detector
    fitted on the test dataloader's 'fit' split."""
    work = tmp_path_factory.mktemp('detector')
    train = import_tool('tools', 'train.py')
    train.main([
        CONFIG, '--work-dir', str(work), '--cfg-options', *MODEL, *DATA,
        'train_cfg.max_iters=2', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.save_best=None',
        'default_hooks.visualization.enable=False'
    ])
    ckpt = str(work / 'iter_2.pth')
    config = str(work / 'tiny.py')
    with open(config, 'w') as f:
        f.write(f"_base_ = ['{CONFIG}']\n"
                'model = dict(backbone=dict(n_filters=4), '
                'appearance_encoder=dict(n_filters=4), '
                'generator=dict(n_filters=2))\n')
    fit = import_tool('tools', 'fit_landmark_detector.py')
    detector = str(work / 'detector.pth')
    summary = fit.main(
        [config, ckpt, '--out', detector, '--cfg-options', *DATA])
    return dict(work=work, ckpt=ckpt, config=config, detector=detector,
                summary=summary)


def test_detector_checkpoint(trained):
    summary = trained['summary']
    assert summary['num_fit'] == 40 and summary['num_eval'] == 16
    assert summary['num_keypoints'] == 10 and summary['num_landmarks'] == 5
    # 40 samples, 20 unknowns per coordinate: the fit beats the mean shape
    assert summary['NME_fit'] < summary['NME_eval_mean_shape']

    ckpt = torch.load(trained['detector'], weights_only=True)
    weight = ckpt['state_dict']['landmark_regressor.weight']
    assert weight.shape == (20, 5, 2)
    meta = ckpt['meta']['dataset_meta']
    assert [meta['keypoint_id2name'][i] for i in range(5)] == [
        'left_eye', 'right_eye', 'nose', 'left_mouth', 'right_mouth'
    ]
    assert meta['skeleton_links'] and meta['flip_indices'] == [1, 0, 2, 4, 3]
    assert ckpt['meta']['landmark_regressor']['bias'] is False
    # the other weights are those of the trained checkpoint
    source = torch.load(trained['ckpt'], weights_only=True)['state_dict']
    for key, value in source.items():
        if key != 'landmark_regressor.weight':
            torch.testing.assert_close(ckpt['state_dict'][key], value)


def test_detector_predicts_the_fitted_landmarks(trained):
    """Through the API on the fitting faces, the detector's landmarks have
    the error the tool reported on them."""
    from mmkp_unsup.apis import inference_landmarks, init_model
    from mmkp_unsup.datasets import SyntheticFaceDataset
    from mmkp_unsup.evaluation.functional import interocular_nme
    detector = init_model(trained['config'], trained['detector'])
    fit_faces = SyntheticFaceDataset(
        num_clips=40, seed=1, test_mode=True, pipeline=[])
    images = [fit_faces.draw(fit_faces.get_data_info(i)) for i in range(40)]
    gt = np.stack(
        [fit_faces.get_data_info(i)['keypoints'][0] for i in range(40)])
    results = inference_landmarks(detector, images, batch_size=16)
    pred = np.stack([r['landmarks'] for r in results])
    assert pred.shape == (40, 5, 2)
    assert results[0]['landmark_names'][2] == 'nose'
    assert interocular_nme(pred, gt) == pytest.approx(
        trained['summary']['NME_fit'], rel=1e-4)


def test_demo_on_a_folder_and_an_image(trained, tmp_path):
    demo = import_tool('demo', 'landmark_demo.py')
    folder = osp.join(fixtures_dir(), '300vw', '001', 'imgs')
    out = tmp_path / 'folder'
    output = demo.main([
        folder, trained['config'], trained['detector'], '--out-dir',
        str(out), '--batch-size', '1'
    ])
    names = sorted(osp.basename(p) for p in glob.glob(str(out / '*.png')))
    assert names == ['000006.png', '000009.png']
    records = json.load(open(out / 'predictions.json'))['images']
    assert len(records) == 2 == len(output['images'])
    for record in records:
        image = cv2.imread(record['img_path'])
        h, w = image.shape[:2]
        points = np.array(record['keypoints'])
        assert points.shape == (10, 2)
        assert (points >= 0).all() and (points <= [w, h]).all()
        assert np.array(record['landmarks']).shape == (5, 2)
        assert record['landmark_names'][0] == 'left_eye'
        drawn = cv2.imread(str(out / (osp.splitext(
            osp.basename(record['img_path']))[0] + '.png')))
        assert drawn.shape == image.shape  # large images are not rescaled
        assert (drawn != image).any()  # points were drawn

    # one image with a box, a training checkpoint (no landmarks)
    image = osp.join(fixtures_dir(), 'aflw', 'image04476.jpg')
    output = demo.main([
        image, trained['config'], trained['ckpt'], '--out-dir',
        str(tmp_path / 'one'), '--bbox', '100', '100', '300', '300'
    ])
    (record, ) = output['images']
    assert 'landmarks' not in record
    assert np.allclose(record['bbox'], [100, 100, 300, 300])
    points = np.array(record['keypoints'])
    assert (points >= 100).all() and (points <= 300).all()


def write_video(path, frames, fps=12.0):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (w, h))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_demo_on_a_video_and_a_corrupt_one(trained, tmp_path):
    demo = import_tool('demo', 'landmark_demo.py')
    paths = sorted(
        glob.glob(osp.join(fixtures_dir(), '300vw', '*', 'imgs', '*.jpg')))
    frames = [
        cv2.resize(cv2.imread(p), (64, 48)) for p in (paths + paths)[:6]
    ]
    video = str(tmp_path / 'clip.mp4')
    write_video(video, frames)
    output = demo.main([
        video, trained['config'], trained['detector'], '--out-dir',
        str(tmp_path / 'out'), '--batch-size', '4'
    ])
    assert output['num_frames'] == 6 and len(output['frames']) == 6
    assert [f['frame'] for f in output['frames']] == list(range(6))
    for frame in output['frames']:
        points = np.array(frame['keypoints'])
        assert (points >= 0).all() and (points <= [64, 48]).all()
    capture = cv2.VideoCapture(output['video'])
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(12.0)
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == 6
    saved = json.load(open(tmp_path / 'out' / 'predictions.json'))
    assert saved['num_frames'] == 6

    corrupt = tmp_path / 'corrupt.mp4'
    corrupt.write_bytes(b'\x00\x00\x00\x18ftypmp42' + bytes(range(256)) * 8)
    with pytest.raises(ValueError, match='corrupt.mp4'):
        demo.main([
            str(corrupt), trained['config'], trained['detector'],
            '--out-dir', str(tmp_path / 'bad')
        ])


def test_swap_grid(trained, tmp_path):
    from mmkp_unsup.datasets import SyntheticFaceDataset
    swap = import_tool('tools', 'analysis_tools', 'swap_grid.py')
    faces = SyntheticFaceDataset(
        num_clips=3, seed=9, test_mode=True, pipeline=[])
    paths = []
    for i in range(3):
        paths.append(str(tmp_path / f'face{i}.png'))
        cv2.imwrite(paths[-1], faces.draw(faces.get_data_info(i)))
    out = str(tmp_path / 'grid.png')
    grid = swap.main([
        trained['config'], trained['ckpt'], '--images', *paths, '--out',
        out, '--cell-size', '64'
    ])
    # cells of 64 (32 x 2), 3 + 1 rows and columns, 4 px gaps, headers;
    # the row labels' column fits its longest label
    cell, pad, n = 64, 4, 3
    label_w = swap.label_width(swap.appearance_labels(n))
    assert label_w >= 56
    assert label_w >= swap.text_size('appear. 2', 0.35)[0] + 4
    assert grid.shape == (36 + 18 + (n + 1) * (cell + pad) + pad,
                          label_w + (n + 1) * (cell + pad) + pad, 3)
    assert cv2.imread(out).shape == grid.shape
    # the row labels are drawn in their column, left of the images
    assert (grid[36 + 18 + cell + pad:, :label_w] < 128).any()
    # the left column holds the appearance images themselves
    x0, y0 = label_w, 36 + 18
    first = grid[y0 + cell + pad:y0 + 2 * cell + pad, x0:x0 + cell]
    expected = cv2.resize(
        cv2.imread(paths[0]), (cell, cell),
        interpolation=cv2.INTER_NEAREST)[..., ::-1]
    # (up to rounding after normalising and back)
    assert np.abs(first.astype(int) - expected).max() <= 4
    with pytest.raises(ValueError, match='at least 2 images'):
        swap.main([trained['config'], trained['ckpt'], '--images', paths[0],
                   '--out', out])
