from .landmark_regression import (apply_landmark_regressor,
                                  fit_landmark_regressor, interocular_nme)

__all__ = [
    'fit_landmark_regressor', 'apply_landmark_regressor', 'interocular_nme'
]
