"""CelebA aligned faces with the MAFL splits (docs/data_preparation_faces.md,
"CelebA + MAFL")."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS
from ..utils import (check_dir, face5_metainfo, landmark_instance,
                     parse_fields, read_lines)

CELEBA_MAFL_METAINFO = face5_metainfo(
    'celeba_mafl',
    dict(
        author='Liu, Ziwei and Luo, Ping and Wang, Xiaogang and Tang, Xiaoou',
        title='Deep Learning Face Attributes in the Wild',
        container='ICCV',
        year='2015',
        homepage='https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html'))


@DATASETS.register_module()
class CelebAMAFLDataset(BaseCocoStyleDataset):
    """CelebA aligned faces with 5 landmarks, split as the release does for
    MAFL (Zhang et al., "Facial landmark detection by deep multi-task
    learning").

    Layout under ``data_root`` (CelebA's official one, plus MAFL's lists)::

        Img/img_align_celeba/000001.jpg ...     (or img_align_celeba_hq)
        Anno/list_landmarks_align_celeba.txt    2 header lines, then
                                                name x1 y1 ... x5 y5
        Eval/list_eval_partition.txt            name partition (0/1/2)
        MAFL/training.txt                       one image name per line
        MAFL/testing.txt                        one image name per line

    Splits (``split``), as ``imm/datasets/celeba_dataset.py`` of the
    release; "MAFL validation" is the last ``validation_fraction`` of the
    MAFL training images in the order of the landmark file:

    - ``'train'``: CelebA partition 0 minus the MAFL test and MAFL
      validation images (unsupervised training);
    - ``'celeba_val'``: CelebA partition 1 minus those;
    - ``'mafl_train'``: MAFL training minus MAFL validation (the
      regressor's fitting split);
    - ``'mafl_val'``: MAFL validation;
    - ``'mafl_test'``: the MAFL test images (1,000).

    Samples are in the landmark file's order, with ``keypoints``
    ``[1, 5, 2]`` (``(x, y)`` pixels of the original image, left eye,
    right eye, nose, left and right mouth corners), ``keypoints_visible``
    ``[1, 5]`` (ones) and ``img_path``. No bounding box: the release
    resizes the whole image (``ResizeCrop``).

    Args:
        split (str): One of :attr:`SPLITS`. Defaults to ``'train'``.
        image_folder (str | Sequence[str]): Image folder relative to
            ``data_root``, or several, the first one present being read
            (:attr:`image_dir` says which). The release reads
            ``'Img/img_align_celeba_hq'`` (of its own ``celeba.zip``); the
            paper configs ask for it first, then CelebA's
            ``'Img/img_align_celeba'``. Defaults to
            ``'Img/img_align_celeba'`` (CelebA's JPEGs).
        validation_fraction (float): Share of MAFL training put aside for
            validation. Defaults to ``0.1``.
        data_root (str): Root of the layout above.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``
            (``pipeline``, ``test_mode``, ``indices``...).
    """

    METAINFO: dict = CELEBA_MAFL_METAINFO
    SPLITS = ('train', 'celeba_val', 'mafl_train', 'mafl_val', 'mafl_test')
    LANDMARK_FILE = 'Anno/list_landmarks_align_celeba.txt'
    PARTITION_FILE = 'Eval/list_eval_partition.txt'
    MAFL_TRAIN_FILE = 'MAFL/training.txt'
    MAFL_TEST_FILE = 'MAFL/testing.txt'

    def __init__(self,
                 split: str = 'train',
                 image_folder: Union[str, Sequence[str]] = (
                     'Img/img_align_celeba'),
                 validation_fraction: float = 0.1,
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'split must be one of {self.SPLITS}, got '
                             f'{split!r}')
        if not 0 <= validation_fraction < 1:
            raise ValueError('validation_fraction must be in [0, 1), got '
                             f'{validation_fraction}')
        if not data_root:
            raise ValueError('CelebAMAFLDataset needs data_root (the folder '
                             'holding Img/, Anno/, Eval/ and MAFL/)')
        self.split = split
        folders = [image_folder] if isinstance(image_folder, str) else list(
            image_folder)
        if not folders or not all(isinstance(f, str) for f in folders):
            raise ValueError('image_folder must be a folder or a list of '
                             f'folders, got {image_folder!r}')
        self.image_folder = image_folder
        self._image_folders = folders
        self.image_dir: Optional[str] = None  # the folder read
        self.validation_fraction = validation_fraction
        super().__init__(data_root=data_root, **kwargs)

    def _path(self, relative: str) -> str:
        return osp.join(self.data_root, relative)

    def _find_image_dir(self) -> str:
        """The first of the image folders present (an error if none)."""
        for folder in self._image_folders:
            if osp.isdir(self._path(folder)):
                self.image_dir = self._path(folder)
                return self.image_dir
        if len(self._image_folders) == 1:
            check_dir(self._path(self._image_folders[0]),
                      'CelebA image folder')
        raise FileNotFoundError(
            'CelebA image folder (a folder) not found: none of '
            f'{[self._path(f) for f in self._image_folders]}')

    def _read_names(self, relative: str, what: str,
                    known: Dict[str, int]) -> Dict[str, int]:
        """Names of a list file, each checked against the landmark file."""
        path = self._path(relative)
        names = {}
        for number, line in read_lines(path, what):
            name = parse_fields(path, number, line, 0,
                                expected='one image name')[0]
            if name not in known:
                raise ValueError(
                    f'{path}, line {number}: {name!r} is not in '
                    f'{self._path(self.LANDMARK_FILE)}')
            names[name] = number
        return names

    def split_indices(self) -> Tuple[List[str], np.ndarray, np.ndarray]:
        """Read the lists and select the split.

        Returns:
            tuple: All image names (landmark-file order), their landmarks
            ``[N, 5, 2]`` ``(x, y)`` and the indices of the split's images.
        """
        path = self._path(self.LANDMARK_FILE)
        names, landmarks = [], []
        for number, line in read_lines(path, 'CelebA landmark file', skip=2):
            fields = parse_fields(path, number, line, 10, float,
                                  'name x1 y1 ... x5 y5')
            names.append(fields[0])
            landmarks.append(fields[1:])
        order = {name: i for i, name in enumerate(names)}
        if len(order) != len(names):
            raise ValueError(f'{path}: an image name appears twice')
        landmarks = np.asarray(landmarks, dtype=np.float32).reshape(-1, 5, 2)

        # the release: CelebA partition + 1, then MAFL test -> 4, then the
        # last part of MAFL training (landmark-file order) -> 5
        part_path = self._path(self.PARTITION_FILE)
        partition = np.full(len(names), -1, dtype=np.int64)
        for number, line in read_lines(part_path, 'CelebA partition file'):
            name, value = parse_fields(part_path, number, line, 1, int,
                                       'name partition')
            if name not in order:
                raise ValueError(f'{part_path}, line {number}: {name!r} is '
                                 f'not in {path}')
            if value not in (0, 1, 2):
                raise ValueError(f'{part_path}, line {number}: partition '
                                 f'must be 0, 1 or 2, got {value}')
            partition[order[name]] = value
        if (partition < 0).any():
            missing = names[int(np.argmax(partition < 0))]
            raise ValueError(f'{part_path}: no partition for {missing!r} '
                             f'(and {int((partition < 0).sum()) - 1} more)')
        mafl_train = self._read_names(self.MAFL_TRAIN_FILE,
                                      'MAFL training list', order)
        mafl_test = self._read_names(self.MAFL_TEST_FILE, 'MAFL test list',
                                     order)
        in_train = np.array([n in mafl_train for n in names])
        in_test = np.array([n in mafl_test for n in names])
        train_idx = np.flatnonzero(in_train)
        n_val = int(round(self.validation_fraction * len(train_idx)))
        in_val = np.zeros(len(names), dtype=bool)
        if n_val:
            in_val[train_idx[-n_val:]] = True
        held_out = in_test | in_val
        select = dict(
            train=(partition == 0) & ~held_out,
            celeba_val=(partition == 1) & ~held_out,
            mafl_train=in_train & ~held_out,
            mafl_val=in_val,
            mafl_test=in_test & ~in_val)[self.split]
        return names, landmarks, np.flatnonzero(select)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        image_dir = self._find_image_dir()
        names, landmarks, indices = self.split_indices()
        instances = [
            landmark_instance(
                int(i), osp.join(image_dir, names[i]), landmarks[i])
            for i in indices
        ]
        if not instances:
            raise ValueError(f'CelebAMAFLDataset: split {self.split!r} is '
                             f'empty under {self.data_root}')
        return instances, []
