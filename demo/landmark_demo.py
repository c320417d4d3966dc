"""Landmarks on an image, a folder of images or a video (docs/inference.md).

    python demo/landmark_demo.py INPUT CONFIG CHECKPOINT [--out-dir DIR]
        [--device cpu|cuda:0] [--batch-size N] [--bbox X1 Y1 X2 Y2]

INPUT is an image file, a folder (its image files, not recursive) or a
video file (anything OpenCV's ``VideoCapture`` reads). CHECKPOINT is a
training checkpoint (the K learned points) or a detector written by
``tools/fit_landmark_detector.py`` (also the landmarks). Outputs in
``--out-dir``:

- ``predictions.json``: per image (or per video frame) the K learned
  points ``keypoints`` (``(x, y)`` pixels of the image), their
  ``keypoint_scores``, the ``bbox`` used and, for a detector, the
  ``landmarks`` with their ``landmark_names`` and ``landmark_scores``;
- per image ``<name>.png`` with the points drawn, or for a video
  ``<name>_landmarks.mp4`` with as many frames as were read, at the input's
  frame rate.
"""
import argparse
import json
import os
import os.path as osp
import sys
import warnings
from typing import Iterator, List, Tuple

import cv2
import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkp_unsup.apis import inference_landmarks, init_model  # noqa: E402
from mmkp_unsup.visualization import draw_landmark_result  # noqa: E402

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff',
                    '.webp', '.ppm', '.pgm')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Detect learned keypoints (and landmarks) on an image, '
        'a folder of images or a video')
    parser.add_argument('input', help='image file, folder or video file')
    parser.add_argument('config', help='training config file')
    parser.add_argument(
        'checkpoint', help='checkpoint or detector (fit_landmark_detector)')
    parser.add_argument(
        '--out-dir', default='demo_out', help='output folder')
    parser.add_argument('--device', default='cpu', help='cpu or cuda:0')
    parser.add_argument(
        '--batch-size', type=int, default=16, help='images per batch')
    parser.add_argument(
        '--bbox',
        type=float,
        nargs=4,
        metavar=('X1', 'Y1', 'X2', 'Y2'),
        help='box (pixels) framing the object in every image / frame, as '
        'the training images framed it; default: the whole image')
    parser.add_argument(
        '--kpt-thr',
        type=float,
        default=0.0,
        help='points scored below this are not drawn (default: all)')
    parser.add_argument(
        '--no-draw', action='store_true', help='write the JSON only')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as for tools/train.py (the '
        'model must be the one the checkpoint was trained with)')
    return parser.parse_args(argv)


def _jsonable(result: dict) -> dict:
    return {
        k: (v.tolist() if isinstance(v, np.ndarray) else v)
        for k, v in result.items()
    }


def list_images(folder: str) -> List[str]:
    """Image files of a folder, sorted; non-image files are reported."""
    names = sorted(os.listdir(folder))
    images = [
        osp.join(folder, n) for n in names
        if n.lower().endswith(IMAGE_EXTENSIONS)
        and osp.isfile(osp.join(folder, n))
    ]
    others = [n for n in names
              if osp.join(folder, n) not in images]
    if not images:
        raise ValueError(f'folder {folder} holds no image files '
                         f'(extensions {", ".join(IMAGE_EXTENSIONS)})')
    if others:
        print(f'{folder}: {len(images)} images; not read (not image '
              f'files): {", ".join(others[:5])}'
              f'{" ..." if len(others) > 5 else ""}')
    return images


def run_images(model, paths: List[str], args) -> dict:
    """Infer a list of image files in batches; draw and return the JSON."""
    records = []
    progress = ProgressBar(len(paths)) if len(paths) > 1 else None
    for start in range(0, len(paths), args.batch_size):
        chunk = paths[start:start + args.batch_size]
        bboxes = [args.bbox] * len(chunk) if args.bbox else None
        results = inference_landmarks(
            model, chunk, bboxes=bboxes, batch_size=args.batch_size)
        for path, result in zip(chunk, results):
            if not args.no_draw:
                image = cv2.imread(path, cv2.IMREAD_COLOR)
                drawn = draw_landmark_result(
                    image, result, model.learned_keypoints_meta,
                    landmark_meta(model), args.kpt_thr,
                    draw_bbox=args.bbox is not None)
                stem = osp.splitext(osp.basename(path))[0]
                cv2.imwrite(osp.join(args.out_dir, f'{stem}.png'), drawn)
            records.append(_jsonable(result))
            if progress is not None:
                progress.update()
    if progress is not None:
        sys.stdout.write('\n')
    return dict(input=args.input, images=records)


def landmark_meta(model):
    return model.dataset_meta if model.landmark_regressor.fitted else None


def open_video(path: str) -> Tuple[cv2.VideoCapture, float, int]:
    """Open a video; errors name the file.

    Returns:
        tuple: the capture, its frame rate and its reported frame count.
    """
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise ValueError(f'cannot open video {path}: not a video OpenCV '
                         'can decode, or corrupt')
    fps = capture.get(cv2.CAP_PROP_FPS)
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    if not fps or not np.isfinite(fps) or fps <= 0:
        warnings.warn(f'{path}: no frame rate in the file, writing 25 fps')
        fps = 25.0
    return capture, fps, count


def read_frames(capture: cv2.VideoCapture,
                batch_size: int) -> Iterator[List[np.ndarray]]:
    """Frames in batches until the end of the video."""
    batch = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        batch.append(frame)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_video(model, path: str, args) -> dict:
    """Infer every frame; write the drawn video; return the JSON."""
    capture, fps, count = open_video(path)
    stem = osp.splitext(osp.basename(path))[0]
    out_path = osp.join(args.out_dir, f'{stem}_landmarks.mp4')
    writer = None
    records = []
    progress = ProgressBar(count) if count > 0 else None
    try:
        for frames in read_frames(capture, args.batch_size):
            bboxes = [args.bbox] * len(frames) if args.bbox else None
            results = inference_landmarks(
                model, frames, bboxes=bboxes, batch_size=args.batch_size)
            for frame, result in zip(frames, results):
                result['frame'] = len(records)
                result.pop('img_path', None)
                records.append(_jsonable(result))
                if not args.no_draw:
                    drawn = draw_landmark_result(
                        frame, result, model.learned_keypoints_meta,
                        landmark_meta(model), args.kpt_thr,
                        draw_bbox=args.bbox is not None)
                    if writer is None:
                        h, w = drawn.shape[:2]
                        writer = cv2.VideoWriter(
                            out_path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                            (w, h))
                        if not writer.isOpened():
                            raise RuntimeError(
                                f'cannot write video {out_path} (mp4v)')
                    writer.write(drawn)
                if progress is not None and len(records) <= count:
                    progress.update()
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    if progress is not None:
        sys.stdout.write('\n')
    if not records:
        raise ValueError(f'no frame could be decoded from video {path}: '
                         'corrupt or not a video')
    if count > 0 and len(records) != count:
        warnings.warn(f'{path}: the file reports {count} frames, '
                      f'{len(records)} could be decoded (all of them '
                      'processed)')
    return dict(
        input=path,
        fps=fps,
        num_frames=len(records),
        video=None if args.no_draw else out_path,
        frames=records)


def is_image_file(path: str) -> bool:
    return path.lower().endswith(IMAGE_EXTENSIONS)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.batch_size < 1:
        raise ValueError(f'--batch-size must be >= 1, got {args.batch_size}')
    if not osp.exists(args.input):
        raise FileNotFoundError(f'input {args.input} does not exist')
    os.makedirs(args.out_dir, exist_ok=True)
    model = init_model(
        args.config,
        args.checkpoint,
        device=args.device,
        cfg_options=args.cfg_options)

    if osp.isdir(args.input):
        output = run_images(model, list_images(args.input), args)
    elif is_image_file(args.input):
        output = run_images(model, [args.input], args)
    else:
        output = run_video(model, args.input, args)
    json_path = osp.join(args.out_dir, 'predictions.json')
    output['coordinates'] = '(x, y) pixels of the input image'
    with open(json_path, 'w') as f:
        json.dump(output, f, indent=1)
    n = len(output.get('images', output.get('frames', [])))
    print(f'{n} {"frames" if "frames" in output else "images"}: '
          f'predictions in {json_path}'
          + (f', video {output["video"]}' if output.get('video') else '')
          + ('' if args.no_draw or 'frames' in output else
             f', pictures in {args.out_dir}'))
    return output


if __name__ == '__main__':
    main()
