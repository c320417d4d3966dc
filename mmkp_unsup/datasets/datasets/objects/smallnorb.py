"""smallNORB (docs/data_preparation_others.md, "smallNORB")."""
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset, force_full_init

from mmpose.registry import DATASETS

SMALLNORB_CATEGORIES = ('animal', 'human', 'airplane', 'truck', 'car')
SMALLNORB_INFO_FIELDS = ('instance', 'elevation', 'azimuth', 'lighting')
SMALLNORB_FILES = dict(
    training='smallnorb-5x46789x9x18x6x2x96x96-training',
    testing='smallnorb-5x01235x9x18x6x2x96x96-testing')

# magic number -> element type of the "binary matrix" format
NORB_MAGIC = {
    0x1E3D4C55: np.dtype('u1'),  # uint8
    0x1E3D4C54: np.dtype('<i4'),  # int32
}

SMALLNORB_METAINFO = dict(
    dataset_name='smallnorb',
    classes=SMALLNORB_CATEGORIES,
    paper_info=dict(
        author='LeCun, Yann and Huang, Fu Jie and Bottou, Leon',
        title='Learning Methods for Generic Object Recognition with '
        'Invariance to Pose and Lighting',
        container='CVPR',
        year='2004',
        homepage='https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/'))


def read_norb_header(path: str) -> Tuple[np.dtype, Tuple[int, ...], int]:
    """Parse the header of a NORB binary matrix file.

    The header is little-endian int32: the magic number (its element
    type), the number of dimensions ``ndim``, then ``max(3, ndim)``
    dimensions (the unused ones are 1); the data follow.

    Args:
        path (str): The file.

    Returns:
        tuple: The element dtype, the shape (``ndim`` dimensions) and the
        byte offset of the data.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If the magic number is unknown, the header is
            truncated or the file size does not match the shape.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'smallNORB file not found: {path}')
    size = osp.getsize(path)
    with open(path, 'rb') as f:
        head = np.frombuffer(f.read(8), dtype='<i4')
        if head.size != 2:
            raise ValueError(f'{path}: truncated header ({size} bytes)')
        magic, ndim = int(head[0]) & 0xFFFFFFFF, int(head[1])
        if magic not in NORB_MAGIC:
            raise ValueError(
                f'{path}: unknown magic number {magic:#x}; expected one of '
                f'{[hex(m) for m in NORB_MAGIC]} (is it a smallNORB '
                '"binary matrix" file?)')
        if not 1 <= ndim <= 8:
            raise ValueError(f'{path}: bad number of dimensions {ndim}')
        count = max(3, ndim)
        dims = np.frombuffer(f.read(4 * count), dtype='<i4')
        if dims.size != count:
            raise ValueError(f'{path}: truncated header ({size} bytes)')
    shape = tuple(int(d) for d in dims[:ndim])
    dtype = NORB_MAGIC[magic]
    offset = 8 + 4 * count
    expected = offset + int(np.prod(shape)) * dtype.itemsize
    if any(d < 0 for d in shape) or size != expected:
        raise ValueError(f'{path}: the header gives shape {shape} of '
                         f'{dtype} ({expected} bytes in all) but the file '
                         f'has {size} bytes')
    return dtype, shape, offset


def read_norb_matrix(path: str, mmap: bool = False) -> np.ndarray:
    """Read a NORB binary matrix file (``-dat``, ``-cat``, ``-info``).

    Args:
        path (str): The file.
        mmap (bool): Map the data instead of reading them. Defaults to
            ``False``.

    Returns:
        np.ndarray: The matrix, e.g. ``[N, 2, 96, 96]`` uint8 for ``-dat``.
    """
    dtype, shape, offset = read_norb_header(path)
    if mmap:
        return np.memmap(path, dtype=dtype, mode='r', offset=offset,
                         shape=shape)
    with open(path, 'rb') as f:
        f.seek(offset)
        return np.fromfile(f, dtype=dtype).reshape(shape)


@DATASETS.register_module()
class SmallNORBDataset(BaseDataset):
    """smallNORB: grey stereo views of 50 toys, 5 categories.

    Files in ``data_root`` (binary, not MATLAB, despite ``.mat``):
    ``<prefix>-dat.mat`` (``[N, 2, 96, 96]`` uint8, the two cameras),
    ``<prefix>-cat.mat`` (``[N]`` category 0-4: animal, human, airplane,
    truck, car) and ``<prefix>-info.mat`` (``[N, 4]``: instance 0-9,
    elevation 0-8, azimuth 0, 2, ..., 34, lighting 0-5), read by
    :func:`read_norb_matrix`; the images are memory-mapped.

    A sample is one camera's view (``camera``), its ``img`` (BGR uint8
    ``[96, 96, 3]``, the grey image repeated) put in by
    :meth:`prepare_data`. Samples carry ``category``, ``category_name``,
    ``instance``, ``elevation``, ``azimuth``, ``lighting``, ``camera``,
    ``bbox`` (the whole image), ``clip_id`` = ``(category, instance)``
    (one object) and ``frame_id`` = ``(camera, elevation, azimuth,
    lighting)``: :class:`ClipFramePairSampler` with ``max_gap=None``
    pairs two views of one object that differ in pose or lighting.

    Args:
        data_root (str): Folder of the files.
        split (str): ``'training'`` or ``'testing'``. Defaults to
            ``'training'``.
        file_prefix (str, optional): File name before ``-dat.mat``;
            defaults to the official name of ``split``.
        camera (int | str): ``0`` (left), ``1`` (right) or ``'both'`` (two
            samples per stereo pair). Defaults to ``0``.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = SMALLNORB_METAINFO
    SPLITS = tuple(SMALLNORB_FILES)

    def __init__(self,
                 data_root: str,
                 split: str = 'training',
                 file_prefix: Optional[str] = None,
                 camera: Union[int, str] = 0,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'split must be one of {self.SPLITS}, got '
                             f'{split!r}')
        if camera not in (0, 1, 'both'):
            raise ValueError(f"camera must be 0, 1 or 'both', got {camera!r}")
        self.split = split
        self.file_prefix = file_prefix or SMALLNORB_FILES[split]
        self.camera = camera
        self._dat: Optional[np.ndarray] = None
        super().__init__(data_root=data_root, **kwargs)

    def _path(self, kind: str) -> str:
        return osp.join(self.data_root, f'{self.file_prefix}-{kind}.mat')

    def load_data_list(self) -> List[dict]:
        dat_path = self._path('dat')
        _, dat_shape, _ = read_norb_header(dat_path)
        cat_path, info_path = self._path('cat'), self._path('info')
        cat = read_norb_matrix(cat_path)
        info = read_norb_matrix(info_path)
        if len(dat_shape) != 4 or dat_shape[1] != 2:
            raise ValueError(f'{dat_path}: shape {dat_shape}, expected '
                             '(N, 2, H, W) stereo pairs')
        num = dat_shape[0]
        if cat.shape != (num, ):
            raise ValueError(f'{cat_path}: shape {cat.shape}, expected '
                             f'({num},) like {dat_path}')
        if info.shape != (num, 4):
            raise ValueError(f'{info_path}: shape {info.shape}, expected '
                             f'({num}, 4) like {dat_path}')
        bad = np.flatnonzero((cat < 0) | (cat >= len(SMALLNORB_CATEGORIES)))
        if bad.size:
            raise ValueError(f'{cat_path}: entry {bad[0]} has category '
                             f'{cat[bad[0]]}, expected 0..4')
        cameras = (0, 1) if self.camera == 'both' else (self.camera, )
        h, w = dat_shape[2:]
        bbox = np.array([[0, 0, w, h]], dtype=np.float32)
        name = osp.basename(dat_path)
        data_list = []
        for i in range(num):
            fields = dict(zip(SMALLNORB_INFO_FIELDS, map(int, info[i])))
            category = int(cat[i])
            for camera in cameras:
                idx = len(data_list)
                data_list.append(
                    dict(
                        id=idx,
                        img_id=idx,
                        img_path=f'{name}/{i:05d}_{camera}.png',
                        pair_index=i,
                        camera=camera,
                        category=category,
                        category_name=SMALLNORB_CATEGORIES[category],
                        **fields,
                        bbox=bbox.copy(),
                        bbox_score=np.ones(1, dtype=np.float32),
                        clip_id=(category, fields['instance']),
                        frame_id=(camera, fields['elevation'],
                                  fields['azimuth'], fields['lighting'])))
        return data_list

    @force_full_init
    def prepare_data(self, idx: int) -> Any:
        """Put the view into ``img`` (grey to BGR), then run the
        pipeline."""
        if self._dat is None:
            self._dat = read_norb_matrix(self._path('dat'), mmap=True)
        data_info: Dict = self.get_data_info(idx)
        grey = np.asarray(
            self._dat[data_info['pair_index'], data_info['camera']])
        data_info['img'] = np.repeat(grey[..., None], 3, axis=2)
        return self.pipeline(data_info)

    def __getstate__(self) -> dict:
        # worker processes map the file again instead of copying it
        state = self.__dict__.copy()
        state['_dat'] = None
        return state
