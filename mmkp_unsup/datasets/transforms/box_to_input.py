"""Crop a box and resize it to the network input, aspect not kept."""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class BoxToInput(BaseTransform):
    """Resize the box ``bbox_center`` / ``bbox_scale`` to the input size,
    each axis on its own (the aspect ratio is not kept).

    The release resizes whole images non-uniformly to the network input
    (docs/method.md, "Data preparation"); mmpose's ``TopdownAffine`` keeps
    the aspect ratio by enlarging the box, so points found in the added
    border fall outside the image. This transform is the non-uniform
    counterpart and stores the same ``input_center`` / ``input_scale`` /
    ``input_size``, so the estimator maps predictions back with mmpose's
    formula ``p / input_size * input_scale + input_center - input_scale /
    2`` (``test_cfg.output_space='image'``). Large reductions are first
    done with area averaging (no aliasing), the rest with a bilinear warp.
    Coordinates are ``(x, y)`` pixels; the image spans ``[0, W] x [0, H]``.

    Required Keys:

        - img
        - bbox_center (``[1, 2]``)
        - bbox_scale (``[1, 2]``, box width and height)

    Modified Keys:

        - img

    Added Keys:

        - input_size
        - input_center
        - input_scale
        - transformed_keypoints (when ``keypoints`` are present)

    Args:
        input_size (Sequence[int]): ``(w, h)`` of the network input.
    """

    def __init__(self, input_size: Sequence[int]) -> None:
        super().__init__()
        if len(input_size) != 2 or min(input_size) < 1:
            raise ValueError(f'input_size must be (w, h) >= 1, got '
                             f'{input_size}')
        self.input_size = tuple(int(s) for s in input_size)

    def transform(self, results: Dict) -> Optional[dict]:
        w, h = self.input_size
        center = np.asarray(results['bbox_center'], np.float64).reshape(-1,
                                                                       2)
        scale = np.asarray(results['bbox_scale'], np.float64).reshape(-1, 2)
        if len(center) != 1:
            raise ValueError('BoxToInput handles one box per image, got '
                             f'{len(center)}')
        center, scale = center[0], scale[0]
        if (scale <= 0).any():
            raise ValueError(f'box size must be positive, got {scale}')
        factor = np.array([w, h]) / scale  # input pixels per image pixel
        # input = factor * (image - center) + input_size / 2
        matrix = np.array([[factor[0], 0, w / 2 - factor[0] * center[0]],
                           [0, factor[1], h / 2 - factor[1] * center[1]]])
        image = results['img']
        # shrink by area averaging down to twice the final resolution
        pre = np.minimum(1.0, 2.0 * factor)
        if (pre < 1).any():
            size = (max(1, round(image.shape[1] * pre[0])),
                    max(1, round(image.shape[0] * pre[1])))
            pre = np.array([size[0] / image.shape[1],
                            size[1] / image.shape[0]])
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            warp = matrix.copy()
            warp[:, :2] = matrix[:, :2] / pre[None]
        else:
            warp = matrix
        # cv2 samples pixel centres at integers: shift by half a pixel
        # between the continuous frames of the image and the input
        shift_in = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
        shift_out = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
        warp_px = (shift_out @ np.vstack([warp, [0, 0, 1]]) @ shift_in)[:2]
        results['img'] = cv2.warpAffine(
            image, warp_px, (w, h), flags=cv2.INTER_LINEAR)
        if results.get('keypoints') is not None:
            points = np.asarray(results['keypoints'], np.float32).copy()
            points[..., :2] = points[..., :2] * factor + matrix[:, 2]
            results['transformed_keypoints'] = points
        results['input_size'] = (w, h)
        results['input_center'] = center.astype(np.float32)
        results['input_scale'] = scale.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(input_size={self.input_size})'
