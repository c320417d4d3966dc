from .drawing import (colorize_maps, draw_keypoints, keypoint_colors,
                      label_strip, make_grid, text_size, to_uint8_rgb,
                      upscale)

__all__ = [
    'colorize_maps', 'draw_keypoints', 'keypoint_colors', 'label_strip',
    'make_grid', 'text_size', 'to_uint8_rgb', 'upscale'
]
from .landmark_drawing import display_scale, draw_landmark_result  # noqa: E402

__all__ += ['display_scale', 'draw_landmark_result']
