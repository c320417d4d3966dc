"""Drawing inference results (learned points and landmarks) on images with
mmpose's :class:`PoseLocalVisualizer` (see docs/inference.md)."""
import math
from typing import Optional

import cv2
import numpy as np
from mmengine.structures import InstanceData

from mmpose.structures import PoseDataSample
from mmpose.visualization import PoseLocalVisualizer

VISUALIZER_NAME = 'mmkp_unsup_landmarks'


def _visualizer() -> PoseLocalVisualizer:
    if PoseLocalVisualizer.check_instance_created(VISUALIZER_NAME):
        return PoseLocalVisualizer.get_instance(VISUALIZER_NAME)
    return PoseLocalVisualizer.get_instance(VISUALIZER_NAME, alpha=0.9)


def _draw_set(visualizer: PoseLocalVisualizer, image_rgb: np.ndarray,
              points: np.ndarray, scores: np.ndarray, meta: dict,
              radius: int, line_width: int, kpt_thr: float) -> np.ndarray:
    """One set of points (with the meta's colours and skeleton)."""
    visualizer.set_dataset_meta(meta)
    visualizer.radius = radius
    visualizer.line_width = line_width
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        keypoints=np.asarray(points, np.float32)[None],
        keypoint_scores=np.asarray(scores, np.float32)[None],
        keypoints_visible=np.asarray(scores, np.float32)[None])
    return visualizer.add_datasample(
        'landmarks', image_rgb, sample, draw_gt=False, draw_pred=True,
        kpt_thr=kpt_thr)


def display_scale(image_hw, min_size: int = 256) -> int:
    """Integer upscaling factor so that the shorter side is >= ``min_size``
    (small network-sized images stay readable)."""
    return max(1, math.ceil(min_size / max(1, min(image_hw))))


def draw_landmark_result(image: np.ndarray,
                         result: dict,
                         learned_meta: dict,
                         landmark_meta: Optional[dict] = None,
                         kpt_thr: float = 0.0,
                         min_size: int = 256,
                         draw_bbox: bool = False) -> np.ndarray:
    """Draw one result of :func:`mmkp_unsup.apis.inference_landmarks`.

    The K learned points are drawn as small dots in their own colours
    (``learned_meta``, no skeleton); the landmarks, when the result has
    them, as larger dots joined by the skeleton of ``landmark_meta``.
    Images whose shorter side is below ``min_size`` are first upscaled by
    an integer factor (nearest neighbour).

    Args:
        image (np.ndarray): BGR ``uint8`` ``[H, W, 3]``, the image the
            result's ``(x, y)`` pixel coordinates refer to.
        result (dict): ``keypoints`` ``[K, 2]``, ``keypoint_scores``
            ``[K]`` and optionally ``landmarks`` ``[L, 2]``,
            ``landmark_scores`` ``[L]`` and ``bbox`` ``[4]``.
        learned_meta (dict): mmpose dataset meta of the K points
            (``model.learned_keypoints_meta``).
        landmark_meta (dict, optional): Meta of the L landmarks
            (``model.dataset_meta`` of a detector).
        kpt_thr (float): Points with a lower score are not drawn.
            Defaults to ``0`` (all).
        min_size (int): See above. Defaults to ``256``.
        draw_bbox (bool): Also draw ``result['bbox']``. Defaults to
            ``False``.

    Returns:
        np.ndarray: BGR ``uint8`` ``[H * s, W * s, 3]``, ``s`` the
        upscaling factor (:func:`display_scale`).
    """
    scale = display_scale(image.shape[:2], min_size)
    canvas = image
    if scale > 1:
        canvas = cv2.resize(image, None, fx=scale, fy=scale,
                            interpolation=cv2.INTER_NEAREST)
    rgb = np.ascontiguousarray(canvas[..., ::-1])
    size = min(rgb.shape[:2])
    radius = max(1, round(size / 100))
    visualizer = _visualizer()
    if draw_bbox and result.get('bbox') is not None:
        x1, y1, x2, y2 = (np.asarray(result['bbox'], np.float64) *
                          scale).round().astype(int)
        rgb = cv2.rectangle(rgb.copy(), (x1, y1), (x2, y2), (0, 255, 0),
                            max(1, radius // 2))
    rgb = _draw_set(visualizer, rgb,
                    np.asarray(result['keypoints']) * scale,
                    result['keypoint_scores'], learned_meta, radius,
                    max(1, radius // 2), kpt_thr)
    if landmark_meta is not None and result.get('landmarks') is not None:
        rgb = _draw_set(visualizer, rgb,
                        np.asarray(result['landmarks']) * scale,
                        result['landmark_scores'], landmark_meta,
                        2 * radius, radius, kpt_thr)
    return np.ascontiguousarray(rgb[..., ::-1])
