"""A dress rehearsal of the paper's experiments as docs/experiments.md and
docs/data_preparation_faces.md show them: the commands in their order, in a
working directory that holds ``data/celeba``, ``data/aflw`` (KB-sized
fixtures in the official layouts) and the repository's ``configs/``, with
the shipped paths (``work_dirs/celeba_k30``, ``continue_from``,
``checkpoints/vgg16_colorization.pth``). ``--cfg-options`` only shrink the
schedule and the sizes (K = 4 points, narrow networks, the loss network's
first layer, 3 iterations, loaders in the process).

The CelebA -> AFLW chain then is checked on the state that matters: Adam's
step count and the learning rate of every AFLW iteration go on from the
CelebA run's (the release's staircase decay of the global step), the loss
network is the converted file and is not in the optimiser, the detector
predicts the named landmarks.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import shutil
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config, DictAction

from conftest import fresh_visualizers  # noqa: E402 (tests/)
from mmpose.registry import MODELS
from test_landmark_detector import import_tool, write_video  # noqa: E402

TESTS = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO = osp.dirname(TESTS)
sys.path.insert(0, osp.join(TESTS, 'test_datasets'))
sys.path.insert(0, osp.join(TESTS, 'test_models'))
from face_fixtures import (MMPOSE_TESTDATA, write_aflw,  # noqa: E402
                           write_celeba)
from test_model_init import write_vgg_checkpoint  # noqa: E402

h5py = pytest.importorskip('h5py')

K = 4  # 2K = 8 unknowns per coordinate: MAFL fits on 12 images, AFLW on 9
ITERS = 3  # per run; CelebA validates at 2 and 3, checkpoint of the last
STEP = 2  # the x0.95 decay every STEP iterations (the release: 100k)
BASE_LR, GAMMA = 1e-3, 0.95  # configs/_base_/default_runtime.py
LOSS_NETWORK = 'reconstruction_loss.loss_network.'
LANDMARKS = ['left_eye', 'right_eye', 'nose', 'left_mouth', 'right_mouth']

# sizes and schedule, common to the CelebA and the AFLW runs
SHRINK = [
    f'model.backbone.num_keypoints={K}',
    'model.backbone.n_filters=4',
    'model.appearance_encoder.n_filters=4',
    'model.generator.n_filters=2',
    'model.reconstruction_loss.loss_network.layers=(conv1_2,)',
    'model.reconstruction_loss.init_values=(100.0,1.6)',
    'train_dataloader.batch_size=2',
    'val_dataloader.batch_size=16',
    'test_dataloader.batch_size=16',
    *[f'{loader}_dataloader.{key}'
      for loader in ('train', 'val', 'test')
      for key in ('num_workers=0', 'persistent_workers=False')],
    f'train_cfg.max_iters={ITERS}',
    f'param_scheduler.0.step_size={STEP}',
    'default_hooks.logger.interval=1',
    'default_hooks.visualization.enable=False',
]
VALIDATE = ['train_cfg.val_interval=2']
NO_VALIDATION = ['train_cfg.val_begin=1000']


def run(tool, *argv):
    """``tool.main(argv)`` as a process of its own runs it: a runner made
    in this process registers its visualizer under the config's fixed
    name, and the next runner would reuse it (and its work dir)."""
    with fresh_visualizers():
        return tool.main([str(a) for a in argv])


def image_options(config: str, side: int = 64) -> list:
    """``--cfg-options`` that shrink the config's images from 128 to
    ``side`` pixels: every ``ResizeCrop`` and ``BoxToInput`` of its data
    loaders and inference pipeline."""
    scale = side / 128
    options = []

    def shrink(values):
        return '(' + ','.join(str(round(v * scale)) for v in values) + ')'

    def walk(node, path):
        if isinstance(node, dict):
            if node.get('type') == 'ResizeCrop':
                options.append(f'{path}.resize={shrink(node["resize"])}')
                if node.get('crop'):
                    options.append(f'{path}.crop={shrink(node["crop"])}')
            elif node.get('type') == 'BoxToInput':
                options.append(
                    f'{path}.input_size={shrink(node["input_size"])}')
            for key, value in node.items():
                walk(value, f'{path}.{key}')
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                walk(value, f'{path}.{i}')

    cfg = Config.fromfile(config)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'inference_pipeline'):
        walk(cfg[key], key)
    assert options, f'{config}: no image size found to shrink'
    return options


def release_lr(iteration: int) -> float:
    """The release's learning rate of (1-based) iteration ``iteration``:
    ``tf.train.exponential_decay(1e-3, global_step, STEP, 0.95,
    staircase=True)`` with ``global_step = iteration - 1``."""
    return BASE_LR * GAMMA**((iteration - 1) // STEP)


def logged_lrs(work_dir: str) -> list:
    """The learning rate of every iteration, from the run's scalars.json."""
    (scalars, ) = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json'))
    rows = [json.loads(line) for line in open(scalars)]
    rows = [r for r in rows if 'lr' in r]
    assert [r['step'] for r in rows] == list(range(1, ITERS + 1))
    return [r['lr'] for r in rows]


def read_log(work_dir: str) -> str:
    (log, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    return open(log).read()


def adam_steps(checkpoint: dict) -> set:
    return {float(s['step']) for s in checkpoint['optimizer']['state']
            .values()}


def assert_loss_network_not_optimised(checkpoint: dict, config: str,
                                      options: list) -> None:
    """The optimiser of the run holds the trainable parameters of the
    model the config builds, in their order, each with Adam state, and
    none of the frozen loss network (docs/method.md, "Loss networks")."""
    cfg = Config.fromfile(config)
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options',
                                           *options]).cfg_options)
    model = MODELS.build(cfg.model)
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    trained = [p for p in model.parameters() if p.requires_grad]
    assert frozen and all(n.startswith(LOSS_NETWORK) for n in frozen)
    optimizer = checkpoint['optimizer']
    indices = [i for g in optimizer['param_groups'] for i in g['params']]
    assert len(indices) == len(trained)
    assert sorted(optimizer['state']) == sorted(indices)
    for i, param in zip(indices, trained):
        assert optimizer['state'][i]['exp_avg'].shape == param.shape


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """A user's working directory: data/, configs/, the downloads."""
    if not osp.isdir(MMPOSE_TESTDATA):
        pytest.skip(f'mmpose test data not found at {MMPOSE_TESTDATA}')
    root = tmp_path_factory.mktemp('user')
    os.symlink(osp.join(REPO, 'configs'), root / 'configs')
    # 6 extra MAFL training images: the regression fits on 12 (> 2K); in
    # the image folder the config reads
    folder = Config.fromfile(osp.join(
        REPO, 'configs', 'celeba_k30.py')).train_dataloader.dataset.get(
            'image_folder', 'Img/img_align_celeba')
    if not isinstance(folder, str):
        folder = folder[0]  # the one read first: the release's
    write_celeba(str(root / 'data' / 'celeba'), image_folder=folder,
                 extra_mafl_train=6)
    write_aflw(str(root / 'data' / 'aflw'))
    # mmpose's AFLW layout (the reuse config) beside AFLW_R's
    aflw = root / 'data' / 'aflw'
    os.makedirs(aflw / 'annotations')
    for split in ('train', 'test'):
        shutil.copy(
            osp.join(MMPOSE_TESTDATA, 'aflw', 'test_aflw.json'),
            aflw / 'annotations' / f'face_landmarks_aflw_{split}.json')
    shutil.copytree(osp.join(MMPOSE_TESTDATA, 'aflw'), aflw / 'images',
                    ignore=shutil.ignore_patterns('*.json'))
    # the downloads: an ImageNet VGG-16 (torchvision layout, its first
    # layers) and the release's colorization VGG-16 (h5, its first layers)
    write_vgg_checkpoint(str(root / 'vgg16_imagenet.pth'))
    from test_colorization_vgg import blobs, write_h5
    rng = np.random.default_rng(0)
    write_h5(root / 'vgg16.caffemodel.h5',
             dict(conv1_1=blobs(rng, 64, 1), conv1_2=blobs(rng, 64, 64)))
    cwd = os.getcwd()
    os.chdir(root)
    yield dict(root=root, celeba_images=osp.join('data', 'celeba', folder))
    os.chdir(cwd)


@pytest.fixture(scope='module')
def tools():
    return dict(
        train=import_tool('tools', 'train.py'),
        test=import_tool('tools', 'test.py'),
        fit=import_tool('tools', 'fit_landmark_detector.py'),
        export=import_tool('tools', 'deployment', 'export_onnx.py'),
        demo=import_tool('demo', 'landmark_demo.py'),
        swap=import_tool('tools', 'analysis_tools', 'swap_grid.py'),
        convert=import_tool('tools', 'dataset_converters',
                            'convert_colorization_vgg16.py'))


@pytest.fixture(scope='module')
def imagenet_chain(workspace, tools):
    """python tools/train.py configs/celeba_k30.py
    python tools/train.py configs/aflw_k30.py"""
    vgg = [f'model.reconstruction_loss.loss_network.weights='
           f'{workspace["root"] / "vgg16_imagenet.pth"}']
    options = SHRINK + vgg + image_options('configs/celeba_k30.py')
    run(tools['train'], 'configs/celeba_k30.py', '--cfg-options', *options,
        *VALIDATE)
    options = SHRINK + vgg + image_options('configs/aflw_k30.py')
    run(tools['train'], 'configs/aflw_k30.py', '--cfg-options', *options,
        *NO_VALIDATION)
    return options


@pytest.mark.timeout(300)
def test_aflw_continues_the_celeba_run_as_shipped(imagenet_chain):
    celeba_dir, aflw_dir = 'work_dirs/celeba_k30', 'work_dirs/aflw_k30'
    # CheckpointHook kept the best validation checkpoint (weights only)
    # and the last iteration's (the whole state), which last_checkpoint
    # names
    assert glob.glob(f'{celeba_dir}/best_NME_iter_*.pth')
    last = open(f'{celeba_dir}/last_checkpoint').read().strip()
    assert osp.samefile(last, f'{celeba_dir}/iter_{ITERS}.pth')
    assert (f'ContinueTrainingHook: weights, optimiser and schedule of '
            f'{last} (iteration {ITERS}) restored') in read_log(aflw_dir)

    celeba = torch.load(last, weights_only=True)
    aflw = torch.load(f'{aflw_dir}/iter_{ITERS}.pth', weights_only=True)
    # Adam's step count goes on: 3 CelebA steps, then 3 AFLW steps
    assert adam_steps(celeba) == {ITERS}
    assert adam_steps(aflw) == {2 * ITERS}
    for state in aflw['optimizer']['state'].values():
        assert torch.isfinite(state['exp_avg_sq']).all()
    # the learning rate of every iteration is the release's staircase of
    # the global step: 1, 1, .95 on CelebA, then .95, .95^2, .95^2 on AFLW
    lrs = logged_lrs(celeba_dir) + logged_lrs(aflw_dir)
    assert lrs == pytest.approx(
        [release_lr(i) for i in range(1, 2 * ITERS + 1)], rel=1e-6)
    assert aflw['meta']['iter'] == ITERS  # the AFLW run counts its own
    for checkpoint, config in ((celeba, 'configs/celeba_k30.py'),
                               (aflw, 'configs/aflw_k30.py')):
        assert_loss_network_not_optimised(checkpoint, config,
                                          imagenet_chain)


@pytest.mark.timeout(300)
def test_trained_model_commands(imagenet_chain, workspace, tools):
    """tools/test.py, fit_landmark_detector.py, export_onnx.py, the demo on
    a video, swap_grid.py on the AFLW model; the reuse config from the
    CelebA model."""
    options = ['--cfg-options', *imagenet_chain]
    config = 'configs/aflw_k30.py'
    ckpt = f'work_dirs/aflw_k30/iter_{ITERS}.pth'

    # docs/data_preparation_faces.md: the CelebA model's best checkpoint on
    # the MAFL test images (regression fitted on MAFL training)
    (best, ) = glob.glob('work_dirs/celeba_k30/best_NME_iter_*.pth')
    celeba = run(tools['test'], 'configs/celeba_k30.py', best, '--cfg-options',
                 *SHRINK, *image_options('configs/celeba_k30.py'))
    assert math.isfinite(celeba['NME'])

    metrics = run(tools['test'], config, ckpt, '--out', 'metrics.json',
                  *options)
    assert {'NME', 'NME_mean_shape', 'NME_fit'} <= set(metrics)
    assert math.isfinite(json.load(open('metrics.json'))['NME'])

    summary = run(tools['fit'], config, ckpt, '--out', 'detector.pth',
                  *options)
    assert summary['num_keypoints'] == K and summary['num_landmarks'] == 5
    assert summary['num_fit'] == 9 and summary['num_eval'] == 3  # AFLW_R
    detector = torch.load('detector.pth', weights_only=True)
    assert detector['state_dict']['landmark_regressor.weight'].shape == (
        2 * K, 5, 2)

    diff = run(tools['export'], config, ckpt, '--out', 'phi.onnx',
               '--input-size', 64, 64, *options)
    assert osp.isfile('phi.onnx') and diff < 1e-3

    frames = [cv2.resize(cv2.imread(p), (48, 48)) for p in sorted(
        glob.glob('data/aflw/output/test/*.jpg'))]
    write_video('face.mp4', frames)
    output = run(tools['demo'], 'face.mp4', config, 'detector.pth',
                 '--out-dir', 'demo_out', *options)
    assert output['num_frames'] == len(frames) == 3
    predictions = json.load(open('demo_out/predictions.json'))['frames']
    assert len(predictions) == 3
    for frame in predictions:
        assert frame['landmark_names'] == LANDMARKS
        points = np.array(frame['landmarks'])
        assert points.shape == (5, 2) and np.isfinite(points).all()
        assert np.array(frame['keypoints']).shape == (K, 2)
    assert osp.isfile(output['video'])

    images = sorted(glob.glob(osp.join(workspace['celeba_images'],
                                       '*.jpg')))[:3]
    grid = run(tools['swap'], config, ckpt, '--images', *images, '--out',
               'swap_grid.png', '--cell-size', 32, *options)
    assert cv2.imread('swap_grid.png').shape == grid.shape

    # the learned encoder in mmpose's TopdownPoseEstimator, fine-tuned on
    # mmpose's AFLW (docs/export_and_reuse.md's command, from the CelebA
    # run's last checkpoint)
    run(tools['train'], 'configs/reuse/topdown_heatmap_kpencoder_aflw.py',
        '--cfg-options',
        f'model.backbone.init_cfg.checkpoint=work_dirs/celeba_k30/'
        f'iter_{ITERS}.pth',
        f'model.backbone.num_keypoints={K}', 'model.backbone.n_filters=4',
        f'model.head.in_channels={4 * 8 + K}',
        'model.head.deconv_out_channels=(8,)', 'train_cfg.max_epochs=1',
        'train_cfg.val_begin=2',
        'train_dataloader.batch_size=2', *[
            f'{loader}_dataloader.{key}' for loader in ('train', 'val')
            for key in ('num_workers=0', 'persistent_workers=False')
        ])
    reuse = torch.load('work_dirs/topdown_heatmap_kpencoder_aflw/'
                       'epoch_1.pth', weights_only=True)
    assert reuse['meta']['epoch'] == 1
    assert reuse['state_dict']['head.final_layer.weight'].shape[0] == 19


@pytest.mark.timeout(300)
def test_selfsup_chain_with_the_converted_vgg(workspace, tools):
    """python tools/dataset_converters/convert_colorization_vgg16.py
    vgg16.caffemodel.h5, then celeba_k30_selfsup.py and
    aflw_k30_selfsup.py."""
    run(tools['convert'], 'vgg16.caffemodel.h5')
    converted = torch.load('checkpoints/vgg16_colorization.pth',
                           weights_only=True)
    for name in ('celeba_k30_selfsup', 'aflw_k30_selfsup'):
        config = f'configs/{name}.py'
        run(tools['train'], config, '--cfg-options', *SHRINK,
            *image_options(config), *NO_VALIDATION)
    celeba = torch.load(f'work_dirs/celeba_k30_selfsup/iter_{ITERS}.pth',
                        weights_only=True)
    aflw = torch.load(f'work_dirs/aflw_k30_selfsup/iter_{ITERS}.pth',
                      weights_only=True)
    assert adam_steps(celeba) == {ITERS} and adam_steps(aflw) == {2 * ITERS}
    lrs = logged_lrs('work_dirs/celeba_k30_selfsup') + logged_lrs(
        'work_dirs/aflw_k30_selfsup')
    assert lrs == pytest.approx(
        [release_lr(i) for i in range(1, 2 * ITERS + 1)], rel=1e-6)
    # the grey loss network is the converted file, after both runs
    for checkpoint, name in ((celeba, 'celeba_k30_selfsup'),
                             (aflw, 'aflw_k30_selfsup')):
        network = {k[len(LOSS_NETWORK):]: v
                   for k, v in checkpoint['state_dict'].items()
                   if k.startswith(LOSS_NETWORK)}
        assert set(network) == {'features.0.weight', 'features.0.bias',
                                'features.2.weight', 'features.2.bias'}
        assert network['features.0.weight'].shape[1] == 1  # grey input
        for key, value in network.items():
            torch.testing.assert_close(value, converted[key], rtol=0, atol=0)
        assert_loss_network_not_optimised(checkpoint, f'configs/{name}.py',
                                          SHRINK)
