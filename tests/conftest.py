import contextlib
import os.path as osp
import sys

import pytest
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import mmkp_unsup  # noqa: E402,F401  (registers the components)
from mmengine.registry import init_default_scope  # noqa: E402

# as a config with default_scope = 'mmpose' does inside the runner
init_default_scope('mmpose')

torch.set_num_threads(2)


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    import numpy as np
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture
def repo_root() -> str:
    return REPO_ROOT


def _visualizer_classes():
    from mmengine.visualization import Visualizer
    classes, todo = [], [Visualizer]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    return classes


@contextlib.contextmanager
def fresh_visualizers():
    """Runners built in-process register their visualizer under the config's
    fixed name (``'visualizer'``), and a later runner would reuse it, with
    the earlier work dir: drop the instances made meanwhile."""
    before = {cls: set(cls._instance_dict) for cls in _visualizer_classes()}
    try:
        yield
    finally:
        for cls in _visualizer_classes():
            for name in set(cls._instance_dict) - before.get(cls, set()):
                del cls._instance_dict[name]


def _drop_new_visualizers():
    with fresh_visualizers():
        yield


@pytest.fixture(autouse=True)
def _fresh_visualizers():
    """Drop the visualizers a test made."""
    yield from _drop_new_visualizers()


@pytest.fixture(autouse=True, scope='module')
def _fresh_module_visualizers():
    """Drop the visualizers a module made (its module-scoped fixtures too)."""
    yield from _drop_new_visualizers()
