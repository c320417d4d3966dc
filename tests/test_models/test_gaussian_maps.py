import math

import pytest
import torch

from mmkp_unsup.models.utils import GaussianMapRenderer, render_gaussian_maps


def test_known_point_renders_the_release_formula():
    # point at (x, y) = (0.5, -0.5) on a 5x5 grid (cells at -1, -.5, 0, .5, 1)
    coords = torch.tensor([[[0.5, -0.5]]])
    maps = render_gaussian_maps(coords, (5, 5), std=0.1)
    assert maps.shape == (1, 1, 5, 5)
    # peak exactly at row 1 (y=-0.5), column 3 (x=0.5)
    assert maps[0, 0].argmax().item() == 1 * 5 + 3
    assert maps[0, 0, 1, 3].item() == pytest.approx(1.0)
    # one cell away: distance 0.5 -> exp(-0.25 / 0.01), no factor 2
    assert maps[0, 0, 1, 4].item() == pytest.approx(math.exp(-25.0))
    # diagonal neighbour: distance^2 = 0.5
    assert maps[0, 0, 2, 4].item() == pytest.approx(math.exp(-50.0))


def test_renderer_module_and_gradients():
    coords = torch.zeros(2, 3, 2, requires_grad=True)
    maps = GaussianMapRenderer(std=0.3)(coords, (4, 6))
    assert maps.shape == (2, 3, 4, 6)
    (maps * torch.arange(6.0)).sum().backward()
    # moving right increases a map weighted by x: positive x-gradient
    assert (coords.grad[..., 0] > 0).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match='std'):
        GaussianMapRenderer(std=0)
    with pytest.raises(ValueError, match=r'\[B, K, 2\]'):
        render_gaussian_maps(torch.zeros(3, 2), (4, 4))
