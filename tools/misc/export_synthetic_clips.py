"""Write a dataset's clips to disk in the users'-footage layout.

The layout :class:`ClipFolderDataset` reads (docs/data_preparation_faces.md,
"Your own footage")::

    OUT/<split>/<clip>/<frame>.png
    OUT/annotations/<split>.json      COCO-style keypoints, one face a frame

Default: the built-in synthetic faces as ``configs/_base_/datasets/
synthetic_faces.py`` uses them (``train``: 2,000 faces x 8 poses, seed 0;
``fit``: 2,000 faces, seed 1; ``eval``: 1,000 faces, seed 2)::

    python tools/misc/export_synthetic_clips.py data/synthetic_clips

Any registered dataset whose samples carry ``clip_id``, ``frame_id``,
``keypoints`` and an image (drawn, or loaded by ``LoadImage``) can be
written with :func:`export_split`.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Optional, Sequence

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def _name(value, width: int) -> str:
    return f'{value:0{width}d}' if isinstance(value, (int, np.integer)) \
        else str(value)


def export_split(dataset, out_dir: str, split: str,
                 annotations: bool = True) -> str:
    """Write every sample of ``dataset`` as ``out_dir/split/clip/frame.png``.

    Args:
        dataset (BaseDataset): Built dataset; ``prepare_data(i)`` must give
            ``img`` (BGR ``uint8``) and its data infos ``clip_id``,
            ``frame_id``, ``keypoints`` ``[1, K, 2]`` ``(x, y)`` pixels,
            ``keypoints_visible`` and ``bbox`` ``[1, 4]`` (xyxy).
        out_dir (str): Root of the layout.
        split (str): Split folder and annotation file name.
        annotations (bool): Write the keypoints into the annotation file
            (else the file lists the images only). Defaults to ``True``.

    Returns:
        str: Path of the annotation file.
    """
    images, anns = [], []
    names = [
        dataset.metainfo['keypoint_id2name'][i]
        for i in range(dataset.metainfo['num_keypoints'])
    ]
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        img = dataset.prepare_data(idx)['img']
        file_name = '/'.join((split, 'clip' + _name(info['clip_id'], 5),
                              _name(info['frame_id'], 4) + '.png'))
        path = osp.join(out_dir, file_name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        if not cv2.imwrite(path, img):
            raise OSError(f'cannot write {path}')
        height, width = img.shape[:2]
        images.append(
            dict(id=idx, file_name=file_name, width=width, height=height))
        if not annotations:
            continue
        keypoints = np.asarray(info['keypoints'], dtype=float)[0]
        visible = np.asarray(info['keypoints_visible'], dtype=float)[0]
        x1, y1, x2, y2 = (float(v) for v in np.asarray(info['bbox'])[0])
        flat = np.concatenate([keypoints, 2 * (visible[:, None] > 0)], 1)
        anns.append(
            dict(
                id=idx,
                image_id=idx,
                category_id=1,
                keypoints=[round(float(v), 3) for v in flat.ravel()],
                num_keypoints=int((visible > 0).sum()),
                bbox=[x1, y1, x2 - x1, y2 - y1],
                area=(x2 - x1) * (y2 - y1),
                iscrowd=0))
    ann_file = osp.join(out_dir, 'annotations', f'{split}.json')
    os.makedirs(osp.dirname(ann_file), exist_ok=True)
    with open(ann_file, 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=anns,
                categories=[
                    dict(
                        id=1, name='face', keypoints=names, skeleton=[])
                ]), f)
    return ann_file


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', help='root of the clip-folder layout')
    parser.add_argument('--image-size', type=int, default=32)
    parser.add_argument('--train-clips', type=int, default=2000)
    parser.add_argument('--frames-per-clip', type=int, default=8)
    parser.add_argument('--fit-clips', type=int, default=2000)
    parser.add_argument('--eval-clips', type=int, default=1000)
    parser.add_argument(
        '--no-train-annotations',
        action='store_true',
        help='list the training images without keypoints (as footage '
        'without labels)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    import mmkp_unsup  # noqa: F401  (registers the datasets)
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS
    init_default_scope('mmpose')
    splits = dict(
        train=(args.train_clips, args.frames_per_clip, 0),
        fit=(args.fit_clips, 1, 1),
        eval=(args.eval_clips, 1, 2))
    for split, (clips, frames, seed) in splits.items():
        dataset = DATASETS.build(
            dict(
                type='SyntheticFaceDataset',
                num_clips=clips,
                frames_per_clip=frames,
                image_size=args.image_size,
                seed=seed,
                test_mode=True))
        ann_file = export_split(
            dataset, args.out_dir, split,
            annotations=not (split == 'train'
                             and args.no_train_annotations))
        print(f'{split}: {len(dataset)} frames of {clips} clips -> '
              f'{osp.join(args.out_dir, split)}, {ann_file}')


if __name__ == '__main__':
    main()
