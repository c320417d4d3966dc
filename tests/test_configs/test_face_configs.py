"""Every face config builds and trains 2 iterations on its layout (tiny
fixtures, shrunk networks) through mmengine's Runner."""
import glob
import os.path as osp
import sys

import cv2
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmkp_unsup.models.losses import COLORIZATION_VGG16_PATH
from mmpose.registry import DATASETS

sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                'test_datasets'))
from face_fixtures import (MMPOSE_TESTDATA, write_aflw,  # noqa: E402
                           write_celeba, write_clip_folders, write_voxceleb1)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMPOSE_FILES = dict(
    WFLWDataset=('wflw', 'test_wflw.json'),
    Face300WDataset=('300w', 'test_300w.json'))
CONFIGS = [
    'celeba_k10', 'celeba_k30', 'celeba_k50', 'celeba_k10_selfsup',
    'celeba_k30_selfsup', 'celeba_k50_selfsup', 'aflw_k10', 'aflw_k30',
    'aflw_k50', 'aflw_k30_selfsup', 'voxceleb_k30', 'wflw_k30', '300w_k30',
    'footage_template_k10', 'footage_template_k10_128x128',
    'synthetic_clips_k10'
]
# every config trains here (celeba_k30, celeba_k30_selfsup and the AFLW
# continuation of celeba_k30 also in the tests below, with their real loss
# network and checkpoint)
TRAINED = [
    'celeba_k10', 'celeba_k50', 'celeba_k10_selfsup', 'celeba_k50_selfsup',
    'aflw_k10', 'aflw_k50', 'aflw_k30_selfsup', 'voxceleb_k30', 'wflw_k30',
    '300w_k30', 'footage_template_k10', 'footage_template_k10_128x128',
    'synthetic_clips_k10'
]


@pytest.fixture(scope='module')
def layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp('face_layouts')
    if not osp.isdir(MMPOSE_TESTDATA):
        pytest.skip(f'mmpose test data not found at {MMPOSE_TESTDATA}')
    clips = write_clip_folders(str(root / 'footage'))
    return dict(
        CelebAMAFLDataset=write_celeba(str(root / 'celeba')),
        AFLWRDataset=write_aflw(str(root / 'aflw')),
        VoxCeleb1FramesDataset=write_voxceleb1(str(root / 'vox1')),
        ClipFolderDataset=clips)


def _point_at_fixtures(node, layouts):
    """Send every dataset of a config to its fixture layout."""
    if isinstance(node, dict):
        kind = node.get('type')
        if kind in layouts:
            node['data_root'] = layouts[kind]
            if kind == 'ClipFolderDataset':
                # every split reads the one annotated file of the fixture
                node['ann_file'] = 'annotations/train.json'
                node['data_prefix'] = dict(img='')
        elif (kind == 'FramePairDataset'
              and node['dataset'].get('type') == 'ClipFolderDataset'):
            # the fixture's clips have 2 and 3 frames
            node['pair_sampler']['min_gap'] = 1
        elif kind == 'SubsetDataset':  # the fixtures hold a few samples
            node.update(start=0.5) if node['start'] > 0 else node.update(
                end=0.5)
        elif kind in MMPOSE_FILES:
            folder, ann = MMPOSE_FILES[kind]
            node['data_root'] = osp.join(MMPOSE_TESTDATA, folder)
            node['ann_file'] = ann
            node['data_prefix'] = dict(img='')
        for value in node.values():
            _point_at_fixtures(value, layouts)
    elif isinstance(node, list):
        for value in node:
            _point_at_fixtures(value, layouts)


def tiny(name, layouts, work_dir, pixel_loss=True):
    cfg = Config.fromfile(osp.join(REPO, 'configs', f'{name}.py'))
    _point_at_fixtures(cfg._cfg_dict, layouts)
    cfg.work_dir = str(work_dir)
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    if pixel_loss:
        cfg.model.reconstruction_loss = dict(
            type='PixelReconstructionLoss', criterion='l1')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
    cfg.train_dataloader.batch_size = 2
    # no validation: the fixtures are too small for a regression
    cfg.train_cfg.update(max_iters=2, val_interval=1000, val_begin=1000)
    cfg.default_hooks.checkpoint.update(interval=2, save_best=None)
    cfg.default_hooks.visualization.interval = 1000
    cfg.default_hooks.logger.interval = 1
    return cfg


def _train(cfg):
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert osp.isfile(osp.join(cfg.work_dir, 'iter_2.pth'))
    return runner


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_its_datasets(name, layouts):
    cfg = Config.fromfile(osp.join(REPO, 'configs', f'{name}.py'))
    expected_k = int(name.split('_k')[1].split('_')[0])
    assert cfg.model.backbone.num_keypoints == expected_k
    if name.endswith('_selfsup'):
        network = cfg.model.reconstruction_loss.loss_network
        assert network.input_mode == 'grey'
        assert network.weights == COLORIZATION_VGG16_PATH
    if name.startswith('aflw'):
        celeba = name.replace('aflw', 'celeba')
        assert cfg.continue_from == f'work_dirs/{celeba}'
        assert cfg.load_from is None and not cfg.resume
        assert any(h['type'] == 'ContinueTrainingHook'
                   for h in cfg.custom_hooks)
    _point_at_fixtures(cfg._cfg_dict, layouts)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = DATASETS.build(cfg[loader].dataset)
        assert len(dataset) > 0
    sample = dataset[len(dataset) - 1]  # the test split's last sample
    assert sample['data_samples'].regression_split == 'eval'
    train = DATASETS.build(cfg.train_dataloader.dataset)[0]
    assert set(train['inputs']) == {'source', 'target'}


@pytest.mark.parametrize('name', TRAINED)
def test_config_trains_two_iterations(name, layouts, tmp_path):
    cfg = tiny(name, layouts, tmp_path / name)
    if name.startswith('aflw'):
        # from scratch here: the continuation of a CelebA run is tested in
        # test_aflw_continues_the_celeba_run
        cfg.continue_from = None
        cfg.custom_hooks = [
            h for h in cfg.custom_hooks if h['type'] != 'ContinueTrainingHook'
        ]
    runner = _train(cfg)
    assert runner.model.backbone.num_keypoints == int(
        name.split('_k')[1].split('_')[0])


def test_selfsup_config_with_its_grey_vgg(layouts, tmp_path):
    """The real loss network (grey VGG-16, here with random weights and the
    first two perceptual layers) trains inside the CelebA config."""
    cfg = tiny('celeba_k30_selfsup', layouts, tmp_path, pixel_loss=False)
    loss = cfg.model.reconstruction_loss
    loss.loss_network.update(weights=None, layers=('conv1_2', 'conv2_2'))
    loss.init_values = loss.init_values[:3]
    runner = _train(cfg)
    assert runner.model.reconstruction_loss.loss_network.input_mode == 'grey'


def _perceptual(cfg):
    """The config's perceptual loss, on a random VGG-16's first layer."""
    loss = cfg.model.reconstruction_loss
    loss.loss_network.update(weights=None, layers=('conv1_2', ))
    loss.init_values = loss.init_values[:2]
    return cfg


def test_aflw_continues_the_celeba_run(layouts, tmp_path):
    """continue_from + ContinueTrainingHook: weights, BN statistics, the
    loss's running averages, Adam moments and the schedule's step come
    from the CelebA run; iterations count anew. (The shipped defaults
    through tools/train.py: tests/test_tools/test_paper_chain.py.)"""
    celeba = _train(_perceptual(tiny('celeba_k30', layouts,
                                     tmp_path / 'celeba', pixel_loss=False)))
    celeba_state = {
        k: v.clone()
        for k, v in celeba.model.state_dict().items()
    }
    celeba_adam = {
        i: s['exp_avg'].clone()
        for i, s in celeba.optim_wrapper.state_dict()['state'].items()
    }
    cfg = _perceptual(tiny('aflw_k30', layouts, tmp_path / 'aflw',
                           pixel_loss=False))
    assert cfg.continue_from == 'work_dirs/celeba_k30' and not cfg.load_from
    cfg.continue_from = str(tmp_path / 'celeba')  # its last_checkpoint
    runner = Runner.from_cfg(cfg)
    seen = {}

    def record(*args, **kwargs):
        optimizer = runner.optim_wrapper
        steps = [s['step'] for s in optimizer.state_dict()['state'].values()]
        seen.setdefault('first_step', float(max(steps)))
        seen.setdefault('adam', {
            i: s['exp_avg'].clone()
            for i, s in optimizer.state_dict()['state'].items()
        })
        seen.setdefault('state', {
            k: v.clone()
            for k, v in runner.model.state_dict().items()
        })

    runner.register_hook(_Recorder(record), priority='LOWEST')
    runner.train()
    # the first AFLW step found Adam's step count of the CelebA run (2)
    assert seen['first_step'] == 2
    assert seen['adam'].keys() == celeba_adam.keys()
    for key, value in celeba_adam.items():
        torch.testing.assert_close(seen['adam'][key], value)
    # every weight and buffer: BN statistics, the perceptual loss's running
    # averages, the loss network
    assert seen['state'].keys() == celeba_state.keys()
    assert any(k.endswith('running_mean') for k in celeba_state)
    assert 'reconstruction_loss.running_avg' in celeba_state
    for key, value in celeba_state.items():
        torch.testing.assert_close(seen['state'][key], value, msg=key)
    assert runner.iter == 2
    # the schedule went on from the CelebA run's step count: 2 + 2 calls,
    # the step that fell on the CelebA run's end applied (last_step as in
    # an uninterrupted run of 4 iterations)
    assert celeba.param_schedulers[0]._global_step == 2
    assert celeba.param_schedulers[0].last_step == 1
    assert runner.param_schedulers[0]._global_step == 4
    assert runner.param_schedulers[0].last_step == 3
    assert osp.isfile(osp.join(cfg.work_dir, 'iter_2.pth'))
    assert not glob.glob(osp.join(cfg.work_dir, 'iter_4.pth'))


class _Recorder(Hook):
    """Calls ``fn`` before every training iteration."""

    def __init__(self, fn):
        self.fn = fn

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.fn()


def test_base_dataset_configs_do_not_shadow_mmpose_metainfo():
    """mmpose's datasets read their metainfo from
    'configs/_base_/datasets/<name>.py' relative to the working directory:
    a base config of that name here would be read instead."""
    import mmpose
    ours = {osp.basename(p) for p in glob.glob(
        osp.join(REPO, 'configs', '_base_', 'datasets', '*.py'))}
    theirs = {osp.basename(p) for p in glob.glob(osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_',
        'datasets', '*.py'))}
    assert theirs, 'mmpose metainfo files not found'
    assert not ours & theirs


@pytest.mark.parametrize('name', ['celeba_k30', 'aflw_k30'])
def test_inference_pipeline_sees_what_the_test_pipeline_sees(name):
    """The demo's and the swap grid's single-image pipeline (the box: the
    whole image) gives the network the input the evaluation gives it."""
    import numpy as np
    from mmengine.dataset import Compose
    cfg = Config.fromfile(osp.join(REPO, 'configs', f'{name}.py'))
    h, w = 218, 178  # CelebA's aligned images
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([128 + 100 * np.sin(xx / 9.0),
                    128 + 100 * np.cos(yy / 7.0), (xx + yy) % 255],
                   -1).astype(np.uint8)
    steps = cfg.test_dataloader.dataset.eval_dataset.pipeline
    evaluation = Compose(
        [t for t in steps if t['type'] not in ('LoadImage', 'PackPairInputs')
         ])(dict(img=img.copy(), img_shape=(h, w),
                 keypoints=np.zeros((1, 5, 2)),
                 keypoints_visible=np.ones((1, 5)),
                 image_hw=(h, w)))['img']  # AFLW_R's readers give hw
    inference = Compose(
        [t for t in cfg.inference_pipeline
         if t['type'] not in ('LoadImage', 'PackPoseInputs')])(dict(
             img=img.copy(), img_shape=(h, w),
             bbox=np.array([[0, 0, w, h]], np.float32),
             bbox_score=np.ones(1, np.float32)))['img']
    assert inference.shape == evaluation.shape == (128, 128, 3)
    # the same pixels up to interpolation (about 1 grey level in 255)
    assert np.abs(inference.astype(float) - evaluation).mean() < 1.5
    # the check can fail: the whole image without the crop differs
    if name == 'celeba_k30':
        whole = cv2.resize(img, (128, 128), interpolation=cv2.INTER_AREA)
        assert np.abs(whole.astype(float) - evaluation).mean() > 10
