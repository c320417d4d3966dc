"""A third built-in family: four-legged animals walking over photographs.

Held out like the creatures, and of another kind (a side view of a walking
animal with four two-segment legs): used to check that defaults chosen on
the faces hold on other data, never to choose them
(docs/synthetic_data.md).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmpose.registry import DATASETS
from .photo_canvas import load_photos, render_background
from .procedural_dataset import ProceduralClipDataset
from .quadruped_renderer import (DRIFT_STEP, GAIT_STEP, LENGTH_RANGE,
                                 QUADRUPED_LANDMARK_NAMES, SCALE_STEP,
                                 QuadrupedIdentity, QuadrupedPose,
                                 quadruped_bbox, quadruped_landmarks,
                                 render_quadruped, sample_quadruped_identity,
                                 sample_quadruped_motion,
                                 sample_quadruped_pose)

_COLOURS = ([255, 0, 0], [255, 128, 0], [0, 255, 0], [0, 255, 255],
            [0, 0, 255], [255, 0, 255], [255, 255, 0])
_WHITE = [255, 255, 255]

SYNTHETIC_QUADRUPEDS_METAINFO = dict(
    dataset_name='synthetic_quadrupeds',
    paper_info=dict(
        author='mmkp_unsup',
        title='Procedural four-legged animals walking over photographs '
        '(built-in held-out family)',
        container='mmkp_unsup',
        year='2026',
        homepage=''),
    keypoint_info={
        i: dict(name=name, id=i, color=_COLOURS[i], type='', swap='')
        for i, name in enumerate(QUADRUPED_LANDMARK_NAMES)
    },
    skeleton_info={
        i: dict(link=link, id=i, color=_WHITE)
        for i, link in enumerate((('nose_tip', 'ear_tip'),
                                  ('ear_tip', 'withers'), ('withers', 'hip'),
                                  ('hip', 'tail_tip'), ('withers',
                                                        'front_foot'),
                                  ('hip', 'back_foot')))
    },
    joint_weights=[1.0] * len(QUADRUPED_LANDMARK_NAMES),
    sigmas=[0.025] * len(QUADRUPED_LANDMARK_NAMES))


@DATASETS.register_module()
class SyntheticQuadrupedDataset(ProceduralClipDataset):
    """Four-legged animals walking over real photographs, drawn on the fly.

    Each clip is one animal (proportions, gait, colours and coat style, a
    crop of a photograph as background) seen from the side in
    ``frames_per_clip`` frames in which it walks forward
    (:func:`sample_quadruped_motion`: the legs swing in a four-beat walk,
    the head nods, the tail swings); with ``frames_per_clip=1`` each sample
    is an independent pose (:func:`sample_quadruped_pose`). Every clip has
    its own random generator (``default_rng([seed, clip_id])``), so clip
    ``i`` is the same whatever ``num_clips`` is, and
    ``tools/misc/make_synthetic_objects.py --family quadrupeds`` writes the
    same images to disk.

    Samples carry the fields of mmpose's COCO-style datasets, like
    :class:`SyntheticObjectDataset`: ``img`` (BGR ``uint8``, drawn in
    :meth:`prepare_data`), ``keypoints`` ``[1, 7, 2]`` (``(x, y)`` pixels:
    nose tip, ear tip, withers, hip, tail tip, near front foot, near hind
    foot), ``keypoints_visible`` ``[1, 7]``, ``bbox`` ``[1, 4]`` (the
    animal's box, xyxy, clipped to the image), ``clip_id`` and
    ``frame_id``. The NME normalises by the withers-to-hip distance (the
    rigid torso): ``norm_indices=(2, 3)``.

    Args:
        num_clips (int): Number of animals. Defaults to ``1000``.
        frames_per_clip (int): Frames per animal. Defaults to ``1``.
        image_size (int): Side of the square images. Defaults to ``32``.
        seed (int): Seed of every random choice. Defaults to ``0``.
        length_range (Sequence[float]): Torso length (withers to hip) as a
            fraction of the image. Defaults to ``(0.22, 0.32)``.
        motion (dict, optional): Step sizes for
            :func:`sample_quadruped_motion` (``gait_step``, ``scale_step``,
            ``drift_step``). Defaults to its defaults.
        background_paths (Sequence[str], optional): Photographs to crop
            backgrounds from. Defaults to scikit-learn's ``china.jpg`` and
            ``flower.jpg`` and matplotlib's ``grace_hopper.jpg``.
        cache_images (bool): Keep drawn images in memory. Defaults to
            ``False``.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    METAINFO: dict = SYNTHETIC_QUADRUPEDS_METAINFO
    FAMILY = 'synthetic_quadrupeds'
    MOTION_KEYS = ('gait_step', 'scale_step', 'drift_step')

    def __init__(self,
                 num_clips: int = 1000,
                 frames_per_clip: int = 1,
                 image_size: int = 32,
                 seed: int = 0,
                 length_range: Sequence[float] = LENGTH_RANGE,
                 motion: Optional[dict] = None,
                 background_paths: Optional[Sequence[str]] = None,
                 cache_images: bool = False,
                 **kwargs) -> None:
        motion = dict(motion or {})
        unknown = set(motion) - set(self.MOTION_KEYS)
        if unknown:
            raise ValueError(f'unknown motion keys {sorted(unknown)}; '
                             f'expected some of {self.MOTION_KEYS}')
        self.length_range = tuple(length_range)
        self.motion = dict(
            dict(
                gait_step=GAIT_STEP,
                scale_step=SCALE_STEP,
                drift_step=DRIFT_STEP), **motion)
        self.background_paths = background_paths
        self.photos = load_photos(background_paths)
        super().__init__(num_clips, frames_per_clip, image_size, seed,
                         'length_range', length_range, cache_images,
                         **kwargs)

    def sample_clip(self, clip_id: int
                    ) -> Tuple[QuadrupedIdentity, List[QuadrupedPose]]:
        """The animal and poses of one clip (its own generator)."""
        rng = np.random.default_rng([self.seed, clip_id])
        identity = sample_quadruped_identity(rng, len(self.photos))
        if self.frames_per_clip == 1:
            poses = [sample_quadruped_pose(rng, identity, self.length_range)]
        else:
            poses = sample_quadruped_motion(rng, identity,
                                            self.frames_per_clip,
                                            self.length_range, **self.motion)
        return identity, poses

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Draw every animal and pose (images are drawn on access)."""
        instances = []
        for clip_id in range(self.num_clips):
            identity, poses = self.sample_clip(clip_id)
            for frame_id, pose in enumerate(poses):
                instances.append(
                    self._instance(len(instances), clip_id, frame_id,
                                   identity, pose))
        return instances, []

    def _instance(self, idx: int, clip_id: int, frame_id: int,
                  identity: QuadrupedIdentity, pose: QuadrupedPose) -> dict:
        keypoints = quadruped_landmarks(identity, pose, self.image_size)[None]
        bbox = quadruped_bbox(identity, pose, self.image_size)[None]
        return dict(
            self._coco_fields(idx, clip_id, frame_id, keypoints, bbox),
            quadruped_identity=vars(identity).copy(),
            quadruped_pose=vars(pose).copy())

    def draw(self, data_info: dict) -> np.ndarray:
        """Draw the image of a sample: BGR ``uint8`` ``[S, S, 3]``."""
        identity = QuadrupedIdentity(**data_info['quadruped_identity'])
        background = render_background(identity, self.photos,
                                       self.image_size)
        image, _ = render_quadruped(
            identity, QuadrupedPose(**data_info['quadruped_pose']),
            self.image_size, background)
        return image
