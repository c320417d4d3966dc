from .aflw_r_dataset import AFLW_R_METAINFO, AFLWRDataset
from .celeba_mafl_dataset import CELEBA_MAFL_METAINFO, CelebAMAFLDataset

__all__ = [
    'AFLWRDataset', 'AFLW_R_METAINFO', 'CelebAMAFLDataset',
    'CELEBA_MAFL_METAINFO'
]
