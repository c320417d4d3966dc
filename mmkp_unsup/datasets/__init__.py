from .dataset_wrappers import FramePairDataset, RegressionSplitDataset
from .pair_samplers import ClipFramePairSampler
from .synthetic import SyntheticFaceDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FramePairDataset', 'RegressionSplitDataset', 'ClipFramePairSampler',
    'SyntheticFaceDataset'
]
from .synthetic import SyntheticObjectDataset  # noqa: E402

__all__ += ['SyntheticObjectDataset']
