"""Test (evaluate) an mmkp_unsup checkpoint (mmpose's ``tools/test.py``
interface).

    python tools/test.py configs/synthetic_k10.py CKPT --show-dir vis
    bash tools/dist_test.sh CONFIG CKPT 8
"""
import argparse
import os
import os.path as osp
import sys

import mmengine
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkp_unsup.engine.runner_setup import (  # noqa: E402
    setup_launcher, shutdown_distributed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) an mmkp_unsup model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the directory to save evaluation results')
    parser.add_argument('--out', help='file (.json/.yaml/.pkl) for metrics')
    parser.add_argument(
        '--dump', help='dump predictions to a pickle file (.pkl)')
    parser.add_argument(
        '--show-dir',
        help='directory (in the work dir) where every test image is saved '
        'with its keypoints')
    parser.add_argument(
        '--show', action='store_true', help='display pictures in a window')
    parser.add_argument(
        '--wait-time', type=float, default=1, help='display time (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge the command-line arguments into the config."""
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.default_hooks:
            raise RuntimeError('--show / --show-dir need a `visualization` '
                               'hook in `default_hooks`')
        vis = cfg.default_hooks.visualization
        vis.enable = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.out_dir = args.show_dir

    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must be a .pkl file, got {args.dump}')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = (list(evaluators) if isinstance(
            evaluators, (list, tuple)) else [evaluators]) + [dump]

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    # torchrun on CPUs: gloo process group before the runner; SyncBN
    # (GPU-only in torch) becomes BN there
    setup_launcher(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)

    if args.out:

        class SaveMetricHook(Hook):

            def after_test_epoch(self, _, metrics=None):
                if metrics is not None:
                    mmengine.dump(metrics, args.out)

        runner.register_hook(SaveMetricHook(), 'LOWEST')
    metrics = runner.test()
    shutdown_distributed()
    return metrics


if __name__ == '__main__':
    main()
