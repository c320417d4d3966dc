"""Collapse diagnostics: keypoint spread over the object."""
import torch

from mmkp_unsup.engine.hooks.landmark_visualization_hook import (
    add_caption, format_diagnostics)
from mmkp_unsup.models.utils import keypoint_diagnostics


def test_collapsed_and_spread_points():
    spread = torch.full((2, 4, 2), 0.1)
    collapsed = torch.zeros(2, 4, 2)
    stats = keypoint_diagnostics(collapsed, spread, (32, 32))
    assert float(stats['keypoint_dispersion']) == 0.0
    assert 'keypoint_in_box' not in stats
    assert abs(float(stats['keypoint_spread']) - 0.1) < 1e-6

    corners = torch.tensor([[-1., -1.], [1., -1.], [-1., 1.], [1., 1.]])
    corners = corners.expand(2, 4, 2)
    # points at the pixel centres 0 and 31; box = the square they span
    boxes = torch.tensor([[0., 0., 31., 31.], [0., 0., 15., 15.]])
    stats = keypoint_diagnostics(corners, spread, (32, 32), boxes)
    side = 32.0  # (mu + 1) / 2 * size: 0 and 32
    mean_pair = (4 * side + 2 * side * 2**0.5) / 6
    expected = (mean_pair / (31 * 2**0.5) + mean_pair / (15 * 2**0.5)) / 2
    assert abs(float(stats['keypoint_dispersion']) - expected) < 1e-4
    # first image: the corner at 0 is inside [0, 31], the one at 32 not
    assert abs(float(stats['keypoint_in_box']) - 2 / 8) < 1e-6


def test_caption_on_pictures():
    import numpy as np
    text = format_diagnostics(
        dict(keypoint_spread=torch.tensor(0.5),
             keypoint_dispersion=torch.tensor(0.25)))
    assert text == 'spread 0.50  dispersion 0.25'
    grid = np.zeros((20, 300, 3), np.uint8)
    out = add_caption(grid, text)
    assert out.shape == (38, 300, 3)
    assert (out[:18] < 255).any()  # text drawn
