from .landmark_regression import (apply_landmark_regressor,
                                  fit_landmark_regressor, interocular_nme)
from .label_free import (apply_affine, dense_flow, fit_affine,
                         relative_error, sample_field, warp_points)
from .regression_protocols import (half_scale_accuracy,
                                   input_to_original_frame,
                                   normalised_point_error, per_group_mean)

__all__ = [
    'fit_landmark_regressor', 'apply_landmark_regressor', 'interocular_nme',
    'half_scale_accuracy', 'input_to_original_frame',
    'normalised_point_error', 'per_group_mean', 'warp_points',
    'relative_error', 'dense_flow', 'sample_field', 'fit_affine',
    'apply_affine'
]
