"""What the tests that run the repository's scripts share: importing a script
as a module and the ``--cfg-options`` that make configs/synthetic_k10.py
tiny (tests/conftest.py's folder is on ``sys.path``)."""
import importlib.util
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# a few 32x32 pairs through narrow networks
TINY_TRAIN = [
    'train_dataloader.batch_size=4',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.dataset.num_clips=8',
    'train_dataloader.dataset.dataset.frames_per_clip=2',
    'train_dataloader.dataset.pair_sampler.min_gap=1',
    'model.backbone.n_filters=4',
    'model.appearance_encoder.n_filters=4',
    'model.generator.n_filters=2',
]
# the regression protocol on 40 fitting and 16 evaluation clips
TINY_VAL = [
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'val_dataloader.batch_size=16',
    'val_dataloader.dataset.fit_dataset.num_clips=40',
    'val_dataloader.dataset.eval_dataset.num_clips=16',
]
TINY_TEST = [s.replace('val_dataloader', 'test_dataloader') for s in TINY_VAL]
# a log line, a checkpoint and pictures every 2 iterations
TINY_HOOKS = [
    'default_hooks.logger.interval=1',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.visualization.interval=2',
]


def import_tool(*parts: str):
    """Import a script of the repository as a module.

    Args:
        *parts (str): Its path below the repository root, e.g.
            ``'tools', 'test.py'``.

    Returns:
        module: The script, run as a module (its ``main`` not called).
    """
    path = osp.join(ROOT, *parts)
    spec = importlib.util.spec_from_file_location(
        'tool_' + osp.splitext(parts[-1])[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
