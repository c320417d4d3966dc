from .landmark_regression import (apply_landmark_regressor,
                                  fit_landmark_regressor, interocular_nme)
from .regression_protocols import (half_scale_accuracy,
                                   input_to_original_frame,
                                   normalised_point_error, per_group_mean)

__all__ = [
    'fit_landmark_regressor', 'apply_landmark_regressor', 'interocular_nme',
    'half_scale_accuracy', 'input_to_original_frame',
    'normalised_point_error', 'per_group_mean'
]
