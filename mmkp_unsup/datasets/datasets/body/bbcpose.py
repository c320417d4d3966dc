"""BBC Pose (docs/data_preparation_others.md, "BBCPose")."""
import os
import os.path as osp
from typing import Any, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import scipy.io

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

BBCPOSE_JOINT_NAMES = ('head', 'right_wrist', 'left_wrist', 'right_elbow',
                       'left_elbow', 'right_shoulder', 'left_shoulder')
BBCPOSE_TRAIN_VIDEOS = tuple(range(1, 11))
BBCPOSE_VAL_VIDEOS = tuple(range(11, 16))
BBCPOSE_TEST_VIDEOS = tuple(range(16, 21))
NUM_BBCPOSE_VIDEOS = 20  # the first 20 entries of bbcpose.mat

_C = dict(head=[255, 255, 255], left=[0, 255, 0], right=[255, 128, 0])


def _colour(name: str) -> list:
    return _C['left' if name.startswith('left') else
              'right' if name.startswith('right') else 'head']


BBCPOSE_METAINFO = dict(
    dataset_name='bbcpose',
    paper_info=dict(
        author='Charles, James and Pfister, Tomas and Everingham, Mark and '
        'Zisserman, Andrew',
        title='Automatic and Efficient Human Pose Estimation for Sign '
        'Language Videos',
        container='International Journal of Computer Vision',
        year='2014',
        homepage='https://www.robots.ox.ac.uk/~vgg/data/pose/'),
    keypoint_info={
        i: dict(
            name=name,
            id=i,
            color=_colour(name),
            type='upper',
            swap=(name.replace('right', 'left') if 'right' in name else
                  name.replace('left', 'right') if 'left' in name else ''))
        for i, name in enumerate(BBCPOSE_JOINT_NAMES)
    },
    skeleton_info={
        i: dict(link=link, id=i, color=_colour(link[1]))
        for i, link in enumerate([
            ('right_wrist', 'right_elbow'), ('right_elbow', 'right_shoulder'),
            ('left_wrist', 'left_elbow'), ('left_elbow', 'left_shoulder'),
            ('right_shoulder', 'left_shoulder'), ('head', 'right_shoulder'),
            ('head', 'left_shoulder')
        ])
    },
    joint_weights=[1.0] * 7,
    sigmas=[0.05] * 7)


def matlab_to_pixels(points: np.ndarray) -> np.ndarray:
    """1-based MATLAB pixel coordinates to mmpose's 0-based pixels.

    The centre of the top-left pixel is ``(1, 1)`` in MATLAB and
    ``(0, 0)`` in mmpose, so both coordinates lose 1.
    """
    return np.asarray(points, dtype=np.float32) - 1.0


def load_bbcpose_annotations(path: str) -> List[Any]:
    """The ``bbcpose`` struct array of ``bbcpose.mat``, one entry a video.

    Args:
        path (str): The ``.mat`` file.

    Returns:
        list: ``scipy.io.matlab.mat_struct`` entries with the fields
        ``videoName``, ``type``, ``train_frames``, ``train_joints``,
        ``test_frames``, ``test_joints``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'BBCPose annotation file not found: {path}')
    try:
        mat = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    except Exception as error:
        raise ValueError(f'cannot read the BBCPose annotation file {path}: '
                         f'{error}') from error
    if 'bbcpose' not in mat:
        raise ValueError(f'{path} has no variable "bbcpose" (variables: '
                         f'{sorted(k for k in mat if not k.startswith("__"))}'
                         ')')
    return list(np.atleast_1d(mat['bbcpose']))


@DATASETS.register_module()
class BBCPoseDataset(BaseCocoStyleDataset):
    """Frames of BBC Pose with their 7 upper-body joints.

    Layout under ``data_root``::

        bbcpose_data_1.0/1/<frame>.jpg ... bbcpose_data_1.0/20/<frame>.jpg
        code/bbcpose.mat       variable ``bbcpose``: entry ``v - 1`` is
                               video ``v`` (1-based)

    For each video of ``videos``, the frames listed in
    ``<annotation>_frames`` are read with their joints
    ``<annotation>_joints`` (``2 x 7 x N``, rows x and y, 1-based MATLAB
    pixels; converted to 0-based ``(x, y)`` pixels by
    :func:`matlab_to_pixels`). ``annotation='train'`` reads the joints
    tracked over the training frames, ``'test'`` the manual ground truth
    of the validation and test videos. Non-finite joints are marked not
    visible; a frame without any finite joint is an error (its crop could
    not be placed).

    The crop (``bbox``, xyxy pixels of the original frame) is a
    ``crop_size`` square around the person, to be cut out and resized by
    mmpose's ``GetBBoxCenterScale`` + ``TopdownAffine``:

    - ``box_mode='frame'``: centred on the middle of the frame's visible
      joints (the public evaluation crop: 300 x 300 around the joints);
    - ``box_mode='video'``: centred on the median of those centres over the
      video's frames, i.e. one fixed crop per video: the two frames of a
      training pair then share their background and only the person moves
      (the BBC signer stays in place).

    With ``keep_crop_inside`` the square is shifted to lie inside the frame
    (the first frame of each video gives the frame size) where the frame is
    large enough, instead of being padded with black.

    Samples also carry ``video`` (1-20), ``video_name``, ``clip_id`` (the
    video) and ``frame_id`` (the frame number) for
    :class:`ClipFramePairSampler`, and ``annotated``.

    Args:
        data_root (str): Folder holding ``bbcpose_data_1.0`` and ``code``.
        ann_file (str): Annotation file, relative to ``data_root``.
            Defaults to ``'code/bbcpose.mat'``.
        data_prefix (dict): ``img``: image folder, relative to
            ``data_root``. Defaults to ``dict(img='bbcpose_data_1.0/')``.
        videos (Sequence[int]): Videos read (1-based). Defaults to the
            training videos 1-10.
        annotation (str): ``'train'`` or ``'test'``: which frame and joint
            fields to read. Defaults to ``'train'``.
        crop_size (float): Side of the crop in original pixels. Defaults
            to ``300``.
        box_mode (str): ``'video'`` or ``'frame'``, see above. Defaults to
            ``'video'``.
        keep_crop_inside (bool): Shift crops inside the frame. Defaults to
            ``True``.
        frame_step (int): Keep every ``frame_step``-th annotated frame of a
            video. Defaults to ``1``.
        include_unannotated (bool): Also read the frames of the video
            folders that have no annotation (``keypoints_visible`` all 0,
            ``annotated=False``; crop: the video's crop, or with
            ``box_mode='frame'`` the crop of the nearest annotated frame).
            Defaults to ``False``.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO: dict = BBCPOSE_METAINFO
    ANNOTATIONS = ('train', 'test')
    BOX_MODES = ('video', 'frame')

    def __init__(self,
                 data_root: str,
                 ann_file: str = 'code/bbcpose.mat',
                 data_prefix: dict = dict(img='bbcpose_data_1.0/'),
                 videos: Sequence[int] = BBCPOSE_TRAIN_VIDEOS,
                 annotation: str = 'train',
                 crop_size: float = 300.,
                 box_mode: str = 'video',
                 keep_crop_inside: bool = True,
                 frame_step: int = 1,
                 include_unannotated: bool = False,
                 **kwargs) -> None:
        if annotation not in self.ANNOTATIONS:
            raise ValueError(f'annotation must be one of {self.ANNOTATIONS}, '
                             f'got {annotation!r}')
        if box_mode not in self.BOX_MODES:
            raise ValueError(f'box_mode must be one of {self.BOX_MODES}, '
                             f'got {box_mode!r}')
        bad = [v for v in videos if not 1 <= int(v) <= NUM_BBCPOSE_VIDEOS]
        if not videos or bad:
            raise ValueError('videos must be BBC Pose videos in [1, '
                             f'{NUM_BBCPOSE_VIDEOS}], got {videos}')
        if crop_size <= 0 or frame_step < 1:
            raise ValueError('crop_size must be > 0 and frame_step >= 1, got '
                             f'{crop_size} and {frame_step}')
        self.videos = tuple(int(v) for v in videos)
        self.annotation = annotation
        self.crop_size = float(crop_size)
        self.box_mode = box_mode
        self.keep_crop_inside = keep_crop_inside
        self.frame_step = frame_step
        self.include_unannotated = include_unannotated
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    # ------------------------------------------------------------------
    def _field(self, entry: Any, video: int, name: str) -> Any:
        if not hasattr(entry, name):
            raise ValueError(f'{self.ann_file}: bbcpose({video}) (video '
                             f'{video}) has no field {name!r}')
        return getattr(entry, name)

    def _video_annotations(self, entry: Any,
                           video: int) -> Tuple[np.ndarray, np.ndarray]:
        """Frame numbers ``[N]`` and 0-based joints ``[N, 7, 2]``."""
        where = f'{self.ann_file}: bbcpose({video})'
        frames = np.atleast_1d(
            np.asarray(self._field(entry, video, f'{self.annotation}_frames'),
                       dtype=np.float64)).ravel()
        joints = np.asarray(
            self._field(entry, video, f'{self.annotation}_joints'),
            dtype=np.float64)
        if frames.size == 0:
            raise ValueError(f'{where}.{self.annotation}_frames is empty: '
                             f'video {video} has no {self.annotation!r} '
                             'annotation')
        if joints.ndim == 2 and frames.size == 1:
            joints = joints[..., None]  # squeezed by loadmat
        if joints.shape != (2, 7, frames.size):
            raise ValueError(
                f'{where}.{self.annotation}_joints has shape {joints.shape}, '
                f'expected (2, 7, {frames.size}) for its {frames.size} '
                'frames')
        if not np.all(np.isfinite(frames)) or np.any(
                frames != np.round(frames)) or np.any(frames < 0):
            bad = int(np.flatnonzero(~np.isfinite(frames) | (
                frames != np.round(frames)) | (frames < 0))[0])
            raise ValueError(f'{where}.{self.annotation}_frames({bad + 1}) '
                             f'= {frames[bad]} is not a frame number')
        return (frames.astype(np.int64),
                matlab_to_pixels(joints.transpose(2, 1, 0)))

    def _centre(self, joints: np.ndarray, video: int,
                frame: int) -> np.ndarray:
        visible = np.isfinite(joints).all(axis=1)
        if not visible.any():
            raise ValueError(f'{self.ann_file}: bbcpose({video}), frame '
                             f'{frame}: no finite joint to place the crop')
        points = joints[visible]
        return (points.min(axis=0) + points.max(axis=0)) / 2

    def _frame_size(self, folder: str, frame: int) -> Tuple[int, int]:
        path = osp.join(folder, f'{frame}.jpg')
        img = cv2.imread(path)
        if img is None:
            raise FileNotFoundError(
                f'cannot read frame {path} (its size places the crops of '
                'keep_crop_inside)')
        return img.shape[1], img.shape[0]

    def _box(self, centre: np.ndarray, size_wh: Optional[Tuple[int, int]]
             ) -> np.ndarray:
        centre = centre.astype(np.float64).copy()
        half = self.crop_size / 2
        if size_wh is not None:
            for axis, extent in enumerate(size_wh):
                if extent >= self.crop_size:
                    centre[axis] = np.clip(centre[axis], half, extent - half)
        return np.array([[
            centre[0] - half, centre[1] - half, centre[0] + half,
            centre[1] + half
        ]], dtype=np.float32)

    def _unannotated_frames(self, folder: str,
                            annotated: Sequence[int]) -> List[int]:
        if not osp.isdir(folder):
            raise FileNotFoundError(f'BBCPose video folder not found: '
                                    f'{folder}')
        known = set(int(f) for f in annotated)
        frames = []
        for name in os.listdir(folder):
            stem, ext = osp.splitext(name)
            if ext.lower() != '.jpg':
                continue
            if not stem.isdigit():
                raise ValueError(f'{osp.join(folder, name)}: a BBCPose frame '
                                 'must be named by its frame number')
            if int(stem) not in known:
                frames.append(int(stem))
        return sorted(frames)

    def load_data_list(self) -> List[dict]:
        """Read ``bbcpose.mat`` (every listed frame is kept)."""
        entries = load_bbcpose_annotations(self.ann_file)
        if len(entries) < max(self.videos):
            raise ValueError(f'{self.ann_file}: bbcpose has {len(entries)} '
                             f'entries, video {max(self.videos)} was asked')
        data_list = []
        for video in self.videos:
            entry = entries[video - 1]
            folder = osp.join(self.data_prefix['img'], str(video))
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f'BBCPose video folder not found: {folder}')
            frames, joints = self._video_annotations(entry, video)
            order = np.argsort(frames, kind='stable')
            frames, joints = frames[order], joints[order]
            frames, joints = (frames[::self.frame_step],
                              joints[::self.frame_step])
            centres = np.stack([
                self._centre(j, video, f) for f, j in zip(frames, joints)
            ])
            size_wh = self._frame_size(folder, int(frames[0])) \
                if self.keep_crop_inside else None
            video_centre = np.median(centres, axis=0)
            samples = [(int(f), j, c, True)
                       for f, j, c in zip(frames, joints, centres)]
            if self.include_unannotated:
                empty = np.zeros((7, 2), np.float32)
                for frame in self._unannotated_frames(folder, frames):
                    nearest = int(np.argmin(np.abs(frames - frame)))
                    samples.append(
                        (frame, empty, centres[nearest], False))
                samples.sort(key=lambda s: s[0])
            name = str(self._field(entry, video, 'videoName'))
            for frame, points, centre, annotated in samples:
                visible = np.isfinite(points).all(axis=1) & annotated
                points = np.where(visible[:, None], points, 0)
                box_centre = video_centre if self.box_mode == 'video' \
                    else centre
                idx = len(data_list)
                data_list.append(
                    dict(
                        id=idx,
                        img_id=idx,
                        img_path=osp.join(folder, f'{frame}.jpg'),
                        video=video,
                        video_name=name,
                        clip_id=video,
                        frame_id=frame,
                        annotated=annotated,
                        bbox=self._box(box_centre, size_wh),
                        bbox_score=np.ones(1, dtype=np.float32),
                        keypoints=points[None].astype(np.float32),
                        keypoints_visible=visible[None].astype(np.float32),
                        num_keypoints=int(visible.sum()),
                        category_id=1,
                        iscrowd=0))
        return data_list
