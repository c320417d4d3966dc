from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp

__all__ = ['PackPairInputs', 'TPSPairWarp']
