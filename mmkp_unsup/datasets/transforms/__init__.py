from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp

__all__ = ['PackPairInputs', 'TPSPairWarp']
from .background_mask import MaskBackground, read_foreground_mask  # noqa: E402

__all__ += ['MaskBackground', 'read_foreground_mask']
