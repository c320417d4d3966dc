"""Curves and pictures: TensorBoard from tools/train.py, plot_log.py on a
run's scalars.json, row labels on the picture grids."""
import glob
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from tool_utils import TINY_HOOKS, TINY_TRAIN, TINY_VAL, import_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'synthetic_k10.py')
TINY = TINY_TRAIN + TINY_VAL + TINY_HOOKS + [
    'train_cfg.max_iters=2',
    'train_cfg.val_interval=2',
]


def has_tensorboard() -> bool:
    return importlib.util.find_spec('tensorboard') is not None


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """Two iterations and one validation of the tiny synthetic model,
    through tools/train.py (with --tensorboard when it is installed)."""
    work = str(tmp_path_factory.mktemp('curves') / 'run')
    train = import_tool('tools', 'train.py')
    flags = ['--tensorboard'] if has_tensorboard() else []
    train.main([CONFIG, '--work-dir', work, *flags, '--cfg-options', *TINY])
    return work


# ---------------------------------------------------------------- TensorBoard
def test_tensorboard_flag_keeps_the_local_backend():
    from mmengine.config import Config
    train = import_tool('tools', 'train.py')
    args = train.parse_args([CONFIG, '--tensorboard'])
    cfg = train.merge_args(Config.fromfile(CONFIG), args)
    types = [b['type'] for b in cfg.visualizer.vis_backends]
    assert types == ['LocalVisBackend', 'TensorboardVisBackend']
    # twice: one TensorBoard backend
    from mmkp_unsup.engine.vis_backends import (add_tensorboard_backend,
                                                uses_tensorboard)
    add_tensorboard_backend(cfg)
    assert len(cfg.visualizer.vis_backends) == 2
    assert uses_tensorboard(cfg)
    plain = train.merge_args(Config.fromfile(CONFIG),
                             train.parse_args([CONFIG]))
    assert not uses_tensorboard(plain)
    assert [b['type'] for b in plain.visualizer.vis_backends
            ] == ['LocalVisBackend']
    # the --cfg-options way (docs/training.md) replaces the local backend
    swapped = train.merge_args(
        Config.fromfile(CONFIG),
        train.parse_args([
            CONFIG, '--cfg-options',
            'visualizer.vis_backends.0.type=TensorboardVisBackend'
        ]))
    assert [b['type'] for b in swapped.visualizer.vis_backends
            ] == ['TensorboardVisBackend']
    assert uses_tensorboard(swapped)


def test_tensorboard_missing_says_what_to_install(monkeypatch, tmp_path):
    from mmkp_unsup.engine import vis_backends
    monkeypatch.setattr(vis_backends, 'tensorboard_available', lambda: False)
    train = import_tool('tools', 'train.py')
    with pytest.raises(ImportError, match='pip install tensorboard'):
        train.main([CONFIG, '--work-dir', str(tmp_path), '--tensorboard',
                    '--cfg-options', *TINY])
    # failed before the runner: nothing written
    assert not glob.glob(str(tmp_path / '*' / 'vis_data'))


@pytest.mark.timeout(600)
def test_tensorboard_event_files(run):
    pytest.importorskip('tensorboard')
    events = glob.glob(osp.join(run, '*', 'vis_data', 'events.out.tfevents.*'))
    assert events, f'no TensorBoard event file under {run}'
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    acc = EventAccumulator(osp.dirname(events[0]), size_guidance={'images': 0})
    acc.Reload()
    scalars = set(acc.Tags()['scalars'])
    assert {'loss', 'keypoint_dispersion', 'NME'} <= scalars, scalars
    assert [e.step for e in acc.Scalars('loss')] == [1, 2]
    assert 'train_reconstruction' in acc.Tags()['images']
    # the local files are still written
    assert glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json'))


# ---------------------------------------------------------------- plot_log.py
@pytest.mark.timeout(600)
def test_plot_log_from_a_run(run, tmp_path):
    plot = import_tool('tools', 'analysis_tools', 'plot_log.py')
    scalars = glob.glob(osp.join(run, '*', 'vis_data', 'scalars.json'))[0]
    assert plot.find_scalars(run) == scalars
    curves, validation = plot.read_scalars(scalars)
    assert curves['loss'][0] == [1, 2]
    groups = plot.group_keys(list(curves), validation)
    assert 'loss' in groups['loss']
    assert {'keypoint_spread',
            'keypoint_dispersion'} <= set(groups['keypoint diagnostics'])
    assert 'grad_norm' in groups['gradient norm']
    assert {'NME', 'NME_untrained'} <= set(groups['validation metrics'])
    # the label-free metrics (other units) in a subplot of their own
    assert 'equivariance/error_px' in groups[
        'validation metrics: equivariance']
    assert list(groups)[:5] == [
        'loss', 'keypoint diagnostics', 'gradient norm', 'learning rate',
        'validation metrics'
    ]
    assert curves['NME'][0] == [2]
    for timing in ('time', 'data_time', 'step'):
        assert timing not in curves

    out = plot.main([run, '--out', str(tmp_path / 'curves.png')])
    image = cv2.imread(out)
    assert image is not None and image.std() > 0
    # two columns of subplots: 6.4 in x 100 dpi each
    assert image.shape[1] == 1280
    # default output beside scalars.json; --keys chooses the subplots
    default = plot.main([scalars, '--keys', 'loss', 'NME'])
    assert default == osp.join(osp.dirname(scalars), 'curves.png')
    two = cv2.imread(default)
    assert two.shape[0] < image.shape[0]  # one row of two subplots
    with pytest.raises(ValueError, match='not_logged'):
        plot.main([scalars, '--keys', 'not_logged'])


def test_plot_log_errors(tmp_path):
    plot = import_tool('tools', 'analysis_tools', 'plot_log.py')
    missing = str(tmp_path / 'nothing')
    with pytest.raises(FileNotFoundError, match='nothing'):
        plot.main([missing])
    (tmp_path / 'empty_run').mkdir()
    with pytest.raises(FileNotFoundError, match='no scalars.json in .*'
                       'empty_run'):
        plot.main([str(tmp_path / 'empty_run')])
    words = tmp_path / 'words.json'
    words.write_text(json.dumps(dict(step=1, note='text')) + '\n')
    with pytest.raises(ValueError, match='words.json holds no numbers'):
        plot.main([str(words)])
    broken = tmp_path / 'broken.json'
    broken.write_text('{"step": 1, "loss": 1.0}\nnot json\n'
                      '{"step": 2, "loss": 0.5}\n')
    with pytest.raises(ValueError, match='broken.json, line 2'):
        plot.main([str(broken)])
    # a cut last line (a run still writing) is left out
    cut = tmp_path / 'cut.json'
    cut.write_text('{"step": 1, "loss": 1.0}\n{"step": 2, "lo')
    curves, _ = plot.read_scalars(str(cut))
    assert curves['loss'] == ([1], [1.0])


# ---------------------------------------------------------------- row labels
def _rows(size=32, nrows=3, ncols=2):
    return [[np.full((size, size, 3), 60 + 40 * i, np.uint8)
             for _ in range(ncols)] for i in range(nrows)]


def test_row_labels_strip():
    from mmkp_unsup.visualization import label_strip, make_grid, text_size
    rows = _rows()
    plain = make_grid(rows)
    labels = ['source', 'target + points', 'reconstruction']
    labelled = make_grid(rows, row_labels=labels)
    width = labelled.shape[1] - plain.shape[1]
    assert labelled.shape[0] == plain.shape[0]
    # the strip is as wide as the longest label, not the images
    assert width == max(text_size(t)[0] for t in labels) + 8
    assert width > 32
    # the images are unchanged, right of the strip
    np.testing.assert_array_equal(labelled[:, width:], plain)
    strip = labelled[:, :width]
    for i in range(3):  # every row's band has text, the gaps none
        band = strip[2 + i * 34:2 + i * 34 + 32]
        assert (band < 128).sum() > 20, f'row {i} has no label'
        assert (strip[i * 34:i * 34 + 2] == 255).all()
    # the labels make the pixels: two rows swapped, the middle one kept
    a = label_strip(['source', 'target', 'maps'], 32)
    b = label_strip(['maps', 'target', 'source'], 32)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a[36:66], b[36:66])
    assert not np.array_equal(a[2:34], b[2:34])
    assert not np.array_equal(a[70:102], b[70:102])
    # same labels, same strip width beside larger images
    bigger = make_grid(_rows(64), row_labels=labels)
    assert bigger.shape[1] - make_grid(_rows(64)).shape[1] == width
    with pytest.raises(ValueError, match='2 row labels for 3 rows'):
        make_grid(rows, row_labels=['a', 'b'])


def test_row_labels_low_rows_and_lines():
    from mmkp_unsup.visualization import label_strip
    strip = label_strip(['two\nlines', 'x'], 32)
    assert strip.shape[0] == 2 * 34 + 2
    assert (strip[2:18] < 128).any() and (strip[18:34] < 128).any()
    low = label_strip(['reconstruction'], 6, pad=0)
    assert low.shape[0] == 6 and (low < 255).any()
    assert low.shape[1] < label_strip(['reconstruction'], 32).shape[1]


@pytest.mark.timeout(600)
def test_training_grids_name_their_rows(run):
    from mmkp_unsup.engine.hooks.landmark_visualization_hook import (
        EVAL_ROWS, TRAIN_ROWS)
    from mmkp_unsup.visualization import label_strip
    images = osp.join(run, '*', 'vis_data', 'vis_image')
    for name, labels in (('train_reconstruction_2.png', TRAIN_ROWS),
                         ('val_keypoints_2.png', EVAL_ROWS)):
        path = glob.glob(osp.join(images, name))
        assert path, f'{name} not written'
        grid = cv2.imread(path[0])[..., ::-1]
        # 32x32 images upscaled to 128 (min_size), an 18-pixel caption
        strip = label_strip(labels, 128)
        assert grid.shape[0] == 18 + len(labels) * 130 + 2
        np.testing.assert_array_equal(grid[18:, :strip.shape[1]], strip)
        assert (grid.shape[1] - strip.shape[1] - 2) % 130 == 0
