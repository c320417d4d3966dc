from .landmark_regression_metric import LandmarkRegressionMetric

__all__ = ['LandmarkRegressionMetric']
