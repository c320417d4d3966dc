"""The warped copy for the equivariance metric: its image and its points
agree."""
import numpy as np
import pytest

from mmkp_unsup.datasets.transforms import EquivarianceWarp, PackPairInputs
from mmkp_unsup.datasets.transforms.tps import pixels_to_unit, tps_map
from mmkp_unsup.evaluation.functional import warp_points


def blob_image(center, size=48, sigma=2.0):
    ys, xs = np.mgrid[:size, :size]
    blob = np.exp(-((xs - center[0])**2 + (ys - center[1])**2) /
                  (2 * sigma**2))
    return np.repeat(blob[..., None], 3, axis=2).astype(np.float32)


def centroid(image):
    weights = image[..., 0].astype(np.float64)
    ys, xs = np.mgrid[:image.shape[0], :image.shape[1]]
    return np.array([(weights * xs).sum(), (weights * ys).sum()
                     ]) / weights.sum()


@pytest.mark.parametrize('control_points', [(10, 10), None])
def test_warped_blob_lands_where_the_points_go(control_points):
    """The image warp and the point map share one convention."""
    transform = EquivarianceWarp(rotation_sd=10,
                                 control_points=control_points)
    rng = np.random.RandomState(0)
    for idx in range(10):
        center = rng.rand(2) * 16 + 16
        results = transform(
            dict(img=blob_image(center, sigma=1.0), sample_idx=idx))
        warp = results['equivariance_warp']
        expected, kept = warp_points(
            center[None], warp['params'], warp['controls'], (48, 48))
        assert kept.all()
        # within a tenth of a pixel (the blob's centroid is not exactly
        # its centre under a non-affine warp)
        assert np.abs(centroid(results['warped_img']) - expected[0]).max() \
            < 0.1
        np.testing.assert_array_equal(results['img'],
                                      blob_image(center, sigma=1.0))


def test_warp_points_solves_the_backward_map():
    transform = EquivarianceWarp()
    warp = transform(dict(img=np.zeros((32, 40, 3), np.uint8),
                          sample_idx=3))['equivariance_warp']
    points = np.random.RandomState(0).rand(50, 2) * [39, 31]
    moved, kept = warp_points(points, warp['params'], warp['controls'],
                              (32, 40))
    back = tps_map(pixels_to_unit(moved, (32, 40)), warp['params'],
                   warp['controls'])
    np.testing.assert_allclose(
        back[kept], pixels_to_unit(points, (32, 40))[kept], atol=1e-6)
    assert kept.mean() > 0.5


def test_points_pushed_out_of_the_frame_are_not_kept():
    # T(p) = p + (0.5, 0): the content moves left by a quarter of the image
    params = np.array([[0.5, 0.0], [1.0, 0.0], [0.0, 1.0]])
    points = np.array([[2.0, 10.0], [30.0, 10.0]])  # 33 px wide
    moved, kept = warp_points(points, params, np.zeros((0, 2)), (21, 33))
    assert kept.tolist() == [False, True]
    np.testing.assert_allclose(moved[1], [22.0, 10.0])


def test_warps_are_seeded_per_sample_and_packed():
    transform = EquivarianceWarp(seed=7)
    img = np.zeros((16, 16, 3), np.uint8)
    first = transform(dict(img=img, sample_idx=1))['equivariance_warp']
    again = transform(dict(img=img, sample_idx=1))['equivariance_warp']
    other = transform(dict(img=img, sample_idx=2))['equivariance_warp']
    np.testing.assert_array_equal(first['params'], again['params'])
    assert not np.allclose(first['params'], other['params'])
    with pytest.raises(KeyError, match='sample_idx'):
        transform(dict(img=img, img_path='x.png'))
    assert 'seed=7' in repr(transform)

    packed = PackPairInputs()(transform(dict(img=img, sample_idx=1)))
    assert set(packed['inputs']) == {'target', 'warped'}
    assert 'equivariance_warp' in packed['data_samples'].metainfo
    plain = PackPairInputs()(dict(img=img))
    assert not isinstance(plain['inputs'], dict)
