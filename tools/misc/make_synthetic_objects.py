"""Write a held-out synthetic family to disk in the users'-footage layout.

The same samples as :class:`SyntheticObjectDataset` (``--family
creatures``, the default) or :class:`SyntheticQuadrupedDataset`
(``--family quadrupeds``), same seed, same images, stored as a user's clips
would be (docs/synthetic_data.md)::

    OUT/train/clip00000/000.png ... 007.png     clips of moving animals
    OUT/fit/clip00000/000.png                   single frames
    OUT/eval/clip00000/000.png
    OUT/annotations/{train,fit,eval}.json       COCO-style keypoints

    python tools/misc/make_synthetic_objects.py --out data/synthetic_objects \
        --seed 0
    python tools/misc/make_synthetic_objects.py --family quadrupeds \
        --out data/synthetic_quadrupeds --seed 0

Split ``train`` uses ``seed``, ``fit`` ``seed + 1`` and ``eval`` ``seed +
2``, as configs/_base_/datasets/synthetic_objects.py and
synthetic_quadrupeds.py do, so ``--seed 0`` writes the images those configs
draw in memory.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List

import cv2
import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmkp_unsup.datasets.synthetic.object_renderer import (  # noqa: E402
    OBJECT_LANDMARK_NAMES)
from mmkp_unsup.datasets.synthetic.quadruped_renderer import (  # noqa: E402
    QUADRUPED_LANDMARK_NAMES)

SKELETON = ((0, 2), (2, 3), (3, 1), (2, 4))  # head-neck-hip-tail, leg
# nose-ear-withers-hip-tail, the two feet
QUADRUPED_SKELETON = ((0, 1), (1, 2), (2, 3), (3, 4), (2, 5), (3, 6))
# --family: the dataset class, the COCO category, its keypoints and skeleton
FAMILIES = dict(
    creatures=dict(
        dataset='SyntheticObjectDataset',
        category='creature',
        description='mmkp_unsup synthetic objects',
        keypoints=OBJECT_LANDMARK_NAMES,
        skeleton=SKELETON),
    quadrupeds=dict(
        dataset='SyntheticQuadrupedDataset',
        category='quadruped',
        description='mmkp_unsup synthetic quadrupeds',
        keypoints=QUADRUPED_LANDMARK_NAMES,
        skeleton=QUADRUPED_SKELETON))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--family', choices=sorted(FAMILIES),
                        default='creatures',
                        help='the creatures (SyntheticObjectDataset) or the '
                        'four-legged animals (SyntheticQuadrupedDataset)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the train split (fit: +1, eval: +2)')
    parser.add_argument('--train-clips', type=int, default=2000)
    parser.add_argument('--fit-clips', type=int, default=2000)
    parser.add_argument('--eval-clips', type=int, default=1000)
    parser.add_argument('--frames', type=int, default=8,
                        help='frames per training clip')
    parser.add_argument('--image-size', type=int, default=32)
    return parser.parse_args(argv)


def coco_categories(family: str = 'creatures') -> List[dict]:
    spec = FAMILIES[family]
    return [
        dict(
            id=1,
            name=spec['category'],
            supercategory=spec['category'],
            keypoints=list(spec['keypoints']),
            skeleton=[[a + 1, b + 1] for a, b in spec['skeleton']])
    ]


def write_split(dataset,
                out: str,
                split: str,
                family: str = 'creatures') -> Dict[str, int]:
    """Draw every sample of ``dataset`` into ``out/split`` and write
    ``out/annotations/split.json``."""
    images, annotations = [], []
    size = dataset.image_size
    num_keypoints = len(FAMILIES[family]['keypoints'])
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        image = dataset.draw(info)  # as the in-memory dataset draws it
        rel = (f'{split}/clip{info["clip_id"]:05d}/'
               f'{info["frame_id"]:03d}.png')
        path = osp.join(out, rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        if not cv2.imwrite(path, image):
            raise OSError(f'could not write {path}')
        images.append(
            dict(
                id=idx,
                file_name=rel,
                width=size,
                height=size,
                clip_id=int(info['clip_id']),
                frame_id=int(info['frame_id'])))
        x1, y1, x2, y2 = (float(v) for v in info['bbox'][0])
        keypoints = np.concatenate(
            [info['keypoints'][0],
             np.full((num_keypoints, 1), 2.0)], axis=1)
        annotations.append(
            dict(
                id=idx,
                image_id=idx,
                category_id=1,
                bbox=[x1, y1, x2 - x1, y2 - y1],
                area=(x2 - x1) * (y2 - y1),
                iscrowd=0,
                num_keypoints=num_keypoints,
                keypoints=[round(float(v), 3) for v in keypoints.ravel()]))
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    with open(osp.join(out, 'annotations', f'{split}.json'), 'w') as f:
        json.dump(
            dict(
                info=dict(
                    description=FAMILIES[family]['description'],
                    seed=int(dataset.seed)),
                images=images,
                annotations=annotations,
                categories=coco_categories(family)), f)
    return dict(images=len(images))


def main(argv=None) -> None:
    args = parse_args(argv)
    from mmkp_unsup.datasets import synthetic
    dataset_class = getattr(synthetic, FAMILIES[args.family]['dataset'])
    splits = dict(
        train=(args.train_clips, args.frames, args.seed),
        fit=(args.fit_clips, 1, args.seed + 1),
        eval=(args.eval_clips, 1, args.seed + 2))
    for split, (clips, frames, seed) in splits.items():
        dataset = dataset_class(
            num_clips=clips,
            frames_per_clip=frames,
            image_size=args.image_size,
            seed=seed,
            pipeline=[])
        counts = write_split(dataset, args.out, split, args.family)
        print(f'{split}: {counts["images"]} images, seed {seed}')


if __name__ == '__main__':
    main()
