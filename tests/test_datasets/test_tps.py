import numpy as np
import pytest

from mmkp_unsup.datasets.transforms import TPSPairWarp
from mmkp_unsup.datasets.transforms.tps import (control_grid, identity_params,
                                                nearest_preimage, pixel_grid,
                                                pixels_to_unit, remap,
                                                sample_tps_params,
                                                smooth_border_mask,
                                                tps_inverse_map, tps_jacobian,
                                                tps_map, unit_to_pixels)

CONTROLS = control_grid(10, 10)


def test_identity_params_map_points_to_themselves():
    points = np.random.RandomState(0).uniform(-1, 1, (50, 2))
    np.testing.assert_allclose(
        tps_map(points, identity_params(100), CONTROLS), points, atol=1e-12)


def test_affine_part_follows_the_release_parametrisation():
    rng = np.random.RandomState(0)
    params = sample_tps_params(rng, 100, rotation_sd=5.0, scale_sd=0.1,
                               translation_sd=0.1, jitter_sd=(0.0, 0.0))
    # without jitter the warp is the affine map t + A p
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    out = tps_map(points, params, CONTROLS)
    np.testing.assert_allclose(out[0], params[100])
    np.testing.assert_allclose(out[1] - out[0], params[101])
    np.testing.assert_allclose(out[2] - out[0], params[102])
    scale = np.linalg.norm(params[101])
    assert abs(np.dot(params[101], params[102])) < 1e-12  # a similarity
    assert np.linalg.norm(params[102]) == pytest.approx(scale)


def test_jacobian_matches_finite_differences():
    params = sample_tps_params(np.random.RandomState(1), 100, 5.0, 0.1, 0.1,
                               (0.001, 0.01))
    points = np.random.RandomState(2).uniform(-0.9, 0.9, (10, 2))
    eps = 1e-6
    numeric = np.stack([
        (tps_map(points + eps * e, params, CONTROLS) -
         tps_map(points - eps * e, params, CONTROLS)) / (2 * eps)
        for e in np.eye(2)
    ], axis=-1)
    np.testing.assert_allclose(
        tps_jacobian(points, params, CONTROLS), numeric, atol=1e-5)


def test_inverse_map_inverts():
    params = sample_tps_params(np.random.RandomState(3), 100, 5.0, 0.1, 0.1,
                               (0.001, 0.01))
    targets = np.random.RandomState(4).uniform(-0.8, 0.8, (30, 2))
    grid = pixel_grid((32, 32))
    init = nearest_preimage(targets, grid, tps_map(grid, params, CONTROLS))
    found, ok = tps_inverse_map(targets, params, CONTROLS, init)
    assert ok.all()
    np.testing.assert_allclose(tps_map(found, params, CONTROLS), targets,
                               atol=1e-6)


def test_inverse_map_reports_points_without_preimage():
    params = identity_params(100)
    params[101] = [0.01, 0.0]  # squash x to 1 %: nothing maps to x = 0.5
    _, ok = tps_inverse_map(np.array([[0.5, 0.0], [0.005, 0.2]]), params,
                            CONTROLS)
    assert ok.tolist() == [False, True]


def test_unit_pixel_conversion():
    pts = np.array([[0.0, 0.0], [31.0, 15.0]])
    unit = pixels_to_unit(pts, (16, 32))
    np.testing.assert_allclose(unit, [[-1, -1], [1, 1]])
    np.testing.assert_allclose(unit_to_pixels(unit, (16, 32)), pts)


def test_remap_with_identity_is_a_copy():
    image = np.random.RandomState(0).randint(0, 255, (12, 20, 3), np.uint8)
    out = remap(image, pixel_grid((12, 20)))
    np.testing.assert_array_equal(out, image)


def test_smooth_border_mask():
    mask = smooth_border_mask((128, 128), margin=10, ramp=20)
    assert mask.shape == (128, 128)
    assert mask[:10].max() == 0 and mask[:, :10].max() == 0
    assert mask[30:98, 30:98].min() == 1.0
    row = mask[64]
    assert np.all(np.diff(row[10:30]) > 0)  # rising ramp
    assert row[10] < 0.01 and row[29] > 0.99
    np.testing.assert_allclose(mask, mask[::-1, ::-1])
    with pytest.raises(ValueError, match='too small'):
        smooth_border_mask((32, 32), margin=10, ramp=20)


def blob_image(center, size=64, sigma=1.5):
    ys, xs = np.mgrid[:size, :size]
    blob = np.exp(-((xs - center[0])**2 + (ys - center[1])**2) /
                  (2 * sigma**2))
    return (blob * 255).astype(np.float32)[..., None].repeat(3, axis=2)


def centroid(image):
    weight = image[..., 0].astype(np.float64)
    weight = np.where(weight > 0.3 * weight.max(), weight, 0)
    ys, xs = np.mgrid[:image.shape[0], :image.shape[1]]
    return np.array([(xs * weight).sum(), (ys * weight).sum()]) / weight.sum()


@pytest.mark.parametrize('seed', range(5))
def test_tps_warp_moves_landmarks_with_the_pixels(seed):
    np.random.seed(seed)
    landmark = np.array([[[22.0, 37.0]]], dtype=np.float32)
    results = dict(
        img=blob_image(landmark[0, 0]),
        keypoints=landmark.copy(),
        keypoints_visible=np.ones((1, 1), np.float32))
    # a strong target warp, so that the landmark really moves
    warp = TPSPairWarp(
        target_warp=dict(rotation_sd=10.0, scale_sd=0.1, translation_sd=0.1,
                         jitter_sd=(0.001, 0.01)),
        mask_margin=4, mask_ramp=8)
    out = warp(results)
    moved = out['keypoints'][0, 0]
    assert np.linalg.norm(moved - landmark[0, 0]) > 1.0
    np.testing.assert_allclose(centroid(out['img']), moved, atol=0.35)
    assert out['source_img'].shape == (64, 64, 3)
    assert out['loss_mask'].shape == (64, 64)
    assert 0.0 <= out['loss_mask'].min() and out['loss_mask'].max() <= 1.0


def test_source_is_the_target_warped_again():
    np.random.seed(0)
    ys, xs = np.mgrid[:32, :32]
    smooth = 0.5 + 0.25 * np.sin(xs / 4.0) + 0.25 * np.cos(ys / 5.0)
    image = np.repeat(smooth[..., None], 3, axis=2).astype(np.float32)
    warp = TPSPairWarp(mask_margin=2, mask_ramp=4)
    target_params, source_params = warp._sample_warps()
    warp._sample_warps = lambda: (target_params, source_params)
    out = warp(dict(img=image))
    grid = pixel_grid((32, 32))
    expected_target = remap(image, tps_map(grid, target_params, CONTROLS))
    np.testing.assert_allclose(out['img'], expected_target, atol=1e-5)
    # sampling the target through the source warp ~ the one-step source
    two_step = remap(expected_target, tps_map(grid, source_params, CONTROLS))
    inner = (slice(8, 24), slice(8, 24))
    assert np.abs(two_step[inner] - out['source_img'][inner]).mean() < 0.01
    assert np.abs(expected_target[inner] -
                  out['source_img'][inner]).mean() > 0.02


def test_landmarks_leaving_the_image_become_invisible():
    np.random.seed(0)
    warp = TPSPairWarp(
        target_warp=dict(rotation_sd=0.0, scale_sd=0.0, translation_sd=0.0,
                         jitter_sd=(0.0, 0.0)),
        with_loss_mask=False)
    target_params = identity_params(100)
    # sample from the right: content moves left
    target_params[100] = [0.5, 0.0]
    warp._sample_warps = lambda: (target_params, identity_params(100))
    out = warp(dict(
        img=np.zeros((32, 32, 3), np.uint8),
        keypoints=np.array([[[2.0, 10.0], [30.0, 10.0]]], np.float32),
        keypoints_visible=np.ones((1, 2), np.float32)))
    np.testing.assert_allclose(out['keypoints'][0, 1], [30.0 - 7.75, 10.0],
                               atol=1e-4)
    assert out['keypoints_visible'].tolist() == [[0.0, 1.0]]
    assert 'loss_mask' not in out


def test_bad_warp_config():
    with pytest.raises(ValueError, match='exactly the keys'):
        TPSPairWarp(target_warp=dict(rotation_sd=1.0))
    assert 'TPSPairWarp(control_points=(10, 10)' in repr(TPSPairWarp())
