"""AFLW_R, the AFLW re-crop of Zhang et al. 2018
(docs/data_preparation_faces.md, "AFLW")."""
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS
from ..utils import (check_dir, check_file, face5_metainfo, landmark_instance,
                     read_lines)

AFLW_R_METAINFO = face5_metainfo(
    'aflw_r',
    dict(
        author='Zhang, Yuting and Guo, Yijie and Jin, Yixin and Luo, Yijun '
        'and He, Zhiyuan and Lee, Honglak',
        title='Unsupervised Discovery of Object Landmarks as Structural '
        'Representations',
        container='CVPR',
        year='2018',
        homepage='https://github.com/YutingZhang/lmdis-rep'))


@DATASETS.register_module()
class AFLWRDataset(BaseCocoStyleDataset):
    """AFLW faces re-cropped by Zhang et al. 2018, 5 landmarks.

    Layout under ``data_root`` (as released with ``lmdis-rep``)::

        aflw_train_images.txt      one image path (under output/) per line
        aflw_train_keypoints.mat   gt [N, 5, 2] (y, x) pixels, hw [N, 2]
        aflw_test_images.txt
        aflw_test_keypoints.mat
        output/<image paths listed above>

    Splits, as ``imm/datasets/aflw_dataset.py`` of the release: ``'train'``
    (the training list minus its last ``validation_fraction``: 9,110 of
    10,122), ``'val'`` (that last part), ``'train_full'`` (the whole
    training list) and ``'test'`` (2,991).

    Samples carry ``keypoints`` ``[1, 5, 2]`` converted to ``(x, y)``
    pixels, ``keypoints_visible`` (ones), ``img_path`` and ``image_hw``
    (the ``hw`` entry of the ``.mat`` file). The release resizes the whole
    image to 128x128 (``ResizeCrop(resize=(128, 128))``).

    Args:
        split (str): One of :attr:`SPLITS`. Defaults to ``'train'``.
        validation_fraction (float): Share of the training list kept for
            validation. Defaults to ``0.1``.
        image_folder (str): Image folder relative to ``data_root``.
            Defaults to ``'output'``.
        data_root (str): Root of the layout above.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO: dict = AFLW_R_METAINFO
    SPLITS = ('train', 'val', 'train_full', 'test')

    def __init__(self,
                 split: str = 'train',
                 validation_fraction: float = 0.1,
                 image_folder: str = 'output',
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'split must be one of {self.SPLITS}, got '
                             f'{split!r}')
        if not 0 <= validation_fraction < 1:
            raise ValueError('validation_fraction must be in [0, 1), got '
                             f'{validation_fraction}')
        if not data_root:
            raise ValueError('AFLWRDataset needs data_root (the folder '
                             'holding aflw_*_images.txt and output/)')
        self.split = split
        self.validation_fraction = validation_fraction
        self.image_folder = image_folder
        super().__init__(data_root=data_root, **kwargs)

    def _read_split_files(self, subset: str
                          ) -> Tuple[List[str], np.ndarray, np.ndarray]:
        """Image names, landmarks ``[N, 5, 2]`` ``(x, y)`` and ``hw``."""
        from scipy.io import loadmat
        list_path = osp.join(self.data_root, f'aflw_{subset}_images.txt')
        mat_path = check_file(
            osp.join(self.data_root, f'aflw_{subset}_keypoints.mat'),
            f'AFLW {subset} keypoint file')
        names = [line for _, line in read_lines(list_path,
                                                f'AFLW {subset} image list')]
        try:
            mat = loadmat(mat_path)
        except Exception as error:  # scipy raises several types
            raise ValueError(f'{mat_path}: not a readable MATLAB file '
                             f'({error})') from error
        for key in ('gt', 'hw'):
            if key not in mat:
                raise ValueError(f'{mat_path}: no variable {key!r} (found '
                                 f'{sorted(k for k in mat if k[0] != "_")})')
        gt = np.asarray(mat['gt'], dtype=np.float32)
        hw = np.asarray(mat['hw'], dtype=np.int64)
        if gt.shape != (len(names), 5, 2):
            raise ValueError(f'{mat_path}: gt must be [N, 5, 2] with N = '
                             f'{len(names)} lines of {list_path}, got '
                             f'{list(gt.shape)}')
        if hw.shape != (len(names), 2):
            raise ValueError(f'{mat_path}: hw must be [N, 2] with N = '
                             f'{len(names)}, got {list(hw.shape)}')
        return names, gt[..., ::-1].copy(), hw

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        image_dir = check_dir(
            osp.join(self.data_root, self.image_folder), 'AFLW image folder')
        subset = 'test' if self.split == 'test' else 'train'
        names, keypoints, hw = self._read_split_files(subset)
        indices = np.arange(len(names))
        if self.split in ('train', 'val'):
            n_val = int(round(self.validation_fraction * len(names)))
            first_val = len(names) - n_val
            indices = indices[:first_val] if self.split == 'train' else \
                indices[first_val:]
        instances = [
            landmark_instance(
                int(i),
                osp.join(image_dir, names[i]),
                keypoints[i],
                image_hw=tuple(int(s) for s in hw[i])) for i in indices
        ]
        if not instances:
            raise ValueError(f'AFLWRDataset: split {self.split!r} is empty '
                             f'under {self.data_root}')
        return instances, []
