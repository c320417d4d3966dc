from .landmark_regression_metric import LandmarkRegressionMetric
from .label_free_metrics import EquivarianceMetric, TemporalStabilityMetric
from .regression_protocols import (BBCPoseRegressionMetric,
                                   Human36MRegressionMetric,
                                   MMPoseNMERegressionMetric)

__all__ = [
    'LandmarkRegressionMetric', 'BBCPoseRegressionMetric',
    'Human36MRegressionMetric', 'MMPoseNMERegressionMetric',
    'EquivarianceMetric', 'TemporalStabilityMetric'
]
