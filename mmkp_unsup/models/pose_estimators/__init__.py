from .autolink import AutoLinkEstimator
from .base_landmark_estimator import BaseLandmarkEstimator
from .unsupervised_landmarks import UnsupervisedLandmarkEstimator

__all__ = [
    'BaseLandmarkEstimator', 'UnsupervisedLandmarkEstimator',
    'AutoLinkEstimator'
]
