"""TensorBoard beside mmengine's local files (docs/training.md, "Curves and
pictures").

mmengine's ``TensorboardVisBackend`` writes the runner's scalars (losses,
point diagnostics, gradient norms, validation metrics) and the pictures of
:class:`LandmarkVisualizationHook` as TensorBoard event files in
``<work_dir>/<timestamp>/vis_data/``. It imports ``tensorboard`` only when it
first writes, after the model is built and training has started; the checks
here fail before that, with what to install. ``tensorboard`` itself is never
imported by this module at import time (the package stays importable
without it).
"""
import importlib.util
from typing import Iterable

from mmengine.config import Config, ConfigDict

TENSORBOARD_BACKEND = 'TensorboardVisBackend'
INSTALL_HINT = ('pip install tensorboard (it is listed in '
                'requirements/runtime.txt; `bash tools/setup_env.sh` '
                'installs it)')


def _type_name(backend) -> str:
    kind = backend.get('type', '') if isinstance(backend, dict) else ''
    return getattr(kind, '__name__', str(kind))


def uses_tensorboard(cfg: Config) -> bool:
    """Whether the config's visualizer writes TensorBoard event files."""
    backends: Iterable = cfg.get('visualizer', {}).get('vis_backends') or []
    return any(_type_name(b).split('.')[-1] == TENSORBOARD_BACKEND
               for b in backends)


def tensorboard_available() -> bool:
    """Whether ``torch.utils.tensorboard`` can write (``tensorboard`` is
    installed)."""
    return importlib.util.find_spec('tensorboard') is not None


def check_tensorboard(cfg: Config) -> None:
    """Raise a clear error when the config asks for TensorBoard and
    ``tensorboard`` is not installed.

    Raises:
        ImportError: The visualizer has a ``TensorboardVisBackend`` and the
            ``tensorboard`` package cannot be imported.
    """
    if uses_tensorboard(cfg) and not tensorboard_available():
        raise ImportError(
            f'the visualizer has a {TENSORBOARD_BACKEND} (--tensorboard or '
            f'visualizer.vis_backends) but the `tensorboard` package is not '
            f'installed: {INSTALL_HINT}')


def add_tensorboard_backend(cfg: Config) -> Config:
    """Add a ``TensorboardVisBackend`` to the visualizer's backends.

    The backends already there (mmpose's ``LocalVisBackend``, which writes
    ``vis_data/scalars.json`` and the PNG pictures) are kept; a config
    that already has a TensorBoard backend is left as it is.

    Args:
        cfg (Config): The merged config; modified in place.

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: The config has no ``visualizer``.
    """
    if cfg.get('visualizer') is None:
        raise ValueError('--tensorboard needs a `visualizer` in the config '
                         "(mmpose's default_runtime.py has one), got none")
    if not uses_tensorboard(cfg):
        backends = list(cfg.visualizer.get('vis_backends') or [])
        backends.append(ConfigDict(type=TENSORBOARD_BACKEND))
        cfg.visualizer.vis_backends = backends
    return cfg
