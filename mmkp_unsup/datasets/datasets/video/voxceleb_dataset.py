"""VoxCeleb1 face frames and VoxCeleb2 face videos
(docs/data_preparation_faces.md, "VoxCeleb")."""
import os
import os.path as osp
from typing import List, Sequence, Tuple, Union

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS
from ..utils import check_dir, natural_key, read_lines
from .clip_folder_dataset import keypoint_metainfo


def _sorted_dirs(path: str) -> List[str]:
    return sorted((e.name for e in os.scandir(path) if e.is_dir()),
                  key=natural_key)


def _sorted_files(path: str, extensions: Tuple[str, ...]) -> List[str]:
    return sorted((e.name for e in os.scandir(path)
                   if e.is_file() and e.name.lower().endswith(extensions)),
                  key=natural_key)


class _IdentityListMixin:
    """Choose identities: all, a list, or a text file with one per line."""

    def _identities(self, root: str, identities: Union[None, str,
                                                       Sequence[str]]
                    ) -> List[str]:
        found = _sorted_dirs(root)
        if identities is None:
            chosen = found
        else:
            if isinstance(identities, str):
                path = identities if osp.isabs(identities) else osp.join(
                    self.data_root or '', identities)
                identities = [
                    line for _, line in read_lines(path, 'identity list')
                ]
            missing = sorted(set(identities) - set(found))
            if missing:
                raise FileNotFoundError(
                    f'identities not found under {root}: {missing[:5]}'
                    f'{" ..." if len(missing) > 5 else ""}')
            chosen = [i for i in found if i in set(identities)]
        if not chosen:
            raise FileNotFoundError(f'no identity folders under {root}')
        return chosen


@DATASETS.register_module()
class VoxCeleb1FramesDataset(_IdentityListMixin, BaseCocoStyleDataset):
    """VoxCeleb1's released face frames, one sample per frame.

    Layout under ``data_root`` (the "unzippedIntervalFaces" archive)::

        unzippedIntervalFaces/data/<Name>/1.6/<youtube_id>/<clip>/<frame>.jpg

    A clip is ``<Name>/<youtube_id>/<clip>``; frames are ordered by name.
    Samples carry ``img_path``, ``clip_id``, ``frame_id`` and the whole
    image as ``bbox``; there are no landmarks. The frames are already face
    crops; the paper's crop, size and frame gap are not published: the
    configs resize the whole frame to 128x128 and pair any two frames of a
    clip (see configs/_base_/datasets/voxceleb.py).

    Args:
        identities (str | Sequence[str], optional): Names to use (a list,
            or a text file relative to ``data_root`` with one per line);
            ``None`` for every folder. Defaults to ``None``.
        frames_folder (str): Frames root relative to ``data_root``.
            Defaults to ``'unzippedIntervalFaces/data'``.
        scale_folder (str): The crop-scale folder of the release. Defaults
            to ``'1.6'``.
        min_frames (int): Clips with fewer frames are an error (pairs need
            two). Defaults to ``2``.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO: dict = keypoint_metainfo([], 'voxceleb1')
    EXTENSIONS = ('.jpg', '.jpeg', '.png')

    def __init__(self,
                 identities: Union[None, str, Sequence[str]] = None,
                 frames_folder: str = 'unzippedIntervalFaces/data',
                 scale_folder: str = '1.6',
                 min_frames: int = 2,
                 **kwargs) -> None:
        self.identities = identities
        self.frames_folder = frames_folder
        self.scale_folder = scale_folder
        self.min_frames = min_frames
        super().__init__(**kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        root = check_dir(
            osp.join(self.data_root or '', self.frames_folder),
            'VoxCeleb1 frame folder')
        instances = []
        for name in self._identities(root, self.identities):
            scale_dir = check_dir(
                osp.join(root, name, self.scale_folder),
                f'crop-scale folder of {name}')
            for video in _sorted_dirs(scale_dir):
                for clip in _sorted_dirs(osp.join(scale_dir, video)):
                    clip_dir = osp.join(scale_dir, video, clip)
                    frames = _sorted_files(clip_dir, self.EXTENSIONS)
                    if len(frames) < self.min_frames:
                        raise ValueError(
                            f'{clip_dir}: {len(frames)} frame(s), fewer than '
                            f'min_frames={self.min_frames}')
                    for frame_id, frame in enumerate(frames):
                        idx = len(instances)
                        instances.append(
                            dict(
                                id=idx,
                                img_id=idx,
                                img_path=osp.join(clip_dir, frame),
                                clip_id=f'{name}/{video}/{clip}',
                                frame_id=frame_id,
                                iscrowd=0,
                                category_id=1))
        if not instances:
            raise FileNotFoundError(f'no frames found under {root}')
        return instances, []


@DATASETS.register_module()
class VoxCeleb2VideoDataset(_IdentityListMixin, BaseCocoStyleDataset):
    """VoxCeleb2 face videos, a few frames per video read with OpenCV.

    Layout under ``data_root``::

        dev/mp4/<idXXXXX>/<youtube_id>/<NNNNN>.mp4     (and test/mp4/...)

    Each video is a clip; it gives ``frames_per_video`` samples, frames
    ``first_frame + k * frame_step`` (``k < frames_per_video``), so no video
    is opened to build the index. Samples carry ``video_path``,
    ``frame_index`` (read by :class:`LoadVideoFrame`), ``clip_id``
    (``<id>/<youtube_id>/<NNNNN>``) and ``frame_id`` (``k``). A video too
    short for its frames fails when the frame is read, with an error naming
    the video, the frame and its length. The paper's crop, size and frame
    gap are not published; these defaults (8 frames 5 apart: up to 1.4 s
    at 25 fps) are this package's choice.

    Args:
        subset (str): ``'dev'`` or ``'test'``. Defaults to ``'dev'``.
        identities (str | Sequence[str], optional): As
            :class:`VoxCeleb1FramesDataset`. Defaults to ``None``.
        frames_per_video (int): Frames used per video. Defaults to ``8``.
        frame_step (int): Frames between two used frames. Defaults to
            ``5``.
        first_frame (int): First frame used. Defaults to ``0``.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO: dict = keypoint_metainfo([], 'voxceleb2')

    def __init__(self,
                 subset: str = 'dev',
                 identities: Union[None, str, Sequence[str]] = None,
                 frames_per_video: int = 8,
                 frame_step: int = 5,
                 first_frame: int = 0,
                 **kwargs) -> None:
        if subset not in ('dev', 'test'):
            raise ValueError(f"subset must be 'dev' or 'test', got "
                             f'{subset!r}')
        if frames_per_video < 2 or frame_step < 1 or first_frame < 0:
            raise ValueError(
                'expected frames_per_video >= 2, frame_step >= 1, '
                f'first_frame >= 0, got {frames_per_video}, {frame_step}, '
                f'{first_frame}')
        self.subset = subset
        self.identities = identities
        self.frames_per_video = frames_per_video
        self.frame_step = frame_step
        self.first_frame = first_frame
        super().__init__(**kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        root = check_dir(
            osp.join(self.data_root or '', self.subset, 'mp4'),
            'VoxCeleb2 video folder')
        instances = []
        for person in self._identities(root, self.identities):
            for video in _sorted_dirs(osp.join(root, person)):
                folder = osp.join(root, person, video)
                for clip in _sorted_files(folder, ('.mp4', )):
                    clip_id = f'{person}/{video}/{osp.splitext(clip)[0]}'
                    for k in range(self.frames_per_video):
                        idx = len(instances)
                        instances.append(
                            dict(
                                id=idx,
                                img_id=idx,
                                img_path=osp.join(folder, clip),
                                video_path=osp.join(folder, clip),
                                frame_index=self.first_frame +
                                k * self.frame_step,
                                clip_id=clip_id,
                                frame_id=k,
                                iscrowd=0,
                                category_id=1))
        if not instances:
            raise FileNotFoundError(f'no .mp4 videos found under {root}')
        return instances, []
