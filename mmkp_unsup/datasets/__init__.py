from .dataset_wrappers import (BadSampleError, CheckedDataset,
                               FramePairDataset, RegressionSplitDataset)
from .datasets import *  # noqa: F401,F403
from .datasets import __all__ as _datasets_all
from .pair_samplers import ClipFramePairSampler
from .synthetic import (SyntheticFaceDataset, SyntheticObjectDataset,
                        SyntheticQuadrupedDataset)
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FramePairDataset', 'RegressionSplitDataset', 'ClipFramePairSampler',
    'SyntheticFaceDataset', 'SyntheticObjectDataset',
    'SyntheticQuadrupedDataset', 'BadSampleError', 'CheckedDataset'
] + list(_datasets_all)
