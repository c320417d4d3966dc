"""configs/celeba_k30.py through tools/dist_train.sh and tools/dist_test.sh
with 2 CPU processes (gloo): CelebA training, MAFL validation and test, the
perceptual loss with a local VGG-16 checkpoint."""
import glob
import json
import math
import os.path as osp
import re
import sys

import pytest
import torch

from dist_utils import run  # noqa: E402 (same folder)

TESTS = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(TESTS, 'test_datasets'))
sys.path.insert(0, osp.join(TESTS, 'test_models'))
from face_fixtures import write_celeba  # noqa: E402
from test_model_init import LAYERS, write_vgg_checkpoint  # noqa: E402

# 6 images on top of the fixture's 12: MAFL training 1-6, 9, 13-18, its
# last 10 % (image 18) the MAFL validation, so the regression fits on 12
# samples, more than the 2 K = 8 unknowns of K = 4 keypoints
EXTRA = 6
FIT, VAL, TEST = 12, 1, 2
K = 4


def options(celeba_root, vgg_path):
    """--cfg-options shrinking configs/celeba_k30.py to the fixture."""
    roots = [f'train_dataloader.dataset.data_root={celeba_root}']
    loaders = []
    for loader in ('val_dataloader', 'test_dataloader'):
        roots += [f'{loader}.dataset.{part}.data_root={celeba_root}'
                  for part in ('fit_dataset', 'eval_dataset')]
        loaders += [f'{loader}.batch_size=8']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loaders += [f'{loader}.num_workers=0',
                    f'{loader}.persistent_workers=False']
    layers = ','.join(LAYERS)
    init_values = ','.join(['100.0', '1.6', '2.3'][:len(LAYERS) + 1])
    return roots + loaders + [
        'train_dataloader.batch_size=2',
        f'model.backbone.num_keypoints={K}',
        'model.backbone.n_filters=4',
        'model.appearance_encoder.n_filters=4',
        'model.generator.n_filters=2',
        # the config's loss network (ImageNet VGG-16, perceptual loss),
        # read from a local torchvision checkpoint of its first layers
        f'model.reconstruction_loss.loss_network.weights={vgg_path}',
        f'model.reconstruction_loss.loss_network.layers=({layers})',
        f'model.reconstruction_loss.init_values=({init_values})',
        'train_cfg.max_iters=2',
        'train_cfg.val_interval=2',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.visualization.enable=False',
    ]


@pytest.mark.timeout(300)
@pytest.mark.skipif(torch.cuda.is_available(), reason='tests the CPU path')
def test_celeba_k30_dist_train_and_test_on_cpu(repo_root, tmp_path):
    celeba = write_celeba(str(tmp_path / 'celeba'),
                          extra_mafl_train=EXTRA)
    vgg_path = str(tmp_path / 'vgg16_tiny.pth')
    vgg_state = write_vgg_checkpoint(vgg_path)
    config = osp.join(repo_root, 'configs', 'celeba_k30.py')
    work_dir = str(tmp_path / 'run')
    cfg_options = options(celeba, vgg_path)

    out = run([
        'bash', 'tools/dist_train.sh', config, '2', '--work-dir', work_dir,
        '--cfg-options', *cfg_options
    ], repo_root, timeout=240)
    log_files = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    log = open(log_files[-1]).read()
    assert 'Distributed training: True' in log
    assert "backend='gloo'" in log and 'Iter(train) [2/2]' in log
    assert f'Loads checkpoint by local backend from path: {vgg_path}' in out
    # validation at iteration 2 on MAFL: the regression fitted on MAFL
    # training minus its validation, reported on the MAFL validation image
    # (13 samples over 2 processes: the padded duplicate was dropped)
    assert (f'landmark regression (LandmarkRegressionMetric): {FIT} fitting and {VAL} evaluation '
            f'samples, {K} keypoints -> 5 landmarks') in log
    # the metrics json: NME logged at the validation's iteration
    scalars = osp.join(osp.dirname(log_files[-1]), 'vis_data',
                       'scalars.json')
    val = [json.loads(line) for line in open(scalars) if 'NME' in line]
    assert len(val) == 1 and val[0]['step'] == 2
    assert math.isfinite(val[0]['NME'])
    # the config's checkpoint selection on the validation NME
    assert re.search(r'The best checkpoint .*best_NME_iter_2\.pth', log)
    assert osp.isfile(osp.join(work_dir, 'best_NME_iter_2.pth'))

    ckpt = osp.join(work_dir, 'iter_2.pth')
    checkpoint = torch.load(ckpt, weights_only=True)
    assert checkpoint['meta']['iter'] == 2
    state = checkpoint['state_dict']
    assert state['backbone.keypoint_logits.weight'].shape[0] == K
    # the loss network is the given VGG-16, unchanged by training
    prefix = 'reconstruction_loss.loss_network.'
    vgg_keys = [k for k in state if k.startswith(prefix)]
    assert len(vgg_keys) == len(vgg_state)
    for key in vgg_keys:
        torch.testing.assert_close(state[key], vgg_state[key[len(prefix):]])

    # the test: the regression on MAFL training, reported on MAFL test
    metrics_json = str(tmp_path / 'test.json')
    out = run([
        'bash', 'tools/dist_test.sh', config, ckpt, '2', '--work-dir',
        str(tmp_path / 'test'), '--out', metrics_json, '--cfg-options',
        *cfg_options
    ], repo_root, timeout=120)
    assert (f'landmark regression (LandmarkRegressionMetric): {FIT} fitting and {TEST} evaluation '
            'samples') in out
    metrics = json.load(open(metrics_json))
    assert set(metrics) >= {'NME', 'NME_mean_shape', 'NME_fit'}
    assert all(math.isfinite(metrics[k]) for k in metrics)
