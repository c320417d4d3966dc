from .unsupervised_landmarks import UnsupervisedLandmarkEstimator

__all__ = ['UnsupervisedLandmarkEstimator']
