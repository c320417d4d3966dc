"""The release's TPS pairs (docs/method.md, "Source of a TPS pair", "Warp
statistics"), against small numpy references of imm/datasets/tps_dataset.py
and imm/utils/tps_sampler.py written here (not our code): the source is the
warped target resampled by the second warp, and the warps come from a cache
of entries renewed at random."""
import numpy as np
import pytest
import torch

from mmpose.registry import MODELS
from mmkp_unsup.datasets.transforms import TPSFramePairWarp, TPSPairWarp
from mmkp_unsup.datasets.transforms.tps import (TPSWarpCache,
                                                sample_tps_params)


def tps_reference(points, params, rows=10, cols=10):
    """The release's TPSGridGen: [U(|p - c|^2), 1, x, y] @ W, U = r2 log r2
    (r2 clipped at 1e-8), control points on a linspace(-1, 1) grid."""
    cx, cy = np.meshgrid(np.linspace(-1, 1, cols), np.linspace(-1, 1, rows))
    controls = np.stack([cx.ravel(), cy.ravel()], 1)
    d2 = ((points[:, None, :] - controls[None])**2).sum(-1)
    d2 = np.clip(d2, 1e-8, None)
    basis = np.concatenate(
        [d2 * np.log(d2), np.ones((len(points), 1)), points], 1)
    return basis @ params


def grid_sample_reference(image, points):
    """Bilinear sampling of [H, W, C] at (x, y) in [-1, 1] with -1 / +1 at
    the first / last pixel centres (grid_sample, align_corners=True as in
    the release's PyTorch), neighbours outside the image count as 0."""
    h, w = image.shape[:2]
    out = np.zeros((len(points), image.shape[2]))
    px = (points[:, 0] + 1) / 2 * (w - 1)
    py = (points[:, 1] + 1) / 2 * (h - 1)
    x0, y0 = np.floor(px).astype(int), np.floor(py).astype(int)
    for dx in (0, 1):
        for dy in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            weight = (1 - np.abs(px - xi)) * (1 - np.abs(py - yi))
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            values = np.zeros_like(out)
            values[inside] = image[yi[inside], xi[inside]]
            out += weight[:, None] * values
    return out.reshape(h, w, -1)


def pixel_points(h, w):
    xs, ys = np.meshgrid(np.linspace(-1, 1, w), np.linspace(-1, 1, h))
    return np.stack([xs.ravel(), ys.ravel()], 1)


def release_pair(image, target_params, source_params):
    """future_image = warp_t(image); image = warp_s(future_image)."""
    h, w = image.shape[:2]
    grid = pixel_points(h, w)
    target = grid_sample_reference(image.astype(np.float64),
                                   tps_reference(grid, target_params))
    source = grid_sample_reference(target, tps_reference(grid, source_params))
    return target, source


def smooth_image(size=32, shift=0.0):
    ys, xs = np.mgrid[:size, :size]
    smooth = 0.5 + 0.25 * np.sin(xs / 4.0 + shift) + 0.25 * np.cos(ys / 5.0)
    return np.repeat(smooth[..., None], 3, axis=2).astype(np.float32)


def strong_warps(seed=0):
    """A target and a source warp that reach outside the image."""
    rng = np.random.RandomState(seed)
    target = sample_tps_params(rng, 100, translation_sd=0.1)
    source = sample_tps_params(rng, 100, 5.0, 0.1, 0.1, (0.001, 0.01))
    source[100] += [0.15, -0.1]  # a translation: rows from outside
    return target, source


def assert_close_to(ours, expected, atol):
    """cv2.remap rounds sampling positions to 1/32 pixel: besides ``atol``,
    allow for that shift times the local slope of the expected image."""
    expected = np.asarray(expected, np.float64)
    # outside the image is 0 for both
    padded = np.pad(expected, ((1, 1), (1, 1), (0, 0)))
    h, w = expected.shape[:2]
    slope = np.max([
        np.abs(padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] - expected)
        for dy in (-1, 0, 1) for dx in (-1, 0, 1)
    ], axis=0)  # the largest step to a neighbouring pixel
    allowed = atol + slope / 16
    excess = np.abs(np.asarray(ours, np.float64) - expected) - allowed
    assert excess.max() <= 0, f'off by {excess.max()} beyond the tolerance'


def fixed(transform, params):
    transform._sample_warps = lambda: params
    return transform


def test_source_from_target_matches_the_release():
    image = smooth_image()
    params = strong_warps()
    exp_target, exp_source = release_pair(image, *params)
    out = fixed(TPSPairWarp(mask_margin=2, mask_ramp=4,
                            source_from='target'), params)(dict(img=image))
    assert_close_to(out['img'], exp_target, 1e-3)
    assert_close_to(out['source_img'], exp_source, 1e-3)
    # the present default samples the original once: elsewhere, where the
    # second warp leaves the target
    once = fixed(TPSPairWarp(mask_margin=2, mask_ramp=4), params)(
        dict(img=image))
    assert np.abs(once['source_img'] - exp_source).max() > 0.2
    with pytest.raises(AssertionError, match='beyond the tolerance'):
        assert_close_to(once['source_img'], exp_source, 1e-3)
    np.testing.assert_allclose(once['img'], out['img'])


def test_source_from_target_on_uint8_rounds_once():
    image = (smooth_image() * 255).astype(np.uint8)
    params = strong_warps(1)
    _, exp_source = release_pair(image, *params)
    out = fixed(TPSPairWarp(mask_margin=2, mask_ramp=4,
                            source_from='target'), params)(dict(img=image))
    assert out['source_img'].dtype == np.uint8
    assert_close_to(out['source_img'], exp_source, 0.5 + 0.3)


def test_frame_pairs_resample_the_warped_source_frame():
    target_frame, source_frame = smooth_image(), smooth_image(shift=1.0)
    params = strong_warps(2)
    exp_target, _ = release_pair(target_frame, *params)
    _, exp_source = release_pair(source_frame, *params)
    out = fixed(TPSFramePairWarp(mask_margin=2, mask_ramp=4,
                                 source_from='target'), params)(
        dict(img=target_frame, source_img=source_frame))
    assert_close_to(out['img'], exp_target, 1e-3)
    assert_close_to(out['source_img'], exp_source, 1e-3)
    once = fixed(TPSFramePairWarp(mask_margin=2, mask_ramp=4), params)(
        dict(img=target_frame, source_img=source_frame))
    with pytest.raises(AssertionError, match='beyond the tolerance'):
        assert_close_to(once['source_img'], exp_source, 1e-3)


def test_batch_warp_source_from_target_matches_the_release():
    images = np.stack([smooth_image(), smooth_image(shift=2.0)])
    params = [strong_warps(3), strong_warps(4)]
    warp = MODELS.build(dict(type='BatchTPSPairWarp', mask_margin=2,
                             mask_ramp=4, source_from='target'))
    batch = torch.from_numpy(images).permute(0, 3, 1, 2)
    stacked = tuple(
        torch.from_numpy(np.stack([p[k] for p in params])).float()
        for k in (0, 1))
    target, source, _ = warp(batch, stacked)
    for i in range(2):
        exp_target, exp_source = release_pair(images[i], *params[i])
        np.testing.assert_allclose(
            target[i].permute(1, 2, 0).numpy(), exp_target, atol=1e-4)
        np.testing.assert_allclose(
            source[i].permute(1, 2, 0).numpy(), exp_source, atol=1e-4)
    with pytest.raises(ValueError, match='source_from'):
        TPSPairWarp(source_from='both')


class ReleaseCache:
    """imm/utils/tps_sampler.py's _get_grids, one entry per draw."""

    def __init__(self, size, evict_prob, rng):
        self.cache, self.size, self.prob, self.rng = [None] * size, size, \
            evict_prob, rng

    def get(self, sample):
        entry = self.rng.randint(self.size)
        if self.cache[entry] is None or self.rng.rand() < self.prob:
            self.cache[entry] = sample()
        return self.cache[entry]


def test_warp_cache_follows_the_release_rule():
    size, prob = 5, 0.2
    np.random.seed(3)
    warp = TPSPairWarp(warp_cache=dict(size=size, renew_prob=prob))
    ours = [warp._sample_warps() for _ in range(60)]
    rng = np.random.RandomState(3)
    target, source = (ReleaseCache(size, prob, rng) for _ in range(2))
    for t, s in ours:
        exp_t = target.get(lambda: sample_tps_params(rng, 100, **warp.
                                                     target_warp))
        exp_s = source.get(lambda: sample_tps_params(rng, 100, **warp.
                                                     source_warp))
        np.testing.assert_array_equal(t, exp_t)
        np.testing.assert_array_equal(s, exp_s)
    # warps repeat: at most size + the renewals distinct ones
    distinct = {t.tobytes() for t, _ in ours}
    assert size <= len(distinct) < 30


def test_warp_cache_statistics_and_seeds():
    np.random.seed(0)
    cache = TPSWarpCache(size=1000, renew_prob=0.01)
    counter = iter(range(10**6))
    draws = [cache.draw(np.random, lambda: next(counter))
             for _ in range(20000)]
    # ~1000 * (1 - e^-20) fills plus ~0.01 of the draws of filled entries
    fresh = len(set(draws))
    assert 1100 < fresh < 1300
    # without a cache every pair draws new warps
    np.random.seed(0)
    plain = TPSPairWarp()
    firsts = {plain._sample_warps()[0].tobytes() for _ in range(50)}
    assert len(firsts) == 50
    # one seed, one sequence; another seed, another
    def sequence(seed):
        np.random.seed(seed)
        warp = TPSPairWarp(warp_cache=dict(size=10, renew_prob=0.01))
        return [warp._sample_warps()[1] for _ in range(20)]

    for a, b in zip(sequence(7), sequence(7)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(sequence(7)[0], sequence(8)[0])
    with pytest.raises(ValueError, match='size and renew_prob'):
        TPSPairWarp(warp_cache=dict(entries=10))
    with pytest.raises(ValueError, match='renew_prob'):
        TPSPairWarp(warp_cache=dict(size=10, renew_prob=2.0))


def test_batch_warp_uses_the_cache():
    np.random.seed(0)
    warp = MODELS.build(
        dict(type='BatchTPSPairWarp', warp_cache=dict(size=2,
                                                      renew_prob=0.0)))
    target, source = warp.sample_params(40)
    assert len({t.numpy().tobytes() for t in target}) == 2
    assert len({s.numpy().tobytes() for s in source}) == 2
