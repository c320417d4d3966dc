from .formatting import PackPairInputs
from .tps_pair_warp import TPSPairWarp

__all__ = ['PackPairInputs', 'TPSPairWarp']
from .pair_transforms import (PairRandomFlip, PairRandomSwap,  # noqa: E402
                              TPSFramePairWarp)

__all__ += ['PairRandomFlip', 'PairRandomSwap', 'TPSFramePairWarp']
