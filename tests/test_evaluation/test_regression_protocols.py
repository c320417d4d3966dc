"""The regression metric under the datasets' protocols and the few-shot
curve."""
import numpy as np
import pytest
from mmcv.transforms import Compose

from mmpose.evaluation import NME
from mmkp_unsup.evaluation import (BBCPoseRegressionMetric,
                                   Human36MRegressionMetric,
                                   LandmarkRegressionMetric,
                                   MMPoseNMERegressionMetric,
                                   apply_landmark_regressor,
                                   fit_landmark_regressor,
                                   half_scale_accuracy)


def samples_from(keypoints, landmarks, split, **meta):
    out = []
    for i, (kp, lm) in enumerate(zip(keypoints, landmarks)):
        sample = dict(
            regression_split=split,
            img_path=f'{split}_{i}.png',
            pred_instances=dict(keypoints=kp[None]),
            gt_instances=dict(
                keypoints=lm[None], keypoints_visible=np.ones((1, len(lm)))))
        sample.update({k: v[i] for k, v in meta.items()})
        out.append(sample)
    return out


def linear_data(rng, sizes, num_kp=3, num_lm=4, noise=0.0, scale=32.0):
    """Splits of keypoints and landmarks related by one linear map plus
    noise: ``kp_0, lm_0, kp_1, lm_1, ...`` for the given split sizes."""
    n = sum(sizes)
    kp = rng.rand(n, num_kp, 2) * scale
    w = rng.randn(num_kp * 2, num_lm * 2) * 0.3
    lm = (kp.reshape(n, -1) @ w).reshape(n, num_lm, 2)
    lm = lm + noise * rng.randn(*lm.shape)
    out, start = [], 0
    for size in sizes:
        out += [kp[start:start + size], lm[start:start + size]]
        start += size
    return out


def hand_regression(kp_fit, lm_fit, kp_eval):
    w = fit_landmark_regressor(kp_fit, lm_fit)
    return apply_landmark_regressor(w, kp_eval)


def test_half_scale_accuracy_by_hand():
    gt = np.zeros((2, 2, 2))
    # full-scale distances 10 and 14 (-> 5 and 7 at half scale); 12 -> 6
    pred = np.array([[[10.0, 0.0], [0.0, 14.0]], [[0.0, 12.0], [0.0, 0.0]]])
    np.testing.assert_allclose(half_scale_accuracy(pred, gt), [100.0, 50.0])
    # the 1-based mapping p' = 0.5 (p - 1) + 1 gives the same distances
    ones = np.ones_like(gt)
    half = lambda p: 0.5 * (p + ones - 1) + 1  # noqa: E731
    dist = np.linalg.norm(half(pred) - half(gt), axis=-1)
    assert ((dist <= 6).mean(0) * 100).tolist() == [100.0, 50.0]


def test_bbcpose_metric_per_joint_and_names():
    rng = np.random.RandomState(0)
    kp_fit, lm_fit, kp_eval, lm_eval = linear_data(
        rng, (40, 30), num_kp=4, num_lm=7, scale=200)
    pred = hand_regression(kp_fit, lm_fit, kp_eval)
    gt = lm_eval.copy()
    gt[:10, 1] += [13.0, 0.0]  # right wrist off by 6.5 px at half scale
    gt[:5, 0] += [0.0, 11.0]  # head off by 5.5 px: still correct
    metric = BBCPoseRegressionMetric()
    metric.process({}, samples_from(kp_fit, lm_fit, 'fit'))
    metric.process({}, samples_from(kp_eval, gt, 'eval'))
    out = metric.compute_metrics(metric.results)
    assert out['accuracy_head'] == pytest.approx(100.0)
    assert out['accuracy_right_wrist'] == pytest.approx(100 * 20 / 30)
    assert out['accuracy'] == pytest.approx((600 + 100 * 20 / 30) / 7)
    np.testing.assert_allclose(
        out['accuracy'],
        half_scale_accuracy(pred, gt).mean())
    assert out['accuracy_fit'] == pytest.approx(100.0)
    assert 'accuracy_mean_shape' in out and 'accuracy_left_shoulder' in out
    # names from the dataset's metainfo when it has them
    metric.dataset_meta = dict(
        keypoint_id2name={j: f'j {j}' for j in range(7)})
    assert 'accuracy_j_6' in metric.compute_metrics(metric.results)


def test_human36m_metric_per_activity_and_flip():
    rng = np.random.RandomState(1)
    kp_fit, lm_fit, kp_eval, lm_eval = linear_data(
        rng, (40, 6), num_kp=3, num_lm=4, scale=128)
    gt = lm_eval.copy()
    gt[0, 0] += [12.8, 0.0]  # 10 % of the width on one joint of image 0
    gt[1] = gt[1][[1, 0, 2, 3]]  # image 1: joints 0 and 1 swapped
    activity = np.array(['walking', 'posing', 'posing', 'posing', 'posing',
                         'posing'])
    meta = dict(activity=activity, img_shape=[(128, 128)] * 6,
                flip_indices=[[1, 0, 2, 3]] * 6)
    metric = Human36MRegressionMetric(flip_best=True)
    metric.process({}, samples_from(kp_fit, lm_fit, 'fit', **{
        k: list(v[:1]) * 40 for k, v in meta.items()}))
    metric.process({}, samples_from(kp_eval, gt, 'eval', **meta))
    out = metric.compute_metrics(metric.results)

    pred = hand_regression(kp_fit, lm_fit, kp_eval)
    per_image = np.linalg.norm((pred - gt) / 128, axis=-1).mean(1)
    assert out['error_walking'] == pytest.approx(100 * per_image[0])
    assert out['error_walking'] == pytest.approx(2.5, abs=1e-6)
    assert out['error_posing'] == pytest.approx(100 * per_image[1:].mean())
    # mean over activities, not over images
    assert out['error'] == pytest.approx(
        (out['error_walking'] + out['error_posing']) / 2)
    # the swapped image scores 0 with the swap allowed
    swapped = np.linalg.norm(
        (pred[:, [1, 0, 2, 3]] - gt) / 128, axis=-1).mean(1)
    best = np.minimum(per_image, swapped)
    assert best[1] == pytest.approx(0, abs=1e-9)
    assert out['error_flip_best'] == pytest.approx(
        100 * (best[0] + best[1:].mean()) / 2)
    with pytest.raises(KeyError, match='activity'):
        metric.process({}, samples_from(kp_eval, gt, 'eval'))


def topdown_samples(rng, n, split, noise):
    """Faces through mmpose's own top-down pipeline (crop + resize)."""
    pipeline = Compose([
        dict(type='GetBBoxCenterScale', padding=1.25),
        dict(type='TopdownAffine', input_size=(64, 64)),
        dict(type='PackPoseInputs', pack_transformed=True),
    ])
    samples = []
    for i in range(n):
        lm = rng.rand(1, 6, 2) * 80 + 100 + rng.rand() * 50
        box = np.concatenate([lm[0].min(0) - 5, lm[0].max(0) + 5])[None]
        results = pipeline(
            dict(
                img=np.zeros((320, 320, 3), np.uint8),
                img_shape=(320, 320),
                keypoints=lm.astype(np.float32),
                keypoints_visible=np.ones((1, 6), np.float32),
                bbox=box.astype(np.float32),
                id=i,
                img_path=f'{i}.png'))
        ds = results['data_samples']
        crop_lm = ds.gt_instances.transformed_keypoints[0]
        # learned keypoints: an invertible linear function of the crop's
        # landmarks
        kp = crop_lm * 0.8 + crop_lm[::-1] * 0.1
        kp = kp + noise * rng.randn(*kp.shape)
        sample = ds.to_dict()
        sample['pred_instances'] = dict(keypoints=kp[None])
        sample['regression_split'] = split
        samples.append(sample)
    return samples


@pytest.mark.parametrize('noise', [0.0, 1.5])
@pytest.mark.parametrize('norm', [
    dict(norm_mode='keypoint_distance', keypoint_indices=[0, 1]),
    dict(norm_mode='keypoint_distance'),
    dict(norm_mode='use_norm_item', norm_item='bbox_size'),
])
def test_mmpose_nme_equals_mmpose_metric(norm, noise):
    rng = np.random.RandomState(2)
    fit = topdown_samples(rng, 30, 'fit', noise)
    test = topdown_samples(rng, 20, 'eval', noise)
    meta = dict(dataset_name='cofw' if 'keypoint_indices' not in norm else
                'faces', keypoint_id2name={j: str(j) for j in range(6)})
    if 'keypoint_indices' not in norm and norm['norm_mode'] == \
            'keypoint_distance':
        norm = dict(norm, keypoint_indices=None)
        meta['dataset_name'] = 'horse10'  # mmpose's default pair (0, 1)
    metric = MMPoseNMERegressionMetric(**norm)
    metric.dataset_meta = meta
    metric.process({}, fit + test)
    ours = metric.compute_metrics(metric.results)['NME']

    # the same regressed landmarks, mapped back as mmpose's estimators do,
    # through mmpose's NME
    def stack(rows, key):
        return np.stack([r[key] for r in rows])

    kp = lambda rows: stack(  # noqa: E731
        [r['pred_instances'] for r in rows], 'keypoints')[:, 0]
    crop = lambda rows: stack(  # noqa: E731
        [r['gt_instances'] for r in rows], 'transformed_keypoints')[:, 0]
    pred = hand_regression(kp(fit), crop(fit), kp(test))
    reference = NME(**norm)
    reference.dataset_meta = meta
    for sample, p in zip(test, pred):
        back = (p / sample['input_size'] * sample['input_scale'] +
                sample['input_center'] - 0.5 * sample['input_scale'])
        reference.process(
            {}, [dict(sample, pred_instances=dict(keypoints=back[None]))])
    expected = reference.compute_metrics(reference.results)['NME']
    assert ours == pytest.approx(100 * expected, rel=1e-9)
    if noise == 0:
        assert ours < 1e-3  # the frames are mapped consistently (float32)


def test_few_shot_curve_keys_and_min_norm():
    rng = np.random.RandomState(3)
    kp_fit, lm_fit, kp_eval, lm_eval = linear_data(
        rng, (30, 20), num_kp=3, num_lm=2, noise=0.5)
    plain = LandmarkRegressionMetric()
    metric = LandmarkRegressionMetric(
        few_shot=dict(sizes=[1, 3, 30, 31], num_draws=4, seed=0))
    for m in (plain, metric):
        m.process({}, samples_from(kp_fit, lm_fit, 'fit'))
        m.process({}, samples_from(kp_eval, lm_eval, 'eval'))
    base = plain.compute_metrics(plain.results)
    out = metric.compute_metrics(metric.results)
    assert {k: out[k] for k in base} == base  # defaults unchanged
    assert set(out) - set(base) == {
        f'NME@{n}_{s}' for n in (1, 3, 30) for s in ('mean', 'std')}
    # all 30 fitting samples: every draw is the full fit
    assert out['NME@30_mean'] == pytest.approx(base['NME'])
    assert out['NME@30_std'] == pytest.approx(0, abs=1e-9)
    assert out['NME@1_mean'] > out['NME@30_mean']
    # seeded: the same numbers again
    assert metric.compute_metrics(metric.results) == out
    # min-norm: one sample reproduced exactly
    w = fit_landmark_regressor(kp_fit[:1], lm_fit[:1], min_norm=True)
    np.testing.assert_allclose(
        apply_landmark_regressor(w, kp_fit[:1]), lm_fit[:1], atol=1e-9)
    with pytest.raises(ValueError, match='few_shot'):
        LandmarkRegressionMetric(few_shot=dict(size=[1]))
