from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp
from .equivariance_warp import EquivarianceWarp

__all__ = ['PackPairInputs', 'TPSPairWarp', 'EquivarianceWarp']
