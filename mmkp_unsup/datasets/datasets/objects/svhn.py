"""Street View House Numbers (docs/data_preparation_others.md, "SVHN")."""
import os.path as osp
from typing import Any, Dict, List, Optional

import numpy as np
import scipy.io
from mmengine.dataset import BaseDataset, force_full_init

from mmpose.registry import DATASETS

SVHN_METAINFO = dict(
    dataset_name='svhn',
    classes=tuple(str(d) for d in range(10)),
    paper_info=dict(
        author='Netzer, Yuval and Wang, Tao and Coates, Adam and Bissacco, '
        'Alessandro and Wu, Bo and Ng, Andrew Y.',
        title='Reading Digits in Natural Images with Unsupervised Feature '
        'Learning',
        container='NIPS Workshop on Deep Learning and Unsupervised Feature '
        'Learning',
        year='2011',
        homepage='http://ufldl.stanford.edu/housenumbers/'))


def svhn_digit(label: float) -> int:
    """SVHN label to digit: labels 1-9 are themselves, 10 is the digit 0."""
    return 0 if int(label) == 10 else int(label)


@DATASETS.register_module()
class SVHNDataset(BaseDataset):
    """SVHN format 2: cropped 32x32 digits from ``{split}_32x32.mat``.

    The file holds ``X`` (``32 x 32 x 3 x N`` uint8, RGB) and ``y``
    (``N x 1``, labels 1-10 where 10 is the digit 0). The array is read
    once (``full_init``) and kept in memory; each sample's ``img`` (BGR
    uint8 ``[32, 32, 3]``, as mmpose's ``LoadImage`` gives) is cut from it
    in :meth:`prepare_data`. Samples carry ``label`` (the digit 0-9),
    ``bbox`` ``[1, 4]`` (the whole image, xyxy), and ``clip_id`` (the
    sample) / ``frame_id`` (0): every sample is its own one-frame clip, so
    pairs come from warps (:class:`TPSPairWarp`).

    Args:
        ann_file (str): The ``.mat`` file (``train_32x32.mat``,
            ``test_32x32.mat`` or ``extra_32x32.mat``), relative to
            ``data_root``.
        data_root (str, optional): Folder of the file.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = SVHN_METAINFO

    def __init__(self,
                 ann_file: str = 'train_32x32.mat',
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        self._images: Optional[np.ndarray] = None
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(f'SVHN file not found: {path}')
        try:
            mat = scipy.io.loadmat(path)
        except Exception as error:
            raise ValueError(f'cannot read the SVHN file {path}: '
                             f'{error}') from error
        for key in ('X', 'y'):
            if key not in mat:
                raise ValueError(f'SVHN file {path} has no variable {key!r}')
        images, labels = mat['X'], np.asarray(mat['y'])
        if images.ndim != 4 or images.shape[2] != 3 or \
                images.dtype != np.uint8:
            raise ValueError(f'SVHN file {path}: X has shape {images.shape} '
                             f'and dtype {images.dtype}, expected (H, W, 3, '
                             'N) uint8')
        num = images.shape[3]
        labels = labels.reshape(-1)
        if labels.size != num:
            raise ValueError(f'SVHN file {path}: {num} images in X but '
                             f'{labels.size} labels in y')
        bad = np.flatnonzero((labels < 1) | (labels > 10) |
                             (labels != np.round(labels)))
        if bad.size:
            raise ValueError(f'SVHN file {path}: y({bad[0] + 1}) = '
                             f'{labels[bad[0]]}, expected a label in 1..10')
        # [N, H, W, 3] BGR, contiguous per sample
        self._images = np.ascontiguousarray(
            images.transpose(3, 0, 1, 2)[..., ::-1])
        h, w = images.shape[:2]
        bbox = np.array([[0, 0, w, h]], dtype=np.float32)
        name = osp.basename(path)
        return [
            dict(
                id=i,
                img_id=i,
                img_path=f'{name}/{i:06d}.png',
                label=svhn_digit(labels[i]),
                bbox=bbox.copy(),
                bbox_score=np.ones(1, dtype=np.float32),
                clip_id=i,
                frame_id=0) for i in range(num)
        ]

    @force_full_init
    def prepare_data(self, idx: int) -> Any:
        """Put the sample's image into ``img``, then run the pipeline."""
        data_info: Dict = self.get_data_info(idx)
        data_info['img'] = self._images[data_info['id']].copy()
        return self.pipeline(data_info)


def _h5_values(h5file: Any, field: Any) -> List[float]:
    """Values of a digitStruct bbox field: stored in place when the field
    has one element, else as object references to one value each."""
    data = np.asarray(field).ravel()
    if field.dtype.kind != 'O':
        return [float(v) for v in data]
    return [float(np.asarray(h5file[ref]).ravel()[0]) for ref in data]


def read_digit_struct(path: str) -> List[Dict[str, Any]]:
    """Read SVHN format 1's ``digitStruct.mat`` (MATLAB v7.3 / HDF5).

    Args:
        path (str): The file.

    Returns:
        list[dict]: Per image, in file order: ``name`` (the PNG file
        name) and ``digits``: a list of dicts ``label`` (1-10), ``left``,
        ``top``, ``width``, ``height`` (pixels, as stored).

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If it is not HDF5, or an entry is malformed (the
            message names the entry).
    """
    import h5py  # optional dependency: only format 1 needs it
    if not osp.isfile(path):
        raise FileNotFoundError(f'SVHN digitStruct file not found: {path}')
    try:
        h5file = h5py.File(path, 'r')
    except OSError as error:
        raise ValueError(f'cannot read {path} as HDF5 (MATLAB v7.3): '
                         f'{error}') from error
    with h5file:
        if 'digitStruct' not in h5file or any(
                k not in h5file['digitStruct'] for k in ('name', 'bbox')):
            raise ValueError(f'{path}: expected /digitStruct/name and '
                             '/digitStruct/bbox')
        names = np.asarray(h5file['digitStruct/name']).ravel()
        boxes = np.asarray(h5file['digitStruct/bbox']).ravel()
        if names.size != boxes.size:
            raise ValueError(f'{path}: {names.size} names but {boxes.size} '
                             'bbox entries')
        entries = []
        for i, (name_ref, box_ref) in enumerate(zip(names, boxes)):
            where = f'{path}: digitStruct({i + 1})'
            try:
                chars = np.asarray(h5file[name_ref]).ravel()
                name = ''.join(chr(int(c)) for c in chars)
                group = h5file[box_ref]
                fields = {
                    key: _h5_values(h5file, group[key])
                    for key in ('label', 'left', 'top', 'width', 'height')
                }
            except (KeyError, ValueError, TypeError) as error:
                raise ValueError(f'{where} is malformed: {error}') from error
            counts = {len(v) for v in fields.values()}
            if len(counts) != 1:
                raise ValueError(f'{where} ({name}): bbox fields have '
                                 'different lengths '
                                 f'{ {k: len(v) for k, v in fields.items()} }')
            digits = [
                dict(zip(fields, values)) for values in zip(*fields.values())
            ]
            entries.append(dict(name=name, digits=digits))
    return entries


@DATASETS.register_module()
class SVHNFullNumbersDataset(BaseDataset):
    """SVHN format 1: whole house-number images and digit boxes.

    Layout: ``<split>/1.png, 2.png, ...`` and ``<split>/digitStruct.mat``
    (read by :func:`read_digit_struct`). Each sample carries ``img_path``,
    ``digits`` (labels 0-9, left to right as stored), ``digit_bboxes``
    (``[D, 4]`` xyxy pixels: ``left, top, left + width, top + height`` as
    stored) and ``bbox`` ``[1, 4]``: their union, the number's box. The
    usual crop (the box enlarged by 30 %, Goodfellow et al. 2014) is
    ``GetBBoxCenterScale(padding=1.3)`` + ``TopdownAffine`` in the
    pipeline. ``clip_id`` is the sample and ``frame_id`` 0 (pairs come
    from warps).

    Args:
        ann_file (str): ``digitStruct.mat``, relative to ``data_root``.
            Defaults to ``'train/digitStruct.mat'``.
        data_root (str, optional): Folder holding ``train/``, ``test/``...
        data_prefix (dict): ``img``: folder of the PNGs, relative to
            ``data_root``. Defaults to ``dict(img='train/')``.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = SVHN_METAINFO

    def __init__(self,
                 ann_file: str = 'train/digitStruct.mat',
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img='train/'),
                 **kwargs) -> None:
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = []
        for i, entry in enumerate(read_digit_struct(self.ann_file)):
            if not entry['digits']:
                raise ValueError(f'{self.ann_file}: digitStruct({i + 1}) '
                                 f'({entry["name"]}) has no digit box')
            boxes = np.array([[
                d['left'], d['top'], d['left'] + d['width'],
                d['top'] + d['height']
            ] for d in entry['digits']], dtype=np.float32)
            if np.any(boxes[:, 2:] <= boxes[:, :2]):
                raise ValueError(f'{self.ann_file}: digitStruct({i + 1}) '
                                 f'({entry["name"]}) has an empty digit box')
            labels = [d['label'] for d in entry['digits']]
            if any(v < 1 or v > 10 or v != round(v) for v in labels):
                raise ValueError(f'{self.ann_file}: digitStruct({i + 1}) '
                                 f'({entry["name"]}) has labels {labels}, '
                                 'expected 1..10')
            data_list.append(
                dict(
                    id=i,
                    img_id=i,
                    img_path=osp.join(self.data_prefix['img'],
                                      entry['name']),
                    digits=[svhn_digit(v) for v in labels],
                    digit_bboxes=boxes,
                    bbox=np.concatenate(
                        [boxes[:, :2].min(0), boxes[:, 2:].max(0)])[None],
                    bbox_score=np.ones(1, dtype=np.float32),
                    clip_id=i,
                    frame_id=0))
        return data_list
