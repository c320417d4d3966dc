"""mmkp_unsup: unsupervised object landmarks through conditional image
generation (Jakab et al., NeurIPS 2018), as an mmpose plugin.

Importing the package registers its components in mmpose's registries
(``custom_imports = dict(imports=['mmkp_unsup'])`` in a config).
"""
from . import datasets, engine, evaluation, models, visualization  # noqa: F401
from .version import __version__

__all__ = ['__version__']
from . import apis  # noqa: F401,E402
