"""The built-in dataset: procedurally drawn faces with five landmarks."""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmpose.registry import DATASETS
from .face_renderer import (MAX_ANGLE, MAX_SHIFT, SCALE_RANGE, FaceIdentity,
                            FacePose, face_landmarks, render_face,
                            sample_identity, sample_jittered_poses,
                            sample_motion, sample_pose)
from .procedural_dataset import ProceduralClipDataset

_COLOURS = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0],
            [255, 0, 255])

SYNTHETIC_FACES_METAINFO = dict(
    dataset_name='synthetic_faces',
    paper_info=dict(
        author='mmkp_unsup',
        title='Procedural cartoon faces (built-in dataset)',
        container='mmkp_unsup',
        year='2026',
        homepage=''),
    keypoint_info={
        0: dict(name='left_eye', id=0, color=_COLOURS[0], type='upper',
                swap='right_eye'),
        1: dict(name='right_eye', id=1, color=_COLOURS[1], type='upper',
                swap='left_eye'),
        2: dict(name='nose', id=2, color=_COLOURS[2], type='upper', swap=''),
        3: dict(name='left_mouth', id=3, color=_COLOURS[3], type='lower',
                swap='right_mouth'),
        4: dict(name='right_mouth', id=4, color=_COLOURS[4], type='lower',
                swap='left_mouth'),
    },
    skeleton_info={
        0: dict(link=('left_eye', 'right_eye'), id=0, color=[255, 255, 255]),
        1: dict(link=('left_mouth', 'right_mouth'), id=1,
                color=[255, 255, 255]),
    },
    joint_weights=[1.0] * 5,
    sigmas=[0.025] * 5)  # yapf: disable


@DATASETS.register_module()
class SyntheticFaceDataset(ProceduralClipDataset):
    """Cartoon faces drawn on the fly, deterministic from a seed.

    Each face has an identity (background, skin, hair, eye, nose and mouth
    colours, dark pupils and lip gap; face aspect, hairline and feature
    placement) and a pose (rotation, scale, translation). The dataset
    holds ``num_clips`` identities, each drawn in ``frames_per_clip``
    poses, like the frames of a video (poses drawn independently, or
    related as set by ``motion``): a pair sampler
    (:class:`FramePairDataset`) can pair two poses of one face. With
    ``frames_per_clip=1`` every sample is a different face (for
    static-image pairs such as :class:`TPSPairWarp`).

    Samples carry the fields of mmpose's face datasets: ``img`` (BGR
    ``uint8``, drawn in :meth:`prepare_data`), ``keypoints`` ``[1, 5, 2]``
    (left eye, right eye, nose, left and right mouth corners, as MAFL),
    ``keypoints_visible`` ``[1, 5]``, ``bbox`` ``[1, 4]`` (the face's
    bounding box, xyxy, clipped to the image), plus ``clip_id`` and
    ``frame_id``.

    Args:
        num_clips (int): Number of face identities. Defaults to ``1000``.
        frames_per_clip (int): Poses per identity. Defaults to ``1``.
        image_size (int): Side of the square images. Defaults to ``32``.
        seed (int): Seed of every random choice; different seeds give
            disjoint-looking datasets. Defaults to ``0``.
        max_angle (float): Rotation range in degrees. Defaults to ``30``.
        scale_range (Sequence[float]): Face half-height range as a
            fraction of the image. Defaults to ``(0.36, 0.5)``.
        max_shift (float): Centre offset range as a fraction of the image.
            Defaults to ``0.14``.
        motion (dict, optional): How the poses of a clip's frames relate.
            ``None`` (the default) draws every frame's pose independently
            in the whole range. ``type='steady'`` (the default type): a
            constant motion, with the largest change per frame
            ``angle_step`` (degrees), ``scale_step`` (relative),
            ``shift_step`` (fraction of the image), see
            :func:`sample_motion`. ``type='jitter'``: frames scattered
            around a central pose by up to ``angle_jitter`` (degrees),
            ``scale_jitter`` and ``shift_jitter`` (fractions of the image),
            see :func:`sample_jittered_poses`.
        cache_images (bool): Keep every drawn image in memory (``image_size
            ** 2 * 3`` bytes per sample and data-loading process) so that
            later epochs do not draw it again. Defaults to ``False``.
        **kwargs: Other arguments of mmengine's ``BaseDataset``
            (``pipeline``, ``test_mode``, ``indices``...).
    """

    METAINFO: dict = SYNTHETIC_FACES_METAINFO
    FAMILY = 'synthetic_faces'
    MOTION_KEYS = dict(
        steady=('angle_step', 'scale_step', 'shift_step'),
        jitter=('angle_jitter', 'scale_jitter', 'shift_jitter'))
    MOTION_SAMPLERS = dict(steady=sample_motion, jitter=sample_jittered_poses)

    def __init__(self,
                 num_clips: int = 1000,
                 frames_per_clip: int = 1,
                 image_size: int = 32,
                 seed: int = 0,
                 max_angle: float = MAX_ANGLE,
                 scale_range: Sequence[float] = SCALE_RANGE,
                 max_shift: float = MAX_SHIFT,
                 motion: Optional[dict] = None,
                 cache_images: bool = False,
                 **kwargs) -> None:
        self.pose_range = dict(
            max_angle=max_angle,
            scale_range=tuple(scale_range),
            max_shift=max_shift)
        self.motion = motion
        self.motion_type = None
        self.motion_args = {}
        if motion is not None:
            self.motion_args = {k: v for k, v in motion.items() if k != 'type'}
            self.motion_type = motion.get('type', 'steady')
            if self.motion_type not in self.MOTION_KEYS:
                raise ValueError(f'unknown motion type {self.motion_type!r}; '
                                 f'expected one of {sorted(self.MOTION_KEYS)}')
            allowed = self.MOTION_KEYS[self.motion_type]
            if not set(self.motion_args) <= set(allowed):
                raise ValueError(
                    f'unknown keys for {self.motion_type!r} motion: '
                    f'{sorted(set(self.motion_args) - set(allowed))}; '
                    f'expected some of {allowed}')
        super().__init__(num_clips, frames_per_clip, image_size, seed,
                         'scale_range', scale_range, cache_images, **kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Draw every identity and pose (images are drawn on access)."""
        rng = np.random.default_rng(self.seed)
        instances = []
        for clip_id in range(self.num_clips):
            identity = sample_identity(rng)
            if self.motion_type is None:
                poses = [
                    sample_pose(rng, **self.pose_range)
                    for _ in range(self.frames_per_clip)
                ]
            else:
                poses = self.MOTION_SAMPLERS[self.motion_type](
                    rng, self.frames_per_clip, **self.pose_range,
                    **self.motion_args)
            for frame_id, pose in enumerate(poses):
                idx = len(instances)
                landmarks = face_landmarks(identity, pose, self.image_size)
                instances.append(
                    self._instance(idx, clip_id, frame_id, identity, pose,
                                   landmarks))
        return instances, []

    def _instance(self, idx: int, clip_id: int, frame_id: int,
                  identity: FaceIdentity, pose: FacePose,
                  landmarks: np.ndarray) -> dict:
        keypoints = landmarks[None]
        radius = pose.scale * self.image_size  # half-height of the face
        cx = pose.center_x * self.image_size
        cy = pose.center_y * self.image_size
        bbox = np.array([[cx - radius, cy - radius, cx + radius,
                          cy + radius]], dtype=np.float32) - 0.5
        # clipped to the image, as mmpose's COCO-style datasets do
        bbox = np.clip(bbox, 0, self.image_size)
        return dict(
            self._coco_fields(idx, clip_id, frame_id, keypoints, bbox),
            face_identity=vars(identity).copy(),
            face_pose=vars(pose).copy())

    def draw(self, data_info: dict) -> np.ndarray:
        """Draw the image of a sample: BGR ``uint8`` ``[S, S, 3]``."""
        image, _ = render_face(
            FaceIdentity(**data_info['face_identity']),
            FacePose(**data_info['face_pose']), self.image_size)
        return image
