from .soft_argmax_keypoint_head import SoftArgmaxKeypointHead

__all__ = ['SoftArgmaxKeypointHead']
