from .soft_argmax_keypoint_head import SoftArgmaxKeypointHead
from .landmark_regressor import LandmarkRegressor

__all__ = ['SoftArgmaxKeypointHead', 'LandmarkRegressor']
