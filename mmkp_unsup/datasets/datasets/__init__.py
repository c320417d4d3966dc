"""Readers of the datasets on disk, by kind (as mmpose's
``datasets/datasets/``)."""
from .body import *  # noqa: F401,F403
from .body import __all__ as _body_all
from .face import *  # noqa: F401,F403
from .face import __all__ as _face_all
from .objects import *  # noqa: F401,F403
from .objects import __all__ as _objects_all
from .subset_dataset import SubsetDataset
from .video import *  # noqa: F401,F403
from .video import __all__ as _video_all

__all__ = (
    list(_body_all) + list(_face_all) + list(_objects_all) +
    list(_video_all) + ['SubsetDataset'])
