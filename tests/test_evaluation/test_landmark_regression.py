import numpy as np
import pytest

from mmkp_unsup.evaluation import (LandmarkRegressionMetric,
                                   apply_landmark_regressor,
                                   fit_landmark_regressor, interocular_nme)


def fake_samples(keypoints, landmarks, split, visible=None):
    samples = []
    for i, (kp, lm) in enumerate(zip(keypoints, landmarks)):
        vis = np.ones((1, len(lm))) if visible is None else visible[i][None]
        samples.append(
            dict(
                regression_split=split,
                img_path=f'{split}_{i}.png',
                pred_instances=dict(keypoints=kp[None]),
                gt_instances=dict(keypoints=lm[None], keypoints_visible=vis)))
    return samples


def test_regressor_is_the_least_squares_solution():
    rng = np.random.RandomState(0)
    kp = rng.rand(40, 3, 2)
    lm = rng.rand(40, 2, 2)
    weights = fit_landmark_regressor(kp, lm)
    x, y = kp.reshape(40, 6), lm.reshape(40, 4)
    expected = np.linalg.solve(x.T @ x, x.T @ y)  # normal equations
    np.testing.assert_allclose(weights.reshape(6, 4), expected, atol=1e-10)
    np.testing.assert_allclose(
        apply_landmark_regressor(weights, kp).reshape(40, 4), x @ expected)


def test_regressor_with_bias_recovers_an_affine_map():
    rng = np.random.RandomState(1)
    kp = rng.rand(30, 2, 2)
    lm = (kp.reshape(30, 4) @ rng.rand(4, 6) + 5.0).reshape(30, 3, 2)
    with_bias = fit_landmark_regressor(kp, lm, bias=True)
    np.testing.assert_allclose(
        apply_landmark_regressor(with_bias, kp, bias=True), lm, atol=1e-9)
    without = fit_landmark_regressor(kp, lm)
    assert np.abs(apply_landmark_regressor(without, kp) - lm).max() > 0.01


def test_invisible_landmarks_are_left_out_of_the_fit():
    rng = np.random.RandomState(2)
    kp = rng.rand(20, 2, 2)
    lm = kp[:, :1] * 2.0
    visible = np.ones((20, 1))
    visible[:3] = 0
    lm[:3] = 1000.0  # garbage where invisible
    weights = fit_landmark_regressor(kp, lm, visible)
    np.testing.assert_allclose(
        apply_landmark_regressor(weights, kp)[3:], lm[3:], atol=1e-9)
    with pytest.raises(ValueError, match='fewer than the 4 unknowns'):
        fit_landmark_regressor(kp[:3], lm[:3])


def test_interocular_nme_by_hand():
    gt = np.array([[[0.0, 0.0], [10.0, 0.0], [5.0, 5.0]]])
    pred = gt + np.array([[[3.0, 4.0], [0.0, 0.0], [0.0, 1.0]]])
    # errors 5, 0, 1 -> mean 2 -> / 10 -> 20 %
    assert interocular_nme(pred, gt) == pytest.approx(20.0)
    with pytest.raises(ValueError, match='inter-ocular'):
        interocular_nme(pred, gt, visible=np.array([[0, 1, 1]]))


def test_metric_equals_hand_computed_protocol():
    rng = np.random.RandomState(3)
    kp_fit, lm_fit = rng.rand(50, 4, 2) * 32, rng.rand(50, 5, 2) * 32
    kp_eval, lm_eval = rng.rand(20, 4, 2) * 32, rng.rand(20, 5, 2) * 32
    metric = LandmarkRegressionMetric()
    metric.process({}, fake_samples(kp_fit[:25], lm_fit[:25], 'fit'))
    metric.process({}, fake_samples(kp_eval, lm_eval, 'eval'))
    metric.process({}, fake_samples(kp_fit[25:], lm_fit[25:], 'fit'))
    results = metric.compute_metrics(metric.results)

    x = kp_fit.reshape(50, 8)
    w, *_ = np.linalg.lstsq(x, lm_fit.reshape(50, 10), rcond=None)
    pred = (kp_eval.reshape(20, 8) @ w).reshape(20, 5, 2)
    err = np.linalg.norm(pred - lm_eval, axis=-1).mean(1)
    iod = np.linalg.norm(lm_eval[:, 0] - lm_eval[:, 1], axis=-1)
    assert results['NME'] == pytest.approx(100 * (err / iod).mean())
    mean_shape = lm_fit.mean(0)
    err0 = np.linalg.norm(mean_shape - lm_eval, axis=-1).mean(1)
    expected = 100 * (err0 / iod).mean()
    assert results['NME_mean_shape'] == pytest.approx(expected)
    assert set(results) == {'NME', 'NME_mean_shape', 'NME_fit'}


def test_metric_prefers_transformed_keypoints_and_checks_tags():
    metric = LandmarkRegressionMetric()
    sample = fake_samples(np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), 'fit')[0]
    sample['gt_instances']['transformed_keypoints'] = np.ones((1, 2, 2))
    metric.process({}, [sample])
    assert metric.results[0]['landmarks'].tolist() == [[1, 1], [1, 1]]
    del sample['regression_split']
    with pytest.raises(KeyError, match='RegressionSplitDataset'):
        metric.process({}, [sample])
    with pytest.raises(ValueError, match="no 'eval' samples"):
        metric.compute_metrics(metric.results)
