from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp

__all__ = ['PackPairInputs', 'TPSPairWarp']
from .resize_crop import ResizeCrop, resize_crop_matrix  # noqa: E402

__all__ += ['ResizeCrop', 'resize_crop_matrix']
from .loading import LoadVideoFrame  # noqa: E402

__all__ += ['LoadVideoFrame']
