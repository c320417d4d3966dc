"""mmpose's top-down crop, with no work for frames that are the input."""
from typing import Dict, Optional

import numpy as np

from mmpose.datasets.transforms import TopdownAffine
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FrameToInput(TopdownAffine):
    """mmpose's ``TopdownAffine`` that passes a frame through unchanged
    when its box is the whole frame and the frame has the input's size
    (docs/data_preparation_faces.md, "Your own footage").

    The clips of the footage templates have the whole image as the box
    (``ClipFolderDataset``, ``bbox_mode='image'``), and small frames often
    have the network's size already: the affine warp is then the identity,
    and this transform skips computing and applying it. Every other box
    goes through ``TopdownAffine`` as it is; the outputs are the same in
    both cases (the same keys, pixels and points). Coordinates are ``(x,
    y)`` pixels in mmpose's frame (the whole image is the box ``[0, 0, W,
    H]``).

    Required Keys:

        - img
        - bbox_center (``[1, 2]``)
        - bbox_scale (``[1, 2]``)
        - keypoints (optional)

    Modified Keys:

        - img (only when warped)
        - bbox_scale

    Added Keys:

        - input_size
        - input_center
        - input_scale
        - transformed_keypoints

    Args:
        input_size (tuple[int, int]): ``(w, h)`` of the network input.
        use_udp (bool): mmpose's unbiased data processing (always warped).
            Defaults to ``False``.
    """

    def _is_identity(self, results: Dict) -> bool:
        image = results['img']
        if self.use_udp or isinstance(image, list):
            return False
        rotation = results.get('bbox_rotation')
        if rotation is not None and np.any(rotation != 0):
            return False
        w, h = self.input_size
        if image.shape[:2] != (h, w):
            return False
        center = np.asarray(results['bbox_center'])
        scale = self._fix_aspect_ratio(
            np.asarray(results['bbox_scale'], np.float32), aspect_ratio=w / h)
        return (center.shape[0] == 1 and np.allclose(center[0], (w / 2, h / 2))
                and np.allclose(scale[0], (w, h)))

    def transform(self, results: Dict) -> Optional[dict]:
        if not self._is_identity(results):
            return super().transform(results)
        w, h = self.input_size
        results['bbox_scale'] = self._fix_aspect_ratio(
            results['bbox_scale'], aspect_ratio=w / h)
        if results.get('keypoints', None) is not None:
            transformed = (results['transformed_keypoints'].copy()
                           if results.get('transformed_keypoints') is not None
                           else results['keypoints'].copy())
            transformed[..., :2] = results['keypoints'][..., :2]
            results['transformed_keypoints'] = transformed
        else:
            results['transformed_keypoints'] = np.zeros([])
            results['keypoints_visible'] = np.ones((1, 1, 1))
        results['input_size'] = (w, h)
        results['input_center'] = results['bbox_center'][0]
        results['input_scale'] = results['bbox_scale'][0]
        return results
