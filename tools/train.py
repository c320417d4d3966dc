"""Train an mmkp_unsup model (mmpose's ``tools/train.py`` interface).

    python tools/train.py configs/synthetic_k10.py
    python tools/train.py CONFIG --work-dir DIR --resume [CKPT] --amp
    python tools/train.py CONFIG --tensorboard   # + TensorBoard event files
    bash tools/dist_train.sh CONFIG 8
"""
import argparse
import os
import os.path as osp
import sys
import warnings

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkp_unsup.engine.runner_setup import (  # noqa: E402
    setup_launcher, shutdown_distributed)
from mmkp_unsup.engine.vis_backends import (  # noqa: E402
    add_tensorboard_backend, check_tensorboard)
from mmpose.registry import HOOKS  # noqa: E402

# optimizer wrappers and their automatic-mixed-precision counterparts
AMP_WRAPPERS = {
    'OptimWrapper': 'AmpOptimWrapper',
    'AmpOptimWrapper': 'AmpOptimWrapper',
    'PerTensorClipOptimWrapper': 'PerTensorClipAmpOptimWrapper',
    'PerTensorClipAmpOptimWrapper': 'PerTensorClipAmpOptimWrapper',
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an mmkp_unsup model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint; without a path, from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='automatic mixed precision: float16 autocast with a dynamic '
        'loss scale on a GPU; bfloat16 autocast on a machine without CUDA '
        '(fast on CPUs with bfloat16 units, AVX512-BF16 or AMX)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the total batch size')
    parser.add_argument(
        '--show-dir',
        help='directory (in the work dir) for validation pictures')
    parser.add_argument(
        '--show', action='store_true', help='display pictures in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualization interval')
    parser.add_argument(
        '--wait-time', type=float, default=1, help='display time (s)')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also write TensorBoard event files (scalars and pictures) '
        'to <work_dir>/<timestamp>/vis_data/, beside the local files; '
        'needs the tensorboard package')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. '
        'train_cfg.max_iters=100 model.backbone.num_keypoints=5')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or
    # --local_rank (older)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def wrapper_type(cfg: Config) -> str:
    """The name of the config's optimizer wrapper type."""
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    return getattr(wrapper, '__name__', wrapper)


def set_cpu_autocast(cfg: Config) -> None:
    """``--amp`` without CUDA: bfloat16 autocast in the plain wrapper.

    mmengine's ``AmpOptimWrapper`` refuses a machine without a GPU; the
    project's :class:`PerTensorClipOptimWrapper` runs the forward pass under
    ``torch.autocast('cpu', torch.bfloat16)`` instead (no loss scale).
    """
    wrapper = wrapper_type(cfg)
    if wrapper != 'PerTensorClipOptimWrapper':
        raise ValueError(
            f'--amp without CUDA needs optim_wrapper type '
            f'PerTensorClipOptimWrapper (bfloat16 autocast), not {wrapper!r}')
    cfg.optim_wrapper.autocast_dtype = 'bfloat16'


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge the command-line arguments into the config."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp and not torch.cuda.is_available():
        set_cpu_autocast(cfg)
    elif args.amp:
        wrapper = wrapper_type(cfg)
        if wrapper not in AMP_WRAPPERS:
            raise ValueError(f'--amp: no mixed-precision counterpart for '
                             f'optim_wrapper type {wrapper!r}; expected one '
                             f'of {sorted(AMP_WRAPPERS)}')
        cfg.optim_wrapper.type = AMP_WRAPPERS[wrapper]
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume is not None and cfg.get('randomness', {}).get(
            'seed') is None:
        warnings.warn(
            '--resume without `randomness.seed` in the config: the data '
            'order and the data-loading processes\' random states will not '
            'continue those of the interrupted run (set a seed for an exact '
            'resume, see docs/training.md)')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in \
                cfg.auto_scale_lr:
            raise RuntimeError('--auto-scale-lr needs `auto_scale_lr = '
                               'dict(base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True

    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.default_hooks:
            raise RuntimeError('--show / --show-dir need a `visualization` '
                               'hook in `default_hooks`')
        vis = cfg.default_hooks.visualization
        vis.enable = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.out_dir = args.show_dir

    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    if args.tensorboard:
        add_tensorboard_backend(cfg)

    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None) -> Runner:
    """Train; returns the runner (its ``cfg`` is the config it ran)."""
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    # before the runner: mmengine imports tensorboard only at its first write
    check_tensorboard(cfg)
    # torchrun on CPUs: gloo process group before the runner; SyncBN
    # (GPU-only in torch) becomes BN there
    setup_launcher(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    if cfg.get('resume', False):
        # the schedules' `end` comes from this config, not the checkpoint
        runner.register_hook(HOOKS.build(dict(type='SchedulerEndHook')))
    runner.train()
    shutdown_distributed()
    return runner


if __name__ == '__main__':
    main()
