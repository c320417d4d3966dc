from .pair_data_preprocessor import PairDataPreprocessor

__all__ = ['PairDataPreprocessor']
from .batch_tps_pair_warp import BatchTPSPairWarp, TPSPairDataPreprocessor

__all__ += ['BatchTPSPairWarp', 'TPSPairDataPreprocessor']
