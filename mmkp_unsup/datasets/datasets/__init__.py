from .face import *  # noqa: F401,F403
from .subset_dataset import SubsetDataset
from .video import *  # noqa: F401,F403
