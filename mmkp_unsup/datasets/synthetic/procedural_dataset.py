"""What the built-in procedural families share: clips drawn from a seed."""
from abc import ABCMeta, abstractmethod
from typing import Any, List, Sequence

import numpy as np
from mmengine.dataset import force_full_init

from mmpose.datasets.datasets.base import BaseCocoStyleDataset


class ProceduralClipDataset(BaseCocoStyleDataset, metaclass=ABCMeta):
    """Base of the built-in datasets drawn on the fly from a seed.

    A subclass describes ``num_clips`` clips of ``frames_per_clip`` frames in
    ``_load_annotations`` (annotations only, cheap) and draws a sample's
    image in :meth:`draw`; this class checks the common arguments, builds
    the COCO-style fields of mmpose's datasets, checks that every sample was
    kept and draws (and optionally caches) images in :meth:`prepare_data`.

    Args:
        num_clips (int): Number of clips (identities).
        frames_per_clip (int): Frames (poses) per clip.
        image_size (int): Side of the square images.
        seed (int): Seed of every random choice.
        size_range_name (str): Name of the subclass's size argument, for
            error messages.
        size_range (Sequence[float]): That argument: ``(min, max)``.
        cache_images (bool): Keep every drawn image in memory.
        **kwargs: Other arguments of mmengine's ``BaseDataset``.
    """

    #: what the samples are, for messages and ``img_path``
    FAMILY: str = 'procedural'

    def __init__(self, num_clips: int, frames_per_clip: int,
                 image_size: int, seed: int, size_range_name: str,
                 size_range: Sequence[float], cache_images: bool,
                 **kwargs) -> None:
        if num_clips < 1 or frames_per_clip < 1:
            raise ValueError('num_clips and frames_per_clip must be >= 1, '
                             f'got {num_clips} and {frames_per_clip}')
        if image_size < 8:
            raise ValueError(f'image_size must be >= 8, got {image_size}')
        if len(size_range) != 2 or not 0 < size_range[0] <= size_range[1]:
            raise ValueError(f'{size_range_name} must be (min, max) with '
                             f'0 < min <= max, got {size_range}')
        for key in ('ann_file', 'data_root', 'bbox_file'):
            if kwargs.get(key):
                raise ValueError(f'{type(self).__name__} reads no files; '
                                 f'got {key}={kwargs[key]!r}')
        self.num_clips = num_clips
        self.frames_per_clip = frames_per_clip
        self.image_size = image_size
        self.seed = seed
        self.cache_images = cache_images
        self._image_cache = {}
        super().__init__(**kwargs)

    def _coco_fields(self, idx: int, clip_id: int, frame_id: int,
                     keypoints: np.ndarray, bbox: np.ndarray) -> dict:
        """The fields of an mmpose COCO-style sample.

        Args:
            idx (int): Sample index (also its image id).
            clip_id (int): Clip of the sample.
            frame_id (int): Frame within the clip.
            keypoints (np.ndarray): ``[1, N, 2]`` landmarks in pixels.
            bbox (np.ndarray): ``[1, 4]`` box, xyxy.

        Returns:
            dict: ``id``, ``img_id``, ``img_path``, ``clip_id``,
            ``frame_id``, ``bbox``, ``bbox_score``, ``num_keypoints``,
            ``keypoints``, ``keypoints_visible``, ``iscrowd`` and
            ``category_id``.
        """
        return dict(
            id=idx,
            img_id=idx,
            img_path=f'{self.FAMILY}/seed{self.seed}/{idx:07d}.png',
            clip_id=clip_id,
            frame_id=frame_id,
            bbox=bbox,
            bbox_score=np.ones(1, dtype=np.float32),
            num_keypoints=keypoints.shape[1],
            keypoints=keypoints,
            keypoints_visible=np.ones(keypoints.shape[:2], np.float32),
            iscrowd=0,
            category_id=1)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        expected = self.num_clips * self.frames_per_clip
        if len(data_list) != expected:
            raise RuntimeError(f'{len(data_list)} of {expected} {self.FAMILY}'
                               ' samples were kept by the annotation filter')
        return data_list

    @abstractmethod
    def draw(self, data_info: dict) -> np.ndarray:
        """Draw the image of a sample: BGR ``uint8`` ``[S, S, 3]``."""

    @force_full_init
    def prepare_data(self, idx: int) -> Any:
        """Draw the sample's image into ``img``, then run the pipeline.

        :meth:`get_data_info` stays cheap (annotations only, like a file
        dataset before ``LoadImage``); the image is drawn here.
        """
        data_info = self.get_data_info(idx)
        image = self._image_cache.get(idx)
        if image is None:
            image = self.draw(data_info)
            if self.cache_images:
                self._image_cache[idx] = image
        # a copy: transforms may change the image in place
        data_info['img'] = image.copy() if self.cache_images else image
        data_info['dataset'] = self
        return self.pipeline(data_info)
