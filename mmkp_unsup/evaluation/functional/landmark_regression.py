"""The landmark-regression protocol as plain functions (docs/evaluation.md).

Learned keypoints ``[N, K, 2]`` are flattened to ``[N, 2K]`` rows; a
linear map (least squares, no bias by default) predicts the ``L``
annotated landmarks ``[N, L, 2]``; the error is the mean point-to-point
distance divided by the inter-ocular distance.
"""
from typing import Optional, Sequence

import numpy as np


def _design(keypoints: np.ndarray, bias: bool) -> np.ndarray:
    x = np.asarray(keypoints, np.float64).reshape(len(keypoints), -1)
    if bias:
        x = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    return x


def fit_landmark_regressor(keypoints: np.ndarray,
                           landmarks: np.ndarray,
                           visible: Optional[np.ndarray] = None,
                           bias: bool = False,
                           min_norm: bool = False) -> np.ndarray:
    """Least-squares linear map from learned keypoints to landmarks.

    Each landmark is fitted on the samples where it is visible. With fewer
    such samples than unknowns (``2K``, plus one with a bias) the system is
    under-determined: by default that is an error; with ``min_norm`` the
    minimum-norm least-squares solution is taken (``np.linalg.lstsq``,
    i.e. the pseudo-inverse), which fits the given samples exactly and
    predicts, for a new input, a combination of their landmarks; a
    landmark visible in no sample gets zero weights.

    Args:
        keypoints (np.ndarray): ``[N, K, 2]`` learned keypoints.
        landmarks (np.ndarray): ``[N, L, 2]`` annotated landmarks.
        visible (np.ndarray, optional): ``[N, L]``; ``None`` = all visible.
        bias (bool): Add a constant input. Defaults to ``False``.
        min_norm (bool): Accept under-determined fits (minimum-norm
            solution). Defaults to ``False``.

    Returns:
        np.ndarray: ``[2K (+1), L, 2]`` weights.

    Raises:
        ValueError: On mismatched shapes, or (unless ``min_norm``) if a
            landmark is visible in fewer samples than there are unknowns.
    """
    landmarks = np.asarray(landmarks, np.float64)
    if len(keypoints) != len(landmarks) or landmarks.ndim != 3:
        raise ValueError(
            f'expected keypoints [N, K, 2] and landmarks [N, L, 2], got '
            f'{np.shape(keypoints)} and {landmarks.shape}')
    x = _design(keypoints, bias)
    n, num_landmarks = landmarks.shape[:2]
    visible = (np.ones((n, num_landmarks), bool)
               if visible is None else np.asarray(visible) > 0)
    weights = np.zeros((x.shape[1], num_landmarks, 2))
    for j in range(num_landmarks):
        rows = visible[:, j]
        if min_norm and not rows.any():
            continue
        if rows.sum() < x.shape[1] and not min_norm:
            raise ValueError(
                f'landmark {j} is visible in {int(rows.sum())} fitting '
                f'samples, fewer than the {x.shape[1]} unknowns of the '
                'regressor: use more fitting samples')
        weights[:, j], *_ = np.linalg.lstsq(
            x[rows], landmarks[rows, j], rcond=None)
    return weights


def apply_landmark_regressor(weights: np.ndarray, keypoints: np.ndarray,
                             bias: bool = False) -> np.ndarray:
    """Predict ``[N, L, 2]`` landmarks from ``[N, K, 2]`` keypoints."""
    x = _design(keypoints, bias)
    if x.shape[1] != weights.shape[0]:
        raise ValueError(f'the regressor expects {weights.shape[0]} inputs, '
                         f'got {x.shape[1]} (bias={bias})')
    return np.einsum('ni,ilc->nlc', x, weights)


def interocular_nme(pred: np.ndarray,
                    gt: np.ndarray,
                    visible: Optional[np.ndarray] = None,
                    norm_indices: Sequence[int] = (0, 1)) -> float:
    """Mean landmark error over the inter-ocular distance, in percent.

    Per image: the mean over visible landmarks of ``|pred - gt|``, divided
    by ``|gt[i] - gt[j]|`` for ``(i, j) = norm_indices``; then the mean
    over images, times 100.

    Args:
        pred (np.ndarray): ``[N, L, 2]``.
        gt (np.ndarray): ``[N, L, 2]``.
        visible (np.ndarray, optional): ``[N, L]``.
        norm_indices (Sequence[int]): The two eye landmarks.
            Defaults to ``(0, 1)``.

    Returns:
        float: The normalised mean error in percent.
    """
    pred, gt = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    if pred.shape != gt.shape:
        raise ValueError(f'pred and gt shapes differ: {pred.shape} vs '
                         f'{gt.shape}')
    visible = (np.ones(gt.shape[:2], bool)
               if visible is None else np.asarray(visible) > 0)
    i, j = norm_indices
    if not visible[:, [i, j]].all():
        bad = np.flatnonzero(~visible[:, [i, j]].all(axis=1))
        raise ValueError(f'{len(bad)} evaluation sample(s) (first: {bad[0]}) '
                         f'lack a visible landmark {i} or {j}, needed for '
                         'the inter-ocular distance')
    norm = np.linalg.norm(gt[:, i] - gt[:, j], axis=-1)
    if (norm <= 0).any():
        raise ValueError('some evaluation samples have a zero inter-ocular '
                         'distance')
    dist = np.linalg.norm(pred - gt, axis=-1) * visible
    per_image = dist.sum(axis=1) / np.maximum(visible.sum(axis=1), 1) / norm
    return float(per_image.mean() * 100.0)
