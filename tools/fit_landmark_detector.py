"""Turn a trained model into a landmark detector (see docs/inference.md).

Runs the model on the labelled samples of the config's test (or val)
dataloader, fits the linear regressor from the K learned keypoints to the
dataset's L landmarks (the evaluation protocol, least squares, no bias by
default) and writes a checkpoint that carries it: ``state_dict`` gains
``landmark_regressor.weight`` ``[2K (+1), L, 2]`` and ``meta`` the
landmarks' ``dataset_meta`` (names, skeleton, flip indices). The result
loads with ``torch.load(weights_only=True)`` and with
``mmkp_unsup.apis.init_model``; its predictions are the landmarks.

    python tools/fit_landmark_detector.py configs/synthetic_k10.py \\
        work_dirs/synthetic_k10/iter_6000.pth --out detector.pth
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner
from mmengine.utils import ProgressBar

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkp_unsup.apis import init_model  # noqa: E402
from mmkp_unsup.apis.inference import plain_dataset_meta  # noqa: E402
from mmkp_unsup.evaluation.functional import (  # noqa: E402
    apply_landmark_regressor, fit_landmark_regressor, interocular_nme)

SPLITS = ('fit', 'eval', 'all')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Fit the linear regressor from learned keypoints to '
        'annotated landmarks and store it with the model')
    parser.add_argument('config', help='training config file')
    parser.add_argument('checkpoint', help='trained checkpoint')
    parser.add_argument(
        '--out', required=True, help='output detector checkpoint (.pth)')
    parser.add_argument(
        '--bias', action='store_true', help='give the regressor a bias')
    parser.add_argument(
        '--split',
        choices=SPLITS,
        default='fit',
        help="samples to fit on: RegressionSplitDataset's 'fit' (default) "
        "or 'eval' tag, or 'all' samples (datasets without tags)")
    parser.add_argument(
        '--dataloader',
        choices=('test', 'val'),
        default='test',
        help='dataloader of the config whose dataset is used')
    parser.add_argument('--batch-size', type=int, help='override batch size')
    parser.add_argument('--device', default='cpu', help='cpu or cuda:0')
    parser.add_argument(
        '--norm-indices',
        type=int,
        nargs=2,
        default=(0, 1),
        help='landmarks normalising the reported error (the eyes)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config (e.g. another dataset)')
    return parser.parse_args(argv)


def collect(model, dataloader) -> List[dict]:
    """Learned keypoints (input pixels) and landmarks of every sample."""
    rows = []
    progress = ProgressBar(len(dataloader.dataset))
    for data_batch in dataloader:
        with torch.no_grad():
            samples = model.test_step(data_batch)
        for sample in samples:
            gt = sample.gt_instances
            if 'keypoints' not in gt:
                raise KeyError(
                    f'sample {sample.metainfo.get("img_path")} has no '
                    'annotated keypoints: fit on a labelled dataset')
            landmarks = gt.get('transformed_keypoints', gt.keypoints)
            landmarks = np.asarray(landmarks)
            visible = np.asarray(
                gt.get('keypoints_visible',
                       np.ones(landmarks.shape[:2]))).reshape(
                           landmarks.shape[:2])
            rows.append(
                dict(
                    split=sample.metainfo.get('regression_split'),
                    keypoints=np.asarray(
                        sample.pred_instances.learned_keypoints)[0],
                    landmarks=landmarks[0],
                    visible=visible[0]))
        progress.update(len(samples))
    sys.stdout.write('\n')
    return rows


def stack(rows: List[dict]) -> Dict[str, np.ndarray]:
    return {
        k: np.stack([r[k] for r in rows])
        for k in ('keypoints', 'landmarks', 'visible')
    }


def main(argv=None) -> dict:
    """Fit, save and return a summary (sample counts and errors in % of the
    inter-ocular distance)."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    loader_cfg = cfg[f'{args.dataloader}_dataloader'].copy()
    if args.batch_size is not None:
        loader_cfg.batch_size = args.batch_size

    model = init_model(cfg, args.checkpoint, device=args.device)
    # fit in the frame of the network input, as the evaluation protocol
    model.test_cfg['output_space'] = 'input'
    dataloader = Runner.build_dataloader(loader_cfg)
    dataset_meta = dataloader.dataset.metainfo
    rows = collect(model, dataloader)

    tags = {r['split'] for r in rows}
    if args.split == 'all':
        fit_rows, eval_rows = rows, []
    else:
        if tags == {None}:
            raise ValueError(
                f'the {args.dataloader} dataset has no regression_split '
                f"tags (not a RegressionSplitDataset): use --split all")
        fit_rows = [r for r in rows if r['split'] == args.split]
        eval_rows = [r for r in rows if r['split'] == 'eval'
                     ] if args.split == 'fit' else []
    if not fit_rows:
        raise ValueError(f'no {args.split!r} samples in the '
                         f'{args.dataloader} dataset')
    fit = stack(fit_rows)
    num_landmarks = fit['landmarks'].shape[1]
    if dataset_meta.get('num_keypoints') != num_landmarks:
        raise ValueError(
            f'the dataset meta describes {dataset_meta.get("num_keypoints")} '
            f'keypoints but samples carry {num_landmarks} landmarks')
    weights = fit_landmark_regressor(fit['keypoints'], fit['landmarks'],
                                     fit['visible'], args.bias)

    def nme(data: dict) -> float:
        pred = apply_landmark_regressor(weights, data['keypoints'],
                                        args.bias)
        return interocular_nme(pred, data['landmarks'], data['visible'],
                               args.norm_indices)

    summary = dict(
        split=args.split,
        bias=args.bias,
        num_fit=len(fit_rows),
        num_keypoints=int(fit['keypoints'].shape[1]),
        num_landmarks=int(num_landmarks),
        NME_fit=nme(fit))
    if eval_rows:
        test = stack(eval_rows)
        vis = fit['visible'][..., None]
        mean_shape = ((fit['landmarks'] * vis).sum(0) /
                      np.maximum(vis.sum(0), 1))
        summary.update(
            num_eval=len(eval_rows),
            NME_eval=nme(test),
            NME_eval_mean_shape=interocular_nme(
                np.broadcast_to(mean_shape, test['landmarks'].shape),
                test['landmarks'], test['visible'], args.norm_indices))

    source = torch.load(args.checkpoint, map_location='cpu',
                        weights_only=True)
    state_dict = source.get('state_dict', source)
    state_dict['landmark_regressor.weight'] = torch.as_tensor(
        weights, dtype=torch.float32)
    old_meta = source.get('meta') or {}
    meta = {
        k: old_meta[k]
        for k in ('iter', 'epoch', 'cfg', 'seed', 'experiment_name')
        if k in old_meta and isinstance(old_meta[k], (int, float, str))
    }
    meta.update(
        dataset_meta=plain_dataset_meta(dataset_meta),
        landmark_regressor=dict(
            summary, source_checkpoint=osp.abspath(args.checkpoint)))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(meta=meta, state_dict=state_dict), args.out)

    print(f'regressor {summary["num_keypoints"]} keypoints -> '
          f'{num_landmarks} landmarks (bias={args.bias}) fitted on '
          f'{len(fit_rows)} {args.split!r} samples: '
          f'NME {summary["NME_fit"]:.2f} % on them')
    if eval_rows:
        print(f'on the {len(eval_rows)} eval samples: NME '
              f'{summary["NME_eval"]:.2f} % (mean shape '
              f'{summary["NME_eval_mean_shape"]:.2f} %)')
    print(f'detector written to {args.out}')
    return summary


if __name__ == '__main__':
    main()
