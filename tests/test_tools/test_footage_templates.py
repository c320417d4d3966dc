"""The footage templates as a user takes them: copied, block 1 edited,
trained a few iterations through tools/train.py on clips written to disk,
then the detector tool and the inference API on the result."""
import os.path as osp
import re

import numpy as np
import pytest
from mmengine.config import Config
from tool_utils import import_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL = 'footage_template_k10'
LARGE = 'footage_template_k10_128x128'
TEMPLATES = [SMALL, LARGE]
# what each template brings without an edit: the loss and its criterion
LOSS = {SMALL: ('PixelReconstructionLoss', 'l2'), LARGE: ('PerceptualLoss',
                                                         'l2')}
SHRINK = [
    'model.backbone.n_filters=4',
    'model.appearance_encoder.n_filters=4',
    'model.generator.n_filters=2',
]
TINY_RUN = SHRINK + [
    'train_dataloader.batch_size=4',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'train_cfg.max_iters=2',
    'train_cfg.val_interval=1000',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.visualization.enable=False',
]
# the 128x128 template's loss network: random weights, no download
NO_DOWNLOAD = {
    SMALL: [],
    LARGE: ['model.reconstruction_loss.loss_network.weights=None']
}
SHRINK_MODEL = {
    'model.backbone.n_filters': 4,
    'model.appearance_encoder.n_filters': 4,
    'model.generator.n_filters': 2,
}



@pytest.fixture(scope='module')
def footage(tmp_path_factory):
    """Clips of 32x32 PNG frames in the footage layout, written by the
    project's exporter: 3 training clips of 8 frames, 24 annotated frames to
    fit the regressor, 8 to report on."""
    from mmpose.registry import DATASETS
    export = import_tool('tools', 'misc', 'export_synthetic_clips.py')
    root = str(tmp_path_factory.mktemp('footage'))
    for split, clips, frames, seed in (('train', 3, 8, 0), ('fit', 24, 1, 1),
                                       ('eval', 8, 1, 2)):
        dataset = DATASETS.build(
            dict(type='SyntheticFaceDataset', num_clips=clips,
                 frames_per_clip=frames, image_size=32, seed=seed,
                 test_mode=True))
        export.export_split(dataset, root, split)
    return root


def edited(name, out_dir, **block1):
    """A copy of a template with lines of its block 1 changed, as a user
    makes it (its bases found from anywhere)."""
    with open(osp.join(ROOT, 'configs', f'{name}.py')) as f:
        text = f.read()
    start = text.index('# ---------------------------------------------'
                       '--------- 1.')
    end = text.index('# ---------------------------------------------'
                     '--------- 2.')
    block = text[start:end]
    for key, value in block1.items():
        block, count = re.subn(rf'^{key} = .*$', f'{key} = {value!r}', block,
                               flags=re.M)
        assert count == 1, f'{key} is not a line of block 1 in {name}'
    text = text[:start] + block + text[end:]
    text = text.replace("'./_base_/",
                        repr(osp.join(ROOT, 'configs', '_base_', ''))[:-1])
    path = osp.join(str(out_dir), f'my_{name}.py')
    with open(path, 'w') as f:
        f.write(text)
    return path


def _values(node, key):
    """Every value stored under ``key`` anywhere in a config."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _values(v, key)


def _check_derived(cfg, name, root, image_size, k, gap, batch=True):
    tree = cfg._cfg_dict.to_dict()
    sizes = {tuple(v) for v in _values(tree, 'input_size')}
    assert sizes == {(image_size, image_size)}
    assert set(_values(tree, 'data_root')) == {root}
    assert set(_values(tree, 'min_gap')) == {gap}
    stages = (image_size // 16).bit_length() - 1
    assert cfg.model.backbone.num_stages == stages
    assert cfg.model.appearance_encoder.num_stages == stages
    assert cfg.model.backbone.num_keypoints == k
    loss = cfg.model.reconstruction_loss
    assert (loss.type, loss.criterion) == LOSS[name]
    if batch:  # (not after a --cfg-options train_dataloader.batch_size)
        assert cfg.auto_scale_lr.base_batch_size == \
            cfg.train_dataloader.batch_size


@pytest.mark.parametrize('name', TEMPLATES)
def test_block1_edits_reach_every_derived_value(name, tmp_path):
    root = str(tmp_path / 'my_clips') + '/'
    cfg = Config.fromfile(edited(name, tmp_path, data_root=root,
                                 image_size=64, num_keypoints=6,
                                 min_frame_gap=2))
    _check_derived(cfg, name, root, 64, 6, 2)
    if name == SMALL:  # the small-image defaults come with the template
        assert cfg.model.data_preprocessor.std == [127.5] * 3
        assert cfg.train_cfg.max_iters == 7500
        assert cfg.optim_wrapper.optimizer.lr == 1e-3
        assert cfg.model.generator.n_filters == 8
    else:  # the release's
        assert cfg.train_cfg.max_iters == 150000
        assert cfg.model.generator.n_filters == 32
        assert cfg.model.reconstruction_loss.loss_network.weights == \
            'torchvision://vgg16'


def test_a_child_config_would_leave_derived_values_stale(tmp_path):
    """Why the templates are copied rather than inherited: a variable
    changed in a child does not reach what the base derived from it."""
    child = tmp_path / 'child.py'
    child.write_text(f"_base_ = [{osp.join(ROOT, 'configs', SMALL + '.py')!r}]"
                     '\nimage_size = 64\n')
    cfg = Config.fromfile(str(child))
    assert cfg.image_size == 64
    assert cfg.frame_pipeline[-1]['input_size'] == (32, 32)


@pytest.mark.parametrize('size', [16, 48, 100])
def test_template_rejects_an_image_size_without_16x16_heatmaps(size,
                                                               tmp_path):
    with pytest.raises(Exception, match='16 times a power of two'):
        Config.fromfile(edited(SMALL, tmp_path, image_size=size))


def test_synthetic_clips_config_is_the_template_with_block1_filled_in():
    def lines(name):
        with open(osp.join(ROOT, 'configs', f'{name}.py')) as f:
            text = f.read()
        start = text.index('# ------------------------------------------'
                           '------------ 1.')
        end = text.index('# ------------------------------------------'
                         '------------ 2.')
        return text[text.index('_base_ = ['):start] + text[end:]

    assert lines('synthetic_clips_k10') == lines(SMALL)
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'synthetic_clips_k10.py'))
    _check_derived(cfg, SMALL, 'data/synthetic_clips/', 32, 10, 3)


@pytest.mark.parametrize('name', TEMPLATES)
def test_template_trains_and_infers(name, footage, tmp_path):
    """Block 1 pointed at the clips (and the 128x128 template at 32x32
    frames, as a user with small frames would), 2 iterations through
    tools/train.py, then the checkpoint through the inference API."""
    from mmkp_unsup.apis import inference_landmarks, init_model
    root = footage + '/'
    config = edited(name, tmp_path, data_root=root, image_size=32)
    train = import_tool('tools', 'train.py')
    runner = train.main([config, '--work-dir', str(tmp_path / 'work'),
                         '--cfg-options', *TINY_RUN, *NO_DOWNLOAD[name]])
    assert runner.iter == 2
    _check_derived(runner.cfg, name, root, 32, 10, 3, batch=False)
    pairs = runner.train_dataloader.dataset
    assert pairs.pair_sampler.min_gap == 3
    ckpt = str(tmp_path / 'work' / 'iter_2.pth')
    assert osp.isfile(ckpt)

    model = init_model(config, ckpt, cfg_options=SHRINK_MODEL)
    frame = osp.join(footage, 'eval', 'clip00000', '0000.png')
    result = inference_landmarks(model, [frame])[0]
    points = result['keypoints']
    assert points.shape == (10, 2) and np.isfinite(points).all()
    # the whole 32x32 frame is the network input: points inside it
    assert (points >= 0).all() and (points <= 32).all()


def test_detector_tool_on_the_footage_template(footage, tmp_path):
    from mmkp_unsup.apis import inference_landmarks, init_model
    root = footage + '/'
    config = edited(SMALL, tmp_path, data_root=root)
    train = import_tool('tools', 'train.py')
    train.main([config, '--work-dir', str(tmp_path / 'work'),
                '--cfg-options', *TINY_RUN,
                # a wide init: points that vary with the image after two
                # iterations (see tests/test_tools/test_landmark_detector.py)
                'model.backbone.init_cfg.type=Normal',
                'model.backbone.init_cfg.layer=Conv2d',
                'model.backbone.init_cfg.std=1.0'])
    fit = import_tool('tools', 'fit_landmark_detector.py')
    detector = str(tmp_path / 'detector.pth')
    summary = fit.main([
        config, str(tmp_path / 'work' / 'iter_2.pth'), '--out', detector,
        '--cfg-options', *SHRINK, 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert summary['num_fit'] == 24 and summary['num_eval'] == 8
    assert summary['num_keypoints'] == 10 and summary['num_landmarks'] == 5
    assert np.isfinite(summary['NME_eval'])
    model = init_model(config, detector, cfg_options=SHRINK_MODEL)
    frame = osp.join(footage, 'eval', 'clip00001', '0000.png')
    result = inference_landmarks(model, frame)[0]
    assert result['landmarks'].shape == (5, 2)
    assert np.isfinite(result['landmarks']).all()
    assert result['landmark_names'][:2] == ['left_eye', 'right_eye']


@pytest.mark.parametrize('name', TEMPLATES)
def test_tps_on_pairs_trains(name, footage, tmp_path):
    """``tps_on_pairs = True`` in block 1: the release's warps on every
    frame pair, border mask scaled to the input, through tools/train.py."""
    root = footage + '/'
    config = edited(name, tmp_path, data_root=root, image_size=32,
                    tps_on_pairs=True)
    train = import_tool('tools', 'train.py')
    runner = train.main([config, '--work-dir', str(tmp_path / 'work'),
                         '--cfg-options', *TINY_RUN, *NO_DOWNLOAD[name]])
    assert runner.iter == 2
    warp, pack = runner.cfg.train_dataloader.dataset.pipeline
    assert (warp.type, warp.mask_margin, warp.mask_ramp) == \
        ('TPSFramePairWarp', 2, 5)
    assert pack.type == 'PackPairInputs'
