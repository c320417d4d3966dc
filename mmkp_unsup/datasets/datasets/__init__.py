<<<<<<< HEAD
"""Readers of the datasets on disk, by kind (as mmpose's
``datasets/datasets/``)."""
from .body import *  # noqa: F401,F403
from .objects import *  # noqa: F401,F403
from .body import __all__ as _body_all
from .objects import __all__ as _objects_all

__all__ = list(_body_all) + list(_objects_all)
=======
from .face import *  # noqa: F401,F403
from .subset_dataset import SubsetDataset
from .video import *  # noqa: F401,F403
>>>>>>> h-faces
