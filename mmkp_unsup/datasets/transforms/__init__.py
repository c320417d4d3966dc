from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp
from .box_to_input import BoxToInput

__all__ = ['PackPairInputs', 'TPSPairWarp', 'BoxToInput']
