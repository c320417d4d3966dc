import pytest
import torch

from mmkp_unsup.models.utils import (MarginalSoftArgmax, SpatialSoftArgmax,
                                     marginal_softmax_coords,
                                     normalized_to_pixel, pixel_to_normalized,
                                     spatial_softmax_coords, spread_to_score,
                                     xy_to_yx, yx_to_xy)


def peaked_logits(h, w, row, col, height=50.0):
    logits = torch.zeros(1, 1, h, w)
    logits[0, 0, row, col] = height
    return logits


@pytest.mark.parametrize('fn', [marginal_softmax_coords,
                                spatial_softmax_coords])
def test_sharp_peak_gives_its_grid_position(fn):
    # 9x5 map, peak at row 6, column 1: y = -1 + 2 * 6 / 8, x = -1 + 2 / 4
    coords, spread = fn(peaked_logits(9, 5, 6, 1, height=1000.0))
    assert coords.shape == (1, 1, 2)
    torch.testing.assert_close(coords[0, 0], torch.tensor([-0.5, 0.5]))
    assert spread.max() < 1e-3


def test_marginal_softmax_matches_hand_computation():
    # logits that vary along y only: the x marginal is uniform (x = 0) and
    # the y marginal is softmax over the mean of each row
    rows = torch.tensor([0.0, 1.0, 2.0])
    logits = rows.view(1, 1, 3, 1).expand(1, 1, 3, 4).clone()
    coords, _ = marginal_softmax_coords(logits)
    p = torch.softmax(rows, 0)
    expected_y = (p * torch.tensor([-1.0, 0.0, 1.0])).sum()
    torch.testing.assert_close(coords[0, 0],
                               torch.stack([torch.tensor(0.0), expected_y]))


def test_marginal_and_spatial_differ_on_non_separable_maps():
    logits = torch.zeros(1, 1, 2, 2)
    logits[0, 0, 0, 0] = 5.0  # one strong corner
    marginal, _ = marginal_softmax_coords(logits)
    spatial, _ = spatial_softmax_coords(logits)
    # the 2-D softmax concentrates more on the corner than the marginal one
    assert spatial[0, 0, 0] < marginal[0, 0, 0] < 0


def test_flat_heatmap_is_centred_with_zero_score():
    coords, spread = marginal_softmax_coords(torch.zeros(2, 3, 8, 8))
    torch.testing.assert_close(coords, torch.zeros(2, 3, 2))
    # spread of a discrete uniform on 8 points of [-1, 1], close to 1/sqrt(3)
    assert spread.min() > 0.6
    assert spread_to_score(spread).max() == 0.0
    assert spread_to_score(torch.zeros(1, 1, 2)).item() == 1.0


def test_modules_wrap_the_functions():
    logits = torch.randn(2, 4, 6, 6)
    for module, fn in ((MarginalSoftArgmax(), marginal_softmax_coords),
                       (SpatialSoftArgmax(), spatial_softmax_coords)):
        torch.testing.assert_close(module(logits)[0], fn(logits)[0])


def test_bad_logits_shape_is_rejected():
    with pytest.raises(ValueError, match=r'\[B, K, H, W\]'):
        marginal_softmax_coords(torch.zeros(3, 4, 4))


def test_pixel_conversion_is_the_release_formula_and_invertible():
    coords = torch.tensor([[[-1.0, -1.0], [1.0, 0.0], [0.5, 1.0]]])
    pixels = normalized_to_pixel(coords, (64, 128))  # H=64, W=128
    torch.testing.assert_close(
        pixels, torch.tensor([[[0.0, 0.0], [128.0, 32.0], [96.0, 64.0]]]))
    torch.testing.assert_close(pixel_to_normalized(pixels, (64, 128)), coords)


def test_yx_xy_swap():
    yx = torch.tensor([[1.0, 2.0]])
    assert yx_to_xy(yx).tolist() == [[2.0, 1.0]]
    assert xy_to_yx(yx_to_xy(yx)).tolist() == yx.tolist()
