"""Export the keypoint detector of a trained model to ONNX.

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out model.onnx
        [--input-size H W] [--opset 17] [--no-verify]

The graph takes ``images`` ``[B, 3, H, W]`` float pixels in ``[0, 255]``
(RGB for models trained with ``bgr_to_rgb=True``, the default; the data
preprocessor's normalisation is inside the graph) and returns
``keypoints`` ``[B, K, 2]`` (``(x, y)`` in pixels of the input) and
``scores`` ``[B, K]``; the batch size is free. See
docs/export_and_reuse.md.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import DictAction

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmkp_unsup.apis import export_onnx, load_model  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export the keypoint detector to ONNX')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='output .onnx file')
    parser.add_argument(
        '--input-size',
        type=int,
        nargs=2,
        default=(128, 128),
        metavar=('H', 'W'),
        help='input image height and width (fixed in the graph; '
        'default: 128 128)')
    parser.add_argument(
        '--opset', type=int, default=17, help='ONNX opset (default: 17)')
    parser.add_argument(
        '--no-verify',
        action='store_true',
        help='do not compare onnxruntime with PyTorch after export')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config')
    return parser.parse_args(argv)


def verify(detector: torch.nn.Module,
           out_file: str,
           input_size,
           batch_sizes=(1, 3)) -> float:
    """Largest keypoint difference (pixels) between onnxruntime and
    PyTorch on random images, over the given batch sizes."""
    import onnxruntime as ort
    session = ort.InferenceSession(
        out_file, providers=['CPUExecutionProvider'])
    worst = 0.0
    for batch in batch_sizes:
        images = torch.rand(batch, 3, *input_size) * 255
        with torch.no_grad():
            expected = detector(images)[0].numpy()
        got = session.run(['keypoints'], {'images': images.numpy()})[0]
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst


def main(argv=None) -> float:
    args = parse_args(argv)
    if not args.out.endswith('.onnx'):
        raise ValueError(f'--out must name a .onnx file, got {args.out}')
    model = load_model(args.config, args.checkpoint, args.cfg_options)
    detector = export_onnx(
        model, args.out, input_size=args.input_size, opset=args.opset)
    print(f'wrote {args.out}: images [B, 3, {args.input_size[0]}, '
          f'{args.input_size[1]}] -> keypoints [B, '
          f'{getattr(detector.backbone, "num_keypoints", "K")}, 2] '
          '(x, y) pixels, scores')
    diff = float('nan')
    if not args.no_verify:
        diff = verify(detector, args.out, args.input_size)
        print(f'onnxruntime vs PyTorch, batch 1 and 3: max |keypoint '
              f'difference| = {diff:.2e} px')
    return diff


if __name__ == '__main__':
    main()
