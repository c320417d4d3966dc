"""A second built-in family: articulated creatures over real photographs.

Kept apart from the faces on purpose: it is used to check that defaults
chosen on the faces hold on data of another kind (docs/synthetic_data.md).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmpose.registry import DATASETS
from .object_renderer import (LENGTH_RANGE, MAX_HEADING, MAX_SHIFT,
                              OBJECT_LANDMARK_NAMES, ObjectIdentity,
                              ObjectPose, load_photos, object_bbox,
                              object_landmarks, render_background,
                              render_object, sample_object_identity,
                              sample_object_motion, sample_object_pose)
from .procedural_dataset import ProceduralClipDataset

_COLOURS = ([255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0],
            [255, 0, 255])

SYNTHETIC_OBJECTS_METAINFO = dict(
    dataset_name='synthetic_objects',
    paper_info=dict(
        author='mmkp_unsup',
        title='Procedural articulated creatures over photographs '
        '(built-in held-out family)',
        container='mmkp_unsup',
        year='2026',
        homepage=''),
    keypoint_info={
        i: dict(name=name, id=i, color=_COLOURS[i], type='', swap='')
        for i, name in enumerate(OBJECT_LANDMARK_NAMES)
    },
    skeleton_info={
        0: dict(link=('head_tip', 'neck'), id=0, color=[255, 255, 255]),
        1: dict(link=('neck', 'hip'), id=1, color=[255, 255, 255]),
        2: dict(link=('hip', 'tail_tip'), id=2, color=[255, 255, 255]),
        3: dict(link=('neck', 'front_leg_tip'), id=3, color=[255, 255, 255]),
    },
    joint_weights=[1.0] * 5,
    sigmas=[0.025] * 5)


@DATASETS.register_module()
class SyntheticObjectDataset(ProceduralClipDataset):
    """Articulated creatures over real photographs, drawn on the fly.

    Each clip is one creature (shape, colours, stripes or spots, a crop of
    a photograph as background) seen in ``frames_per_clip`` frames in
    which it moves and bends (:func:`sample_object_motion`); with
    ``frames_per_clip=1`` each sample is an independent pose
    (:func:`sample_object_pose`). Every clip has its own random generator
    (``default_rng([seed, clip_id])``), so clip ``i`` is the same whatever
    ``num_clips`` is, and ``tools/misc/make_synthetic_objects.py`` writes
    the same images to disk.

    Samples carry the fields of mmpose's COCO-style datasets, like
    :class:`SyntheticFaceDataset`: ``img`` (BGR ``uint8``, drawn in
    :meth:`prepare_data`), ``keypoints`` ``[1, 5, 2]`` (``(x, y)``
    pixels: head tip, tail tip, neck, hip, front leg tip),
    ``keypoints_visible`` ``[1, 5]``, ``bbox`` ``[1, 4]`` (the creature's
    box, xyxy, clipped to the image), ``clip_id`` and ``frame_id``. The
    NME normalises by the head-to-tail distance: ``norm_indices=(0, 1)``.

    Args:
        num_clips (int): Number of creatures. Defaults to ``1000``.
        frames_per_clip (int): Frames per creature. Defaults to ``1``.
        image_size (int): Side of the square images. Defaults to ``32``.
        seed (int): Seed of every random choice. Defaults to ``0``.
        max_heading (float): Heading range in degrees either side of facing
            right. Defaults to ``50``.
        length_range (Sequence[float]): Head-to-tail length (straight) as
            a fraction of the image. Defaults to ``(0.5, 0.75)``.
        max_shift (float): Centre offset range as a fraction of the image.
            Defaults to ``0.1``.
        motion (dict, optional): Step sizes for
            :func:`sample_object_motion` (``heading_step``,
            ``shift_step``, ``scale_step``, ``bend_step``). Defaults to
            its defaults.
        background_paths (Sequence[str], optional): Photographs to crop
            backgrounds from. Defaults to scikit-learn's ``china.jpg`` and
            ``flower.jpg`` and matplotlib's ``grace_hopper.jpg``.
        cache_images (bool): Keep drawn images in memory. Defaults to
            ``False``.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = SYNTHETIC_OBJECTS_METAINFO
    FAMILY = 'synthetic_objects'
    MOTION_KEYS = ('heading_step', 'shift_step', 'scale_step', 'bend_step')

    def __init__(self,
                 num_clips: int = 1000,
                 frames_per_clip: int = 1,
                 image_size: int = 32,
                 seed: int = 0,
                 max_heading: float = MAX_HEADING,
                 length_range: Sequence[float] = LENGTH_RANGE,
                 max_shift: float = MAX_SHIFT,
                 motion: Optional[dict] = None,
                 background_paths: Optional[Sequence[str]] = None,
                 cache_images: bool = False,
                 **kwargs) -> None:
        motion = dict(motion or {})
        unknown = set(motion) - set(self.MOTION_KEYS)
        if unknown:
            raise ValueError(f'unknown motion keys {sorted(unknown)}; '
                             f'expected some of {self.MOTION_KEYS}')
        self.pose_range = dict(
            max_heading=max_heading,
            length_range=tuple(length_range),
            max_shift=max_shift)
        self.motion = motion
        self.background_paths = background_paths
        self.photos = load_photos(background_paths)
        super().__init__(num_clips, frames_per_clip, image_size, seed,
                         'length_range', length_range, cache_images,
                         **kwargs)

    def sample_clip(self, clip_id: int
                    ) -> Tuple[ObjectIdentity, List[ObjectPose]]:
        """The creature and poses of one clip (its own generator)."""
        rng = np.random.default_rng([self.seed, clip_id])
        identity = sample_object_identity(rng, len(self.photos))
        if self.frames_per_clip == 1:
            poses = [sample_object_pose(rng, **self.pose_range)]
        else:
            poses = sample_object_motion(rng, self.frames_per_clip,
                                         **self.pose_range, **self.motion)
        return identity, poses

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Draw every creature and pose (images are drawn on access)."""
        instances = []
        for clip_id in range(self.num_clips):
            identity, poses = self.sample_clip(clip_id)
            for frame_id, pose in enumerate(poses):
                instances.append(
                    self._instance(len(instances), clip_id, frame_id,
                                   identity, pose))
        return instances, []

    def _instance(self, idx: int, clip_id: int, frame_id: int,
                  identity: ObjectIdentity, pose: ObjectPose) -> dict:
        keypoints = object_landmarks(identity, pose, self.image_size)[None]
        bbox = object_bbox(identity, pose, self.image_size)[None]
        return dict(
            self._coco_fields(idx, clip_id, frame_id, keypoints, bbox),
            object_identity=vars(identity).copy(),
            object_pose=vars(pose).copy())

    def draw(self, data_info: dict) -> np.ndarray:
        """Draw the image of a sample: BGR ``uint8`` ``[S, S, 3]``."""
        identity = ObjectIdentity(**data_info['object_identity'])
        background = render_background(identity, self.photos,
                                       self.image_size)
        image, _ = render_object(identity,
                                 ObjectPose(**data_info['object_pose']),
                                 self.image_size, background)
        return image
