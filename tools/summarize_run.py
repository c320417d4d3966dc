"""Print what a train + test run produced: the metrics and the pictures.

    python tools/summarize_run.py WORK_DIR
"""
import argparse
import glob
import json
import os.path as osp
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument(
        '--metrics', default='test_metrics.json',
        help='metrics file in the work dir (tools/test.py --out)')
    args = parser.parse_args(argv)

    path = osp.join(args.work_dir, args.metrics)
    if not osp.isfile(path):
        print(f'no metrics file {path}: run tools/test.py with --out',
              file=sys.stderr)
        return 1
    with open(path) as f:
        metrics = json.load(f)
    print('=' * 64)
    print(f'landmark regression on the evaluation split ({path}):')
    # the trained points, then the two baselines a useful model must beat
    # (an untrained network's points, the mean shape), then the fit split
    for key in ('NME', 'NME_untrained', 'NME_mean_shape', 'NME_fit'):
        if key in metrics:
            print(f'  {key:<16s} {metrics[key]:7.2f} % of inter-ocular '
                  'distance')
    label_free = sorted(k for k in metrics
                        if k.startswith(('equivariance/', 'temporal/')))
    if label_free:
        print('label-free quality (docs/evaluation.md; lower than the '
              'baseline is better):')
        for key in label_free:
            print(f'  {key:<28s} {metrics[key]:7.2f}')
    pictures = sorted(
        glob.glob(osp.join(args.work_dir, '*', 'vis_data', 'vis_image',
                           '*.png')))
    per_image = glob.glob(osp.join(args.work_dir, '*', '*', '*.png'))
    per_image = [p for p in per_image if '/vis_data/' not in p]
    print(f'pictures: {len(pictures)} grids, e.g.')
    for p in pictures[-4:]:
        print(f'  {p}')
    if per_image:
        print(f'  and {len(per_image)} test images with keypoints in '
              f'{osp.dirname(sorted(per_image)[0])}')
    print('=' * 64)
    return 0


if __name__ == '__main__':
    sys.exit(main())
