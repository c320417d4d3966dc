from .coordinates import (MarginalSoftArgmax, SpatialSoftArgmax,
                          marginal_softmax_coords, normalized_to_pixel,
                          pixel_to_normalized, spatial_softmax_coords,
                          spread_to_score, xy_to_yx, yx_to_xy)
from .gaussian_maps import GaussianMapRenderer, render_gaussian_maps
from .resize import (RESIZE_MODES, check_resize_mode, resize_bilinear_tf1,
                     tf1_bilinear_matrix)

__all__ = [
    'MarginalSoftArgmax', 'SpatialSoftArgmax', 'marginal_softmax_coords',
    'spatial_softmax_coords', 'normalized_to_pixel', 'pixel_to_normalized',
    'spread_to_score', 'yx_to_xy', 'xy_to_yx', 'GaussianMapRenderer',
    'render_gaussian_maps', 'RESIZE_MODES', 'check_resize_mode',
    'resize_bilinear_tf1', 'tf1_bilinear_matrix'
]
from .diagnostics import keypoint_diagnostics  # noqa: E402

__all__ += ['keypoint_diagnostics']
from .edge_maps import (EdgeMapRenderer, render_edge_maps,  # noqa: E402
                        segment_squared_distance)
from .patch_mask import RandomPatchMask  # noqa: E402

__all__ += [
    'EdgeMapRenderer', 'render_edge_maps', 'segment_squared_distance',
    'RandomPatchMask'
]
