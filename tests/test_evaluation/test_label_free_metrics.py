"""Label-free metrics: known answers, synthetic clips, and a run through
mmengine's Runner."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.runner import Runner

from mmkp_unsup.datasets import SyntheticFaceDataset
from mmkp_unsup.datasets.transforms import EquivarianceWarp
from mmkp_unsup.evaluation import EquivarianceMetric, TemporalStabilityMetric
from mmkp_unsup.evaluation.functional import warp_points

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def warped_samples(points, transform, size=32, predictor='perfect'):
    samples = []
    for i, pts in enumerate(points):
        warp = transform(dict(img=np.zeros((size, size, 3), np.uint8),
                              sample_idx=i))['equivariance_warp']
        moved, _ = warp_points(pts, warp['params'], warp['controls'],
                               (size, size))
        samples.append(
            dict(img_path=f'{i}.png', img_shape=(size, size),
                 equivariance_warp=warp,
                 pred_instances=dict(
                     keypoints=pts[None],
                     keypoints_warped=(moved if predictor == 'perfect'
                                       else pts)[None])))
    return samples


def test_equivariance_perfect_and_constant_detectors():
    rng = np.random.RandomState(0)
    points = rng.rand(20, 6, 2) * 20 + 6
    transform = EquivarianceWarp()
    perfect, constant = EquivarianceMetric(), EquivarianceMetric()
    perfect.process({}, warped_samples(points, transform))
    constant.process({}, warped_samples(points, transform, predictor='c'))
    ok = perfect.compute_metrics(perfect.results)
    bad = constant.compute_metrics(constant.results)
    assert ok['error_px'] == pytest.approx(0, abs=1e-6)
    assert ok['baseline_px'] > 0.5
    assert bad['error_px'] == pytest.approx(ok['baseline_px'])
    assert bad['error_pct'] == pytest.approx(100 * bad['error_px'] / 32,
                                             rel=0.3)
    assert 90 <= ok['kept_pct'] <= 100
    with pytest.raises(KeyError, match='EquivarianceWarp'):
        perfect.process({}, [dict(pred_instances=dict(keypoints=points[:1]))])


def clip_batch(motion=dict(type='steady', angle_step=6, shift_step=0.04)):
    """One batch of synthetic face clips packed as the model gets them."""
    dataset = SyntheticFaceDataset(
        num_clips=6, frames_per_clip=5, image_size=64, seed=5,
        motion=motion, test_mode=True,
        pipeline=[dict(type='LoadImage'), dict(type='PackPairInputs')])
    batch = default_collate([dataset[i] for i in range(len(dataset))])
    samples = [ds.to_dict() for ds in batch['data_samples']]
    return batch, samples


def predict(samples, predictor):
    for s in samples:
        gt = s['gt_instances']['keypoints']
        s['pred_instances'] = dict(
            keypoints=gt if predictor == 'oracle' else np.full_like(gt, 30.))
    return samples


@pytest.mark.parametrize('motion', ['flow', 'landmarks'])
def test_temporal_oracle_vs_constant_detector(motion):
    batch, samples = clip_batch()
    results = {}
    for predictor in ('oracle', 'constant'):
        metric = TemporalStabilityMetric(motion=motion)
        metric.process(batch, predict([dict(s) for s in samples], predictor))
        results[predictor] = metric.compute_metrics(metric.results)
    oracle, constant = results['oracle'], results['constant']
    assert oracle['pairs'] == constant['pairs'] == 6 * 4
    # a detector that ignores the image jitters by the content's motion
    assert constant['jitter_px'] == pytest.approx(constant['motion_px'])
    assert constant['motion_px'] > 1.0
    if motion == 'landmarks':  # exact for the rigid synthetic motion
        assert oracle['jitter_px'] == pytest.approx(0, abs=1e-4)
    else:  # optical flow on 64x64 cartoons: a fraction of the motion
        assert oracle['jitter_px'] < 0.35 * constant['jitter_px']


def test_temporal_needs_clips():
    metric = TemporalStabilityMetric(motion='landmarks')
    with pytest.raises(KeyError, match='clip_id'):
        metric.process({}, [dict(pred_instances=dict(keypoints=np.zeros(
            (1, 2, 2))))])
    with pytest.raises(ValueError, match='motion'):
        TemporalStabilityMetric(motion='optical')


def tiny_runner(tmp_path, pipeline, evaluators, name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'synthetic_k10.py'))
    clips = dict(type='SyntheticFaceDataset', frames_per_clip=4,
                 image_size=32, motion=dict(type='steady'), test_mode=True,
                 pipeline=pipeline)
    cfg.test_dataloader = dict(
        batch_size=20, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='RegressionSplitDataset',
                     fit_dataset=dict(clips, num_clips=10, seed=1),
                     eval_dataset=dict(clips, num_clips=5, seed=2)))
    cfg.test_evaluator = evaluators
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    cfg.work_dir = str(tmp_path / name)
    return Runner.from_cfg(cfg)


@pytest.mark.timeout(120)
def test_label_free_metrics_through_the_runner(tmp_path):
    """Beside the regression metric, on an untrained model: the regression
    numbers do not change with the warped view, and an untrained model
    follows neither warps nor motion."""
    plain = [dict(type='LoadImage'), dict(type='PackPairInputs')]
    warped = [plain[0], dict(type='EquivarianceWarp'), plain[1]]
    runner = tiny_runner(tmp_path, warped, [
        dict(type='LandmarkRegressionMetric'),
        dict(type='EquivarianceMetric'),
        dict(type='TemporalStabilityMetric'),
    ], 'label_free')
    metrics = runner.test()
    reference = tiny_runner(tmp_path, plain,
                            [dict(type='LandmarkRegressionMetric')],
                            'plain')
    reference.model.load_state_dict(runner.model.state_dict())
    expected = reference.test()
    for key in ('NME', 'NME_mean_shape', 'NME_fit'):
        assert metrics[key] == pytest.approx(expected[key])
    assert metrics['equivariance/kept_pct'] > 80
    assert metrics['equivariance/error_px'] > \
        0.8 * metrics['equivariance/baseline_px']
    assert metrics['temporal/pairs'] == 15 * 3
    assert metrics['temporal/jitter_px'] > 0.8 * metrics['temporal/motion_px']
