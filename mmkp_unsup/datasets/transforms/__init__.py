from .background_mask import MaskBackground, read_foreground_mask
from .box_to_input import BoxToInput
from .equivariance_warp import EquivarianceWarp
from .formatting import PackPairInputs
from .frame_to_input import FrameToInput
from .loading import LoadVideoFrame
from .pair_transforms import PairRandomFlip, PairRandomSwap, TPSFramePairWarp
from .resize_crop import ResizeCrop, resize_crop_matrix
from .tps_pair_warp import TPSPairWarp

__all__ = [
    'PackPairInputs', 'TPSPairWarp', 'MaskBackground', 'read_foreground_mask',
    'ResizeCrop', 'resize_crop_matrix', 'LoadVideoFrame', 'PairRandomFlip',
    'PairRandomSwap', 'TPSFramePairWarp', 'EquivarianceWarp', 'BoxToInput',
    'FrameToInput'
]
