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
