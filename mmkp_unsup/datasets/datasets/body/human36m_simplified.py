"""Human3.6M, simplified release of Zhang et al. 2018
(docs/data_preparation_others.md, "Human3.6M")."""
import os
import os.path as osp
import re
from copy import deepcopy
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.io
from mmengine.dataset import force_full_init

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

# The 32 joints of the raw Human3.6M skeleton (its metadata: Hips,
# RightUpLeg, ..., R_Wrist_End, Site), in the order of ``keypoints_2d``,
# with the parent of each joint (-1 for the root).
H36M_JOINT_NAMES = (
    'pelvis', 'right_hip', 'right_knee', 'right_ankle', 'right_toe_base',
    'right_toe_tip', 'left_hip', 'left_knee', 'left_ankle', 'left_toe_base',
    'left_toe_tip', 'spine', 'thorax', 'neck', 'head', 'head_top',
    'left_clavicle', 'left_shoulder', 'left_elbow', 'left_wrist',
    'left_thumb', 'left_thumb_tip', 'left_hand', 'left_hand_tip',
    'right_clavicle', 'right_shoulder', 'right_elbow', 'right_wrist',
    'right_thumb', 'right_thumb_tip', 'right_hand', 'right_hand_tip')
H36M_PARENTS = (-1, 0, 1, 2, 3, 4, 0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 12, 16,
                17, 18, 19, 20, 19, 22, 12, 24, 25, 26, 27, 28, 27, 30)
# The 16 joints of the other public setup (train S1, S5-S8; test S9, S11),
# as neuroethology/BKinD selects them: right hip/knee/ankle, left
# hip/knee/ankle, thorax, neck, head, head top, left shoulder/elbow/wrist,
# right shoulder/elbow/wrist.
H36M_16_JOINTS = (1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27)

# The protocol of the authors' later code (tomasjakab/keypointgan).
H36M_ACTIVITIES = ('directions', 'discussion', 'greeting', 'posing',
                   'waiting', 'walking')
H36M_TRAIN_SUBJECTS = ('S1', 'S5', 'S6', 'S7', 'S8', 'S9')
H36M_TEST_SUBJECTS = ('S11', )

IMAGE_DIR = 'WithBackground'
MASK_DIR = 'BackgroudMask'  # sic: the folder name of the release
LANDMARK_DIR = 'Landmarks'
LANDMARK_KEY = 'keypoints_2d'


def _side(name: str) -> str:
    return 'left' if name.startswith('left') else (
        'right' if name.startswith('right') else '')


def human36m_metainfo(indices: Optional[Sequence[int]] = None) -> dict:
    """mmpose metainfo of the (subset of the) 32 Human3.6M joints.

    Args:
        indices (Sequence[int], optional): Joints kept, in this order.
            Defaults to all 32.

    Returns:
        dict: ``dataset_name``, ``keypoint_info`` (names, left/right
        ``swap``), ``skeleton_info`` (joint to parent, where both are
        kept), ``joint_weights`` and ``sigmas``, as in mmpose's
        ``configs/_base_/datasets/*.py``.
    """
    indices = tuple(range(len(H36M_JOINT_NAMES))) if indices is None \
        else tuple(int(i) for i in indices)
    bad = [i for i in indices if not 0 <= i < len(H36M_JOINT_NAMES)]
    if bad or len(set(indices)) != len(indices):
        raise ValueError('keypoint_indices must be distinct joints in '
                         f'[0, {len(H36M_JOINT_NAMES)}), got {indices}')
    names = [H36M_JOINT_NAMES[i] for i in indices]
    colours = dict(left=[0, 255, 0], right=[255, 128, 0], **{'': [51, 153,
                                                                   255]})
    keypoint_info = {}
    for new, name in enumerate(names):
        side = _side(name)
        swap = ''
        if side:
            other = name.replace(side, 'right' if side == 'left' else 'left',
                                 1)
            swap = other if other in names else ''
        keypoint_info[new] = dict(
            name=name, id=new, color=colours[side],
            type='upper' if H36M_JOINT_NAMES.index(name) >= 11 else 'lower',
            swap=swap)
    skeleton_info = {}
    for new, old in enumerate(indices):
        parent = H36M_PARENTS[old]
        # the nearest kept ancestor
        while parent >= 0 and parent not in indices:
            parent = H36M_PARENTS[parent]
        if parent >= 0:
            skeleton_info[len(skeleton_info)] = dict(
                link=(H36M_JOINT_NAMES[parent], names[new]),
                id=len(skeleton_info),
                color=colours[_side(names[new])])
    return dict(
        dataset_name='human36m_simplified',
        paper_info=dict(
            author='Ionescu, Catalin and Papava, Dragos and Olaru, Vlad '
            'and Sminchisescu, Cristian',
            title='Human3.6M: Large Scale Datasets and Predictive Methods '
            'for 3D Human Sensing in Natural Environments',
            container='IEEE TPAMI',
            year='2014',
            homepage='http://vision.imar.ro/human3.6m/description.php'),
        keypoint_info=keypoint_info,
        skeleton_info=skeleton_info,
        joint_weights=[1.0] * len(indices),
        sigmas=[0.025] * len(indices))


def sequence_activity(sequence: str) -> str:
    """Activity of a sequence folder: its name before the first space or
    dot (``'Walking 1.54138969'`` -> ``'Walking'``)."""
    return re.split(r'[\s.]', sequence, maxsplit=1)[0]


def read_h36m_landmarks(path: str, image_size: int,
                        landmarks_order: str = 'yx',
                        num_joints: int = 32) -> np.ndarray:
    """Read one frame's ``keypoints_2d`` as ``(x, y)`` pixels.

    Args:
        path (str): The frame's ``.mat`` file.
        image_size (int): Side of the stored square image; the file holds
            coordinates in ``[0, 1]`` of it, so pixels are ``u * size``.
        landmarks_order (str): Column order in the file, ``'yx'`` (rows
            first) or ``'xy'``. Defaults to ``'yx'``.
        num_joints (int): Expected number of rows. Defaults to ``32``.

    Returns:
        np.ndarray: ``[num_joints, 2]`` float32, ``(x, y)`` pixels.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If it cannot be read, has no ``keypoints_2d`` or the
            array has the wrong shape or non-finite values.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'landmark file not found: {path}')
    try:
        mat = scipy.io.loadmat(path)
    except Exception as error:  # scipy raises several types
        raise ValueError(f'cannot read the landmark file {path}: '
                         f'{error}') from error
    if LANDMARK_KEY not in mat:
        names = sorted(k for k in mat if not k.startswith('__'))
        raise ValueError(f'landmark file {path} has no {LANDMARK_KEY!r} '
                         f'(variables: {names})')
    points = np.asarray(mat[LANDMARK_KEY], dtype=np.float64)
    if points.shape != (num_joints, 2):
        raise ValueError(f'landmark file {path}: {LANDMARK_KEY} has shape '
                         f'{points.shape}, expected ({num_joints}, 2)')
    if not np.isfinite(points).all():
        raise ValueError(f'landmark file {path}: {LANDMARK_KEY} has '
                         'non-finite values')
    if landmarks_order == 'yx':
        points = points[:, ::-1]
    return (points * image_size).astype(np.float32)


@DATASETS.register_module()
class SimplifiedHuman36MDataset(BaseCocoStyleDataset):
    """Human3.6M frames of the simplified release (Zhang et al. 2018).

    Layout under ``data_root``::

        S1/WithBackground/<sequence>/<frame>.jpg   128x128 frames
        S1/BackgroudMask/<sequence>/<frame>.png    foreground masks (sic)
        S1/Landmarks/<sequence>/<frame>.mat        keypoints_2d, 32 x 2
        S5/ ... S11/

    A sequence folder is named ``<Activity>[ <take>].<camera>``; its
    activity is the name before the first space or dot. Frames are the
    ``.jpg`` files of ``WithBackground`` (named by their integer frame
    number); a sequence is kept if its name starts with one of
    ``activities`` (case-insensitive; the selection of the authors' later
    code) or, with ``activity_match='exact'``, if its activity is one of
    them.

    Each sample (one frame) carries: ``img_path``, ``mask_path`` (for
    :class:`MaskBackground`), ``landmarks_path``, ``subject``,
    ``sequence``, ``activity`` (e.g. ``'Walking'``), ``clip_id``
    (``'<subject>/<sequence>'``) and ``frame_id`` (the frame number) for
    :class:`ClipFramePairSampler`, ``bbox`` ``[1, 4]`` (the whole image,
    xyxy). The landmarks are read when a sample is prepared (one small
    file per frame, read on demand: training reads none, and indexing
    stays a directory listing):
    ``keypoints`` ``[1, K, 2]`` in ``(x, y)`` pixels of the stored image
    (the file's ``[0, 1]`` values times ``image_size``) and
    ``keypoints_visible`` ``[1, K]`` (all ones).

    Args:
        data_root (str): Folder holding ``S1``, ``S5``, ...
        subjects (Sequence[str]): Subject folders to read. Defaults to the
            training subjects S1, S5, S6, S7, S8, S9.
        activities (Sequence[str], optional): Activities kept; ``None``
            keeps every sequence. Defaults to directions, discussion,
            greeting, posing, waiting, walking.
        activity_match (str): ``'prefix'`` (the sequence name starts with
            the activity) or ``'exact'``. Defaults to ``'prefix'``.
        landmarks_order (str): Column order of ``keypoints_2d``: ``'yx'``
            (row, column: the reading of two public loaders,
            tomasjakab/keypointgan, which swaps the columns into its
            ``(x, y)`` points, and neuroethology/BKinD, which compares
            column 1 of left and right joints as the horizontal
            coordinate) or ``'xy'``. Defaults to ``'yx'``.
        keypoint_indices (Sequence[int], optional): Joints kept (e.g.
            :data:`H36M_16_JOINTS`); ``None`` keeps all 32.
        image_size (int): Side of the stored frames. Defaults to ``128``.
        frame_step (int): Keep every ``frame_step``-th frame of each
            sequence (in frame order, from the first). Defaults to ``1``.
        with_landmarks (bool): Read the landmarks in :meth:`prepare_data`.
            Defaults to ``True``.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``
            (``pipeline``, ``test_mode``, ``metainfo``...).
    """

    METAINFO: dict = human36m_metainfo()
    MATCHES = ('prefix', 'exact')
    ORDERS = ('xy', 'yx')

    def __init__(self,
                 data_root: str,
                 subjects: Sequence[str] = H36M_TRAIN_SUBJECTS,
                 activities: Optional[Sequence[str]] = H36M_ACTIVITIES,
                 activity_match: str = 'prefix',
                 landmarks_order: str = 'yx',
                 keypoint_indices: Optional[Sequence[int]] = None,
                 image_size: int = 128,
                 frame_step: int = 1,
                 with_landmarks: bool = True,
                 **kwargs) -> None:
        if activity_match not in self.MATCHES:
            raise ValueError(f'activity_match must be one of {self.MATCHES}, '
                             f'got {activity_match!r}')
        if landmarks_order not in self.ORDERS:
            raise ValueError(f'landmarks_order must be one of {self.ORDERS}, '
                             f'got {landmarks_order!r}')
        if frame_step < 1 or image_size < 1:
            raise ValueError('frame_step and image_size must be >= 1, got '
                             f'{frame_step} and {image_size}')
        if not subjects:
            raise ValueError('subjects must name at least one subject')
        if kwargs.get('ann_file'):
            raise ValueError('SimplifiedHuman36MDataset reads the folder '
                             f'tree, not an ann_file; got '
                             f'{kwargs["ann_file"]!r}')
        self.subjects = tuple(subjects)
        self.activities = None if activities is None else tuple(
            a.lower() for a in activities)
        self.activity_match = activity_match
        self.landmarks_order = landmarks_order
        self.keypoint_indices = None if keypoint_indices is None else tuple(
            int(i) for i in keypoint_indices)
        self.image_size = image_size
        self.frame_step = frame_step
        self.with_landmarks = with_landmarks
        if kwargs.get('metainfo') is None:
            kwargs['metainfo'] = human36m_metainfo(self.keypoint_indices)
        super().__init__(data_root=data_root, **kwargs)

    # ------------------------------------------------------------------
    def _keep(self, sequence: str) -> bool:
        if self.activities is None:
            return True
        if self.activity_match == 'prefix':
            return sequence.lower().startswith(self.activities)
        return sequence_activity(sequence).lower() in self.activities

    @staticmethod
    def _listdir(path: str, what: str) -> List[str]:
        if not osp.isdir(path):
            raise FileNotFoundError(f'{what} not found: {path}')
        return sorted(os.listdir(path))

    def _frames(self, folder: str) -> List[Tuple[int, str, str]]:
        """(frame number, file stem, file name) of the folder's frames, in
        frame order."""
        frames = []
        for name in self._listdir(folder, 'sequence folder'):
            stem, ext = osp.splitext(name)
            if ext.lower() != '.jpg':
                continue
            if not stem.isdigit():
                raise ValueError(f'{osp.join(folder, name)}: a frame must be '
                                 'named by its integer frame number')
            frames.append((int(stem), stem, name))
        return sorted(frames)

    def load_data_list(self) -> List[dict]:
        """Index the frames (every sample is kept: no filtering)."""
        bbox = np.array([[0, 0, self.image_size, self.image_size]],
                        dtype=np.float32)
        num_keypoints = len(self.metainfo['keypoint_id2name'])
        data_list = []
        for subject in self.subjects:
            root = osp.join(self.data_root, subject)
            sequences = [
                s for s in self._listdir(
                    osp.join(root, IMAGE_DIR), f'image folder of {subject}')
                if self._keep(s)
            ]
            for sequence in sequences:
                for folder in (MASK_DIR, LANDMARK_DIR):
                    path = osp.join(root, folder, sequence)
                    if not osp.isdir(path):
                        raise FileNotFoundError(
                            f'{folder} folder of sequence {subject}/'
                            f'{sequence} not found: {path}')
                frames = self._frames(osp.join(root, IMAGE_DIR, sequence))
                for frame, stem, name in frames[::self.frame_step]:
                    idx = len(data_list)
                    data_list.append(
                        dict(
                            id=idx,
                            img_id=idx,
                            img_path=osp.join(root, IMAGE_DIR, sequence,
                                              name),
                            mask_path=osp.join(root, MASK_DIR, sequence,
                                               f'{stem}.png'),
                            landmarks_path=osp.join(root, LANDMARK_DIR,
                                                    sequence, f'{stem}.mat'),
                            subject=subject,
                            sequence=sequence,
                            activity=sequence_activity(sequence),
                            clip_id=f'{subject}/{sequence}',
                            frame_id=frame,
                            bbox=bbox.copy(),
                            bbox_score=np.ones(1, dtype=np.float32),
                            num_keypoints=num_keypoints,
                            category_id=1,
                            iscrowd=0))
        if not data_list:
            raise ValueError(
                f'no Human3.6M frames under {self.data_root} for subjects '
                f'{self.subjects} and activities {self.activities}')
        return data_list

    def read_landmarks(self, data_info: dict) -> np.ndarray:
        """The sample's landmarks: ``[1, K, 2]`` ``(x, y)`` pixels."""
        points = read_h36m_landmarks(data_info['landmarks_path'],
                                     self.image_size, self.landmarks_order,
                                     len(H36M_JOINT_NAMES))
        if self.keypoint_indices is not None:
            points = points[list(self.keypoint_indices)]
        return points[None]

    @force_full_init
    def prepare_data(self, idx: int) -> Any:
        """Read the landmarks (if ``with_landmarks``), then run the
        pipeline (with mmpose's metainfo keys, as the base class)."""
        data_info: Dict = self.get_data_info(idx)
        if self.with_landmarks:
            keypoints = self.read_landmarks(data_info)
            data_info['keypoints'] = keypoints
            data_info['keypoints_visible'] = np.ones(keypoints.shape[:2],
                                                     np.float32)
        for key in ('upper_body_ids', 'lower_body_ids', 'flip_pairs',
                    'dataset_keypoint_weights', 'flip_indices'):
            data_info[key] = deepcopy(self._metainfo[key])
        return self.pipeline(data_info)
