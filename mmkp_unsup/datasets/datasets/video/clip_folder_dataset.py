"""Users' own footage: frames in one folder per clip
(docs/data_preparation_faces.md, "Your own footage")."""
import os
import os.path as osp
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmengine import fileio
from mmengine.logging import MMLogger
from PIL import Image

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import DATASETS
from ..utils import IMAGE_EXTENSIONS, check_dir, check_file, natural_key


def image_bbox(width: int, height: int) -> np.ndarray:
    """The whole image as a box ``[1, 4]`` ``(x1, y1, x2, y2)``:
    ``[0, 0, width, height]``.

    The frame of mmpose's boxes (a COCO box ``[x, y, w, h]`` of the whole
    image) and of the inference API: mmpose's ``TopdownAffine`` maps the
    box's centre to the input's centre ``input_size / 2``, so a frame of the
    input's size reaches the network unchanged (a box of ``[-0.5, -0.5,
    width - 0.5, height - 0.5]`` would shift it by half a pixel, and blur
    it, through the bilinear warp).
    """
    return np.array([[0, 0, width, height]], dtype=np.float32)


def clip_of(relative_path: str) -> str:
    """The clip of a frame: the folder that holds it (``'.'`` for the root).
    """
    folder = osp.dirname(osp.normpath(relative_path)).replace(os.sep, '/')
    return folder or '.'


def keypoint_metainfo(names: Sequence[str], dataset_name: str) -> dict:
    """A minimal mmpose metainfo for ``len(names)`` keypoints, no flips."""
    return dict(
        dataset_name=dataset_name,
        keypoint_info={
            i: dict(name=name, id=i, color=[255, 128, 0], type='', swap='')
            for i, name in enumerate(names)
        },
        skeleton_info={},
        joint_weights=[1.0] * len(names),
        sigmas=[0.025] * len(names))


@DATASETS.register_module()
class ClipFolderDataset(BaseCocoStyleDataset):
    """Frames of clips stored as one folder per clip, with or without a
    COCO-style keypoint file.

    Layout (under ``data_root`` / ``data_prefix['img']``), split folders
    optional::

        <clip>/<frame>.png                 e.g. interview03/000017.png
        train/<clip>/<frame>.png
        annotations/train.json             COCO-style keypoints (optional)

    The clip of a frame is the folder that holds it (relative path, e.g.
    ``'train/interview03'``); frames are ordered by file name, digit runs
    compared as numbers (``frame2`` before ``frame10``). Every sample gets
    ``clip_id`` (str) and ``frame_id`` (its rank in the clip) for
    :class:`FramePairDataset`.

    - With ``ann_file`` (mmpose's COCO keypoint format, read by mmpose's
      ``BaseCocoStyleDataset``): each annotated face is a sample with
      ``keypoints`` ``[1, K, 2]`` ``(x, y)`` pixels, ``keypoints_visible``
      and ``bbox``. Images listed without a keypoint annotation are kept
      as samples when ``with_unannotated`` (the default, for unsupervised
      training), with zero, invisible keypoints; otherwise they are left
      out, and the count is logged. Instances mmpose itself drops (crowd,
      empty box) are also counted in the log.
    - Without ``ann_file`` (``''``): every image file below the image
      folder is a sample (``img_path``, ``bbox``, ``clip_id``,
      ``frame_id``; no keypoints).

    ``bbox`` is the whole image with ``bbox_mode='image'`` (the default:
    every frame is cropped alike by ``GetBBoxCenterScale`` +
    ``TopdownAffine``, so two frames of a clip keep their common
    background), or the annotation's box with ``bbox_mode='annotation'``
    (unannotated frames keep the whole image).

    Args:
        ann_file (str): COCO-style keypoint file, relative to ``data_root``;
            ``''`` for plain frame folders. Defaults to ``''``.
        with_unannotated (bool): Keep images without a keypoint
            annotation. Defaults to ``True``.
        bbox_mode (str): ``'image'`` or ``'annotation'``. Defaults to
            ``'image'``.
        extensions (Sequence[str]): Image file endings of plain frame
            folders (case-insensitive). Defaults to png, jpg, jpeg, bmp.
        metainfo (dict, optional): mmpose metainfo of the keypoints (e.g.
            ``dict(from_file='configs/_base_/datasets/300w.py')``). Without
            it, one is made from the file's category (its keypoint names)
            with no flip pairs.
        cache_images (bool): Keep every decoded frame in memory (in each
            loading process) and hand it to the pipeline as ``img``, which
            ``LoadImage`` then takes instead of reading the file, as
            ``SyntheticObjectDataset`` does with its drawn images. For small
            frames: 16,000 frames of 32x32 take 49 MB. Defaults to
            ``False``.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``
            (``data_root``, ``data_prefix``, ``pipeline``, ``test_mode``...).
    """

    METAINFO: dict = dict()
    BBOX_MODES = ('image', 'annotation')

    def __init__(self,
                 ann_file: str = '',
                 with_unannotated: bool = True,
                 bbox_mode: str = 'image',
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 metainfo: Optional[dict] = None,
                 cache_images: bool = False,
                 **kwargs) -> None:
        if bbox_mode not in self.BBOX_MODES:
            raise ValueError(f'bbox_mode must be one of {self.BBOX_MODES}, '
                             f'got {bbox_mode!r}')
        if kwargs.get('data_mode', 'topdown') != 'topdown':
            raise ValueError('ClipFolderDataset supports data_mode='
                             f"'topdown' only, got {kwargs['data_mode']!r}")
        self.with_unannotated = with_unannotated
        self.bbox_mode = bbox_mode
        self.extensions = tuple(e.lower() for e in extensions)
        self._auto_metainfo = metainfo is None
        self.cache_images = cache_images
        self._image_cache: Dict[int, np.ndarray] = {}
        super().__init__(ann_file=ann_file, metainfo=metainfo, **kwargs)

    # ------------------------------------------------------------ loading
    def prepare_data(self, idx: int) -> Any:
        """The sample through the pipeline; with ``cache_images`` its frame
        is decoded once (as ``LoadImage`` decodes it) and then copied from
        memory."""
        if not self.cache_images:
            return super().prepare_data(idx)
        data_info = self.get_data_info(idx)
        image = self._image_cache.get(idx)
        if image is None:
            image = mmcv.imfrombytes(
                fileio.get(data_info['img_path']), flag='color',
                backend='cv2')
            if image is None:
                raise ValueError(f'{data_info["img_path"]}: not a readable '
                                 'image')
            self._image_cache[idx] = image
        # a copy: transforms may change the image in place
        data_info['img'] = image.copy()
        data_info['dataset'] = self
        return self.pipeline(data_info)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        if self.ann_file:
            check_file(self.ann_file, 'keypoint annotation file')
            return self._load_coco()
        return self._scan_folders(), []

    def _image_root(self) -> str:
        return self.data_prefix.get('img', '') or self.data_root or ''

    def _load_coco(self) -> Tuple[List[dict], List[dict]]:
        try:
            instances, images = super()._load_annotations()
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(f'{self.ann_file}: not a COCO-style keypoint '
                             f'file ({type(error).__name__}: {error})'
                             ) from error
        if self._auto_metainfo:
            self._metainfo = parse_pose_metainfo(
                self._metainfo_from_file(instances))
        num_keypoints = self._metainfo.get('num_keypoints', 0)
        for info in instances:
            if info['keypoints'].shape[1] != num_keypoints:
                raise ValueError(
                    f'{self.ann_file}: annotation {info["id"]} has '
                    f'{info["keypoints"].shape[1]} keypoints, the metainfo '
                    f'{num_keypoints}')
        annotated = {info['img_id'] for info in instances}
        next_id = 1 + max([int(i['id']) for i in instances] + [0])
        image_sizes, file_names = {}, {}
        unannotated = []
        for img in images:
            image_sizes[img['img_id']] = (img['width'], img['height'])
            file_names[img['img_id']] = img['file_name']
            if img['img_id'] in annotated:
                continue
            if self.with_unannotated:
                unannotated.append(
                    self._unannotated(next_id, img, num_keypoints))
                next_id += 1
        if not self.with_unannotated:
            left_out = len(images) - len(annotated)
            if left_out:
                MMLogger.get_current_instance().info(
                    f'{self.ann_file}: {left_out} image(s) without a keypoint '
                    'annotation left out (with_unannotated=False)')
        for info in instances:
            info['clip_id'] = clip_of(file_names[info['img_id']])
            if self.bbox_mode == 'image':
                info['bbox'] = image_bbox(*image_sizes[info['img_id']])
        return instances + unannotated, images

    def _metainfo_from_file(self, instances: List[dict]) -> dict:
        categories = self._metainfo.get('CLASSES') or []
        names = list(categories[0].get('keypoints', [])) if categories else []
        counts = {info['keypoints'].shape[1] for info in instances}
        if len(counts) > 1:
            raise ValueError(f'{self.ann_file}: annotations have different '
                             f'numbers of keypoints {sorted(counts)}')
        count = counts.pop() if counts else len(names)
        if len(names) != count:
            names = [f'keypoint_{i}' for i in range(count)]
        name = osp.splitext(osp.basename(self.ann_file))[0]
        metainfo = keypoint_metainfo(names, name)
        metainfo['CLASSES'] = categories
        return metainfo

    def _unannotated(self, idx: int, img: dict, num_keypoints: int) -> dict:
        return dict(
            id=idx,
            img_id=img['img_id'],
            img_path=img['img_path'],
            clip_id=clip_of(img['file_name']),
            bbox=image_bbox(img['width'], img['height']),
            bbox_score=np.ones(1, dtype=np.float32),
            keypoints=np.zeros((1, num_keypoints, 2), dtype=np.float32),
            keypoints_visible=np.zeros((1, num_keypoints), dtype=np.float32),
            num_keypoints=0,
            iscrowd=0,
            category_id=1,
            annotated=False)

    def _scan_folders(self) -> List[dict]:
        root = check_dir(self._image_root(), 'frame folder')
        if self._auto_metainfo:
            self._metainfo = parse_pose_metainfo(
                keypoint_metainfo([], osp.basename(osp.normpath(root))))
        instances = []
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if not name.lower().endswith(self.extensions):
                    continue
                path = osp.join(folder, name)
                try:
                    with Image.open(path) as image:
                        width, height = image.size
                except OSError as error:
                    raise ValueError(f'{path}: not a readable image '
                                     f'({error})') from error
                idx = len(instances)
                instances.append(
                    dict(
                        id=idx,
                        img_id=idx,
                        img_path=path,
                        clip_id=clip_of(osp.relpath(path, root)),
                        bbox=image_bbox(width, height),
                        bbox_score=np.ones(1, dtype=np.float32),
                        num_keypoints=0,
                        iscrowd=0,
                        category_id=1,
                        annotated=False))
        if not instances:
            raise FileNotFoundError(
                f'no image files ({", ".join(self.extensions)}) found below '
                f'{root}')
        return instances

    def _get_topdown_data_infos(self, instance_list: List[Dict]
                                ) -> List[Dict]:
        """Keep unannotated frames, drop what mmpose drops (and log it), then
        number the frames of each clip."""
        kept, dropped = [], 0
        for info in instance_list:
            if info.get('annotated', True):
                if not self._is_valid_instance(info):
                    dropped += 1
                    continue
            kept.append(info)
        if dropped:
            MMLogger.get_current_instance().info(
                f'{self.ann_file}: {dropped} annotation(s) dropped as mmpose '
                'does (crowd, no keypoints or an empty box)')
        names: Dict[str, set] = defaultdict(set)
        for info in kept:
            names[info['clip_id']].add(osp.basename(info['img_path']))
        rank = {
            clip: {n: r for r, n in enumerate(sorted(files, key=natural_key))}
            for clip, files in names.items()
        }
        for info in kept:
            info.setdefault('annotated', True)
            info['frame_id'] = rank[info['clip_id']][osp.basename(
                info['img_path'])]
        return kept
