from .dataset_wrappers import FramePairDataset, RegressionSplitDataset
from .pair_samplers import ClipFramePairSampler
from .synthetic import SyntheticFaceDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FramePairDataset', 'RegressionSplitDataset', 'ClipFramePairSampler',
    'SyntheticFaceDataset'
]
from .datasets import *  # noqa: F401,F403,E402
<<<<<<< HEAD
from .datasets import __all__ as _datasets_all  # noqa: E402

__all__ += list(_datasets_all)
=======
from .datasets import face as _face, video as _video  # noqa: E402

__all__ += _face.__all__ + _video.__all__ + ['SubsetDataset']
>>>>>>> h-faces
