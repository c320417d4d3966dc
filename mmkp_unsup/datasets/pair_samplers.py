"""Which frame pairs with which: samplers for :class:`FramePairDataset`."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmpose.registry import TASK_UTILS


@TASK_UTILS.register_module()
class ClipFramePairSampler:
    """Pairs a frame with another frame of the same clip.

    Frames are grouped by ``clip_key`` and ordered by ``frame_key`` (both
    read from each sample's data info). For a target frame, the source is
    drawn uniformly among the frames of its clip whose distance in the
    clip's order is in ``[min_gap, max_gap]``, before or after it (so pairs
    come in both orders, as the release's random swap would give).

    Args:
        min_gap (int): Smallest frame distance. Defaults to ``1``.
        max_gap (int, optional): Largest frame distance; ``None`` for any.
            Defaults to ``None``.
        clip_key (str): Data-info key of the clip. Defaults to
            ``'clip_id'``.
        frame_key (str): Data-info key ordering frames within a clip.
            Defaults to ``'frame_id'``.
    """

    def __init__(self,
                 min_gap: int = 1,
                 max_gap: Optional[int] = None,
                 clip_key: str = 'clip_id',
                 frame_key: str = 'frame_id') -> None:
        if min_gap < 1 or (max_gap is not None and max_gap < min_gap):
            raise ValueError('expected 1 <= min_gap <= max_gap, got '
                             f'min_gap={min_gap}, max_gap={max_gap}')
        self.min_gap = min_gap
        self.max_gap = max_gap
        self.clip_key = clip_key
        self.frame_key = frame_key
        self._clips: List[np.ndarray] = []
        self._position: np.ndarray = np.zeros(0, dtype=np.int64)
        self._clip_of: np.ndarray = np.zeros(0, dtype=np.int64)

    def bind(self, infos: Sequence[dict], name: str = 'dataset') -> None:
        """Index the clips of a dataset.

        Args:
            infos (Sequence[dict]): Data info of every sample, in order.
            name (str): The dataset's name, for error messages.

        Raises:
            KeyError: If a sample lacks ``clip_key`` or ``frame_key``.
            ValueError: If a clip has a frame without a partner at an
                allowed distance.
        """
        groups: Dict[object, List[tuple]] = defaultdict(list)
        for idx, info in enumerate(infos):
            for key in (self.clip_key, self.frame_key):
                if key not in info:
                    raise KeyError(
                        f'{name}: sample {idx} ({info.get("img_path")}) has '
                        f'no {key!r}, which ClipFramePairSampler needs to '
                        'pair frames of one clip')
            groups[info[self.clip_key]].append((info[self.frame_key], idx))
        self._clips = []
        self._position = np.zeros(len(infos), dtype=np.int64)
        self._clip_of = np.zeros(len(infos), dtype=np.int64)
        for clip_id, frames in groups.items():
            frames.sort()
            if len(frames) <= self.min_gap:
                raise ValueError(
                    f'{name}: clip {clip_id!r} has {len(frames)} frame(s), '
                    f'too few for pairs {self.min_gap} or more frames apart')
            order = np.array([idx for _, idx in frames], dtype=np.int64)
            self._position[order] = np.arange(len(order))
            self._clip_of[order] = len(self._clips)
            self._clips.append(order)

    def __call__(self, idx: int) -> int:
        """Index of the source frame paired with target ``idx``."""
        if not self._clips:
            raise RuntimeError('ClipFramePairSampler.bind() was not called')
        order = self._clips[self._clip_of[idx]]
        pos = int(self._position[idx])
        max_gap = len(order) if self.max_gap is None else self.max_gap
        candidates = [
            p for p in range(len(order))
            if self.min_gap <= abs(p - pos) <= max_gap
        ]
        return int(order[candidates[np.random.randint(len(candidates))]])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_gap={self.min_gap}, '
                f'max_gap={self.max_gap}, clip_key={self.clip_key!r}, '
                f'frame_key={self.frame_key!r})')
