"""Errors of the datasets' landmark protocols as plain functions.

See docs/evaluation.md, "Regression protocols". Points are ``(x, y)``
pixels with pixel centres at integers (0-based, mmpose's convention) unless
a function says otherwise.
"""
from typing import Optional, Sequence, Tuple

import numpy as np


def input_to_original_frame(points: np.ndarray, center: np.ndarray,
                            scale: np.ndarray,
                            input_size: np.ndarray) -> np.ndarray:
    """Map points of a top-down crop back to the original image.

    The inverse of mmpose's ``TopdownAffine`` (rotation 0), as mmpose's
    ``BasePoseEstimator.add_pred_to_datasample`` does:
    ``p / input_size * scale + center - scale / 2``.

    Args:
        points (np.ndarray): ``[N, L, 2]`` points in the crop, pixels.
        center (np.ndarray): ``[N, 2]`` crop centres (``input_center``).
        scale (np.ndarray): ``[N, 2]`` crop sizes in the original image
            (``input_scale``), ``(w, h)``.
        input_size (np.ndarray): ``[N, 2]`` crop sizes in pixels of the
            model input (``input_size``), ``(w, h)``.

    Returns:
        np.ndarray: ``[N, L, 2]`` points in the original image.
    """
    center, scale, size = (np.asarray(a, np.float64)[:, None]
                           for a in (center, scale, input_size))
    return (np.asarray(points, np.float64) / size * scale + center -
            0.5 * scale)


def half_scale_accuracy(pred: np.ndarray,
                        gt: np.ndarray,
                        visible: Optional[np.ndarray] = None,
                        threshold: float = 6.0,
                        scale: float = 0.5) -> np.ndarray:
    """Per-joint accuracy of the BBCPose protocol, in percent.

    The official evaluation maps 1-based MATLAB pixel coordinates ``p`` to
    half scale, ``p' = scale * (p - 1) + 1``, and counts a joint as correct
    if ``|p'_pred - p'_gt| <= threshold``. For 0-based pixels ``q = p - 1``
    (ours) this is ``p' - 1 = scale * q``: the offset cancels in the
    distance, which is ``scale * |q_pred - q_gt|``.

    Args:
        pred (np.ndarray): ``[N, J, 2]`` predicted joints, original-image
            pixels (0- or 1-based alike).
        gt (np.ndarray): ``[N, J, 2]`` annotated joints, same frame.
        visible (np.ndarray, optional): ``[N, J]``; only visible joints
            count. ``None`` = all.
        threshold (float): Distance at half scale, pixels. Defaults to
            ``6``.
        scale (float): The rescaling. Defaults to ``0.5``.

    Returns:
        np.ndarray: ``[J]`` accuracies in percent (NaN for a joint visible
        in no image).
    """
    pred, gt = _check(pred, gt)
    visible = _visible(visible, gt)
    correct = scale * np.linalg.norm(pred - gt, axis=-1) <= threshold
    count = visible.sum(axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        return 100.0 * (correct & visible).sum(axis=0) / count


def normalised_point_error(pred: np.ndarray,
                           gt: np.ndarray,
                           image_size_wh: np.ndarray,
                           visible: Optional[np.ndarray] = None
                           ) -> np.ndarray:
    """Per-image mean L2 error in ``[0, 1]`` image coordinates.

    ``x`` is divided by the image width and ``y`` by its height (the
    simplified Human3.6M protocol stores landmarks in ``[0, 1]`` of the
    image), then the distance is averaged over the visible joints.

    Args:
        pred (np.ndarray): ``[N, J, 2]`` pixels.
        gt (np.ndarray): ``[N, J, 2]`` pixels.
        image_size_wh (np.ndarray): ``[N, 2]`` or ``[2]``: ``(w, h)``.
        visible (np.ndarray, optional): ``[N, J]``.

    Returns:
        np.ndarray: ``[N]`` errors as fractions of the image size.
    """
    pred, gt = _check(pred, gt)
    visible = _visible(visible, gt)
    size = np.broadcast_to(np.asarray(image_size_wh, np.float64),
                           (len(gt), 2))[:, None]
    if (size <= 0).any():
        raise ValueError('image sizes must be positive')
    dist = np.linalg.norm((pred - gt) / size, axis=-1) * visible
    return dist.sum(axis=1) / np.maximum(visible.sum(axis=1), 1)


def per_group_mean(values: np.ndarray,
                   groups: Sequence[str]) -> Tuple[dict, float]:
    """Mean of ``values`` per group and the mean of the group means.

    Args:
        values (np.ndarray): ``[N]``.
        groups (Sequence[str]): ``N`` group names (e.g. activities).

    Returns:
        tuple[dict, float]: ``{group: mean}`` in sorted group order, and
        the unweighted mean over groups.
    """
    groups = np.asarray(groups)
    means = {
        str(g): float(values[groups == g].mean())
        for g in sorted(set(groups.tolist()))
    }
    return means, float(np.mean(list(means.values())))


def _check(pred: np.ndarray, gt: np.ndarray) -> Tuple[np.ndarray, ...]:
    pred, gt = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    if pred.shape != gt.shape or gt.ndim != 3:
        raise ValueError('expected pred and gt of one shape [N, J, 2], got '
                         f'{pred.shape} and {gt.shape}')
    return pred, gt


def _visible(visible: Optional[np.ndarray], gt: np.ndarray) -> np.ndarray:
    if visible is None:
        return np.ones(gt.shape[:2], bool)
    return np.asarray(visible).reshape(gt.shape[:2]) > 0
