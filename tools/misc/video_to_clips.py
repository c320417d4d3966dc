"""Cut a video into the footage layout: clip folders of frames.

The layout :class:`ClipFolderDataset` reads and the footage templates train
on (docs/data_preparation_faces.md, "Your own footage")::

    OUT/<split>/<video>_<clip>/<frame>.png

Frames are kept in order (every ``--fps-step``-th one), optionally cropped
to a fixed box (``--crop x,y,w,h`` in pixels of the video) and resized so
that their longer side is ``--size`` pixels; consecutive kept frames are
cut into clips of ``--clip-len`` frames (0: the whole video is one clip).
A last clip shorter than ``--min-clip-len`` is left out (a training frame
needs a partner at least ``min_frame_gap`` frames away: clips of at least
``2 * min_frame_gap`` frames)::

    python tools/misc/video_to_clips.py carphone_pristine.mp4 \\
        --out data/carphone --crop 36,0,112,112 --size 32 --clip-len 40

Frame files are named by the frame's index in the video, so a frame can be
found again in the video (and in ``demo/landmark_demo.py``'s output).
"""
import argparse
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np


def parse_crop(text: str) -> Tuple[int, int, int, int]:
    """``'x,y,w,h'`` as four integers, ``w`` and ``h`` positive."""
    try:
        x, y, w, h = (int(v) for v in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'--crop must be four integers x,y,w,h (pixels), got {text!r}')
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise argparse.ArgumentTypeError(
            f'--crop {text}: x and y must be >= 0, w and h > 0')
    return x, y, w, h


def _resize(frame: np.ndarray, size: Optional[int]) -> np.ndarray:
    if not size:
        return frame
    height, width = frame.shape[:2]
    scale = size / max(height, width)
    shape = (max(1, round(width * scale)), max(1, round(height * scale)))
    if shape == (width, height):
        return frame
    return cv2.resize(
        frame, shape,
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def cut_video(video: str,
              out_dir: str,
              split: str = 'train',
              clip_len: int = 0,
              size: Optional[int] = None,
              crop: Optional[Tuple[int, int, int, int]] = None,
              fps_step: int = 1,
              min_clip_len: int = 6) -> List[str]:
    """Write the frames of ``video`` as clip folders under ``out_dir/split``.

    Args:
        video (str): Any file OpenCV's ``VideoCapture`` reads.
        out_dir (str): Root of the layout.
        split (str): Split folder (``train``, ``fit``, ``eval``...).
            Defaults to ``'train'``.
        clip_len (int): Frames per clip; 0 puts every kept frame into one
            clip. Defaults to 0.
        size (int, optional): Longer side of the written frames in pixels
            (aspect kept); ``None`` keeps the (cropped) size.
        crop (tuple[int], optional): ``(x, y, w, h)`` box in pixels of the
            video, the same for every frame; it must lie inside the frame.
        fps_step (int): Keep every ``fps_step``-th frame. Defaults to 1.
        min_clip_len (int): A last clip with fewer frames is left out.
            Defaults to 6 (twice the templates' ``min_frame_gap``).

    Returns:
        list[str]: The clip folders written, in order.

    Raises:
        FileNotFoundError: The video does not exist.
        ValueError: A bad argument, a video OpenCV cannot read, a crop
            outside the frame, no clip long enough, or a split folder that
            already holds frames.
    """
    if not osp.isfile(video):
        raise FileNotFoundError(f'{video}: no such file')
    if clip_len < 0 or fps_step < 1 or min_clip_len < 1:
        raise ValueError(
            f'clip_len must be >= 0, fps_step and min_clip_len >= 1, got '
            f'{clip_len}, {fps_step}, {min_clip_len}')
    if clip_len and clip_len < min_clip_len:
        raise ValueError(
            f'clip_len {clip_len} is shorter than min_clip_len '
            f'{min_clip_len}: every clip would be left out')
    if size is not None and size < 1:
        raise ValueError(f'size must be a positive number of pixels, got '
                         f'{size}')
    split_dir = osp.join(out_dir, split)
    if osp.isdir(split_dir) and any(files for _, _, files in os.walk(
            split_dir)):
        raise ValueError(
            f'{split_dir} already holds files: remove it or write to '
            f'another --out / --split (clips of two runs would mix)')
    capture = cv2.VideoCapture(video)
    if not capture.isOpened():
        raise ValueError(
            f'{video}: OpenCV cannot open it (not a video, or a codec '
            f'this OpenCV build lacks)')
    stem = osp.splitext(osp.basename(video))[0]
    clips: List[List[Tuple[int, np.ndarray]]] = [[]]
    index = -1
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            index += 1
            if index % fps_step:
                continue
            if crop is not None:
                x, y, w, h = crop
                height, width = frame.shape[:2]
                if x + w > width or y + h > height:
                    raise ValueError(
                        f'{video}: crop x={x} y={y} w={w} h={h} reaches '
                        f'outside the {width}x{height} frame')
                frame = frame[y:y + h, x:x + w]
            if clip_len and len(clips[-1]) == clip_len:
                clips.append([])
            clips[-1].append((index, _resize(frame, size)))
    finally:
        capture.release()
    if index < 0:
        raise ValueError(f'{video}: OpenCV read no frame from it')
    kept = [clip for clip in clips if len(clip) >= min_clip_len]
    if not kept:
        raise ValueError(
            f'{video}: {index + 1} frames, {sum(map(len, clips))} kept '
            f'with fps_step {fps_step}: no clip of at least '
            f'{min_clip_len} frames')
    width = max(5, len(str(index)))
    folders = []
    for number, clip in enumerate(kept):
        folder = osp.join(split_dir, f'{stem}_{number:03d}')
        os.makedirs(folder, exist_ok=True)
        for frame_index, frame in clip:
            path = osp.join(folder, f'{frame_index:0{width}d}.png')
            if not cv2.imwrite(path, frame):
                raise OSError(f'cannot write {path}')
        folders.append(folder)
    return folders


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('video', help='video file (anything OpenCV reads)')
    parser.add_argument('--out', required=True, help='root of the layout')
    parser.add_argument(
        '--split', default='train', help='split folder (default: train)')
    parser.add_argument(
        '--clip-len',
        type=int,
        default=0,
        help='frames per clip (default 0: the whole video is one clip)')
    parser.add_argument(
        '--size',
        type=int,
        help='longer side of the written frames in pixels (aspect kept; '
        'default: as cropped)')
    parser.add_argument(
        '--crop',
        type=parse_crop,
        help='x,y,w,h: a fixed box in pixels of the video, e.g. the face')
    parser.add_argument(
        '--fps-step',
        type=int,
        default=1,
        help='keep every k-th frame (default 1: all)')
    parser.add_argument(
        '--min-clip-len',
        type=int,
        default=6,
        help='a shorter last clip is left out (default 6 = 2 x the '
        'templates\' min_frame_gap)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        folders = cut_video(args.video, args.out, args.split, args.clip_len,
                            args.size, args.crop, args.fps_step,
                            args.min_clip_len)
    except (ValueError, FileNotFoundError) as err:
        raise SystemExit(f'error: {err}')
    frames = [len(os.listdir(f)) for f in folders]
    shape = cv2.imread(osp.join(folders[0],
                                sorted(os.listdir(folders[0]))[0])).shape
    print(f'{sum(frames)} frames ({shape[1]}x{shape[0]}) in {len(folders)} '
          f'clips of {min(frames)}-{max(frames)} frames under '
          f'{osp.join(args.out, args.split)}')


if __name__ == '__main__':
    main()
