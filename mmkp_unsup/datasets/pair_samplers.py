"""Which frame pairs with which: samplers for :class:`FramePairDataset`."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmpose.registry import TASK_UTILS


@TASK_UTILS.register_module()
class ClipFramePairSampler:
    """Pairs a frame with another frame of the same clip.

    Frames are grouped by ``clip_key`` and ordered by ``frame_key`` (both
    read from each sample's data info). For a target frame, the source is
    drawn uniformly among the frames of its clip at a distance in
    ``[min_gap, max_gap]``, before or after it (so pairs come in both
    orders, as the release's random swap would give). The distance is
    counted in positions of the clip's order (``gap_unit='position'``: the
    n-th stored frame before or after), or in the difference of the
    frames' numbers (``gap_unit='frame'``: ``frame_key`` values, e.g.
    video frame indices; for datasets that store every k-th frame).

    Args:
        min_gap (int): Smallest distance. Defaults to ``1``.
        max_gap (int, optional): Largest distance; ``None`` for any.
            Defaults to ``None``.
        clip_key (str): Data-info key of the clip. Defaults to
            ``'clip_id'``.
        frame_key (str): Data-info key ordering frames within a clip.
            Defaults to ``'frame_id'``.
        gap_unit (str): ``'position'`` or ``'frame'`` (numeric
            ``frame_key``). Defaults to ``'position'``.
    """

    GAP_UNITS = ('position', 'frame')

    def __init__(self,
                 min_gap: int = 1,
                 max_gap: Optional[int] = None,
                 clip_key: str = 'clip_id',
                 frame_key: str = 'frame_id',
                 gap_unit: str = 'position') -> None:
        if min_gap < 1 or (max_gap is not None and max_gap < min_gap):
            raise ValueError('expected 1 <= min_gap <= max_gap, got '
                             f'min_gap={min_gap}, max_gap={max_gap}')
        if gap_unit not in self.GAP_UNITS:
            raise ValueError(f'gap_unit must be one of {self.GAP_UNITS}, '
                             f'got {gap_unit!r}')
        self.min_gap = min_gap
        self.max_gap = max_gap
        self.clip_key = clip_key
        self.frame_key = frame_key
        self.gap_unit = gap_unit
        self._clips: List[np.ndarray] = []  # sample indices, in order
        self._coords: List[np.ndarray] = []  # their positions or numbers
        self._position: np.ndarray = np.zeros(0, dtype=np.int64)
        self._clip_of: np.ndarray = np.zeros(0, dtype=np.int64)

    def bind(self, infos: Sequence[dict], name: str = 'dataset') -> None:
        """Index the clips of a dataset.

        Args:
            infos (Sequence[dict]): Data info of every sample, in order.
            name (str): The dataset's name, for error messages.

        Raises:
            KeyError: If a sample lacks ``clip_key`` or ``frame_key``.
            ValueError: If a frame has no partner at an allowed distance
                (or, with ``gap_unit='frame'``, a frame number is not a
                number or repeats within its clip).
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
        self._clips, self._coords = [], []
        self._position = np.zeros(len(infos), dtype=np.int64)
        self._clip_of = np.zeros(len(infos), dtype=np.int64)
        for clip_id, frames in groups.items():
            frames.sort()
            if len(frames) <= self.min_gap and self.gap_unit == 'position':
                raise ValueError(
                    f'{name}: clip {clip_id!r} has {len(frames)} frame(s), '
                    f'too few for pairs {self.min_gap} or more frames apart')
            order = np.array([idx for _, idx in frames], dtype=np.int64)
            coords = self._clip_coords(frames, clip_id, name)
            partners = self._count_partners(coords)
            if not partners.all():
                lonely = frames[int(np.flatnonzero(partners == 0)[0])]
                upper = 'any' if self.max_gap is None else self.max_gap
                raise ValueError(
                    f'{name}: frame {lonely[0]!r} (sample {lonely[1]}) of '
                    f'clip {clip_id!r} has no other frame {self.min_gap} to '
                    f'{upper} {self.gap_unit}s away')
            self._position[order] = np.arange(len(order))
            self._clip_of[order] = len(self._clips)
            self._clips.append(order)
            self._coords.append(coords)

    def _clip_coords(self, frames: List[tuple], clip_id: object,
                     name: str) -> np.ndarray:
        if self.gap_unit == 'position':
            return np.arange(len(frames), dtype=np.int64)
        try:
            coords = np.array([float(f) for f, _ in frames])
        except (TypeError, ValueError):
            raise ValueError(
                f'{name}: clip {clip_id!r} has a non-numeric '
                f'{self.frame_key!r} ({frames[0][0]!r}...), which '
                "gap_unit='frame' needs") from None
        if (np.diff(coords) == 0).any():
            raise ValueError(f'{name}: clip {clip_id!r} has two frames '
                             f'numbered alike in {self.frame_key!r}')
        return coords

    def _ranges(self, coords: np.ndarray,
                value) -> Tuple[np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray]:
        """Index ranges of ``coords`` (sorted) at an allowed distance below
        and above ``value``: ``[lo_below, hi_below)``, ``[lo_above,
        hi_above)``."""
        max_gap = np.inf if self.max_gap is None else self.max_gap
        lo_below = np.searchsorted(coords, value - max_gap, side='left')
        hi_below = np.searchsorted(coords, value - self.min_gap, side='right')
        lo_above = np.searchsorted(coords, value + self.min_gap, side='left')
        hi_above = np.searchsorted(coords, value + max_gap, side='right')
        return lo_below, hi_below, lo_above, hi_above

    def _count_partners(self, coords: np.ndarray) -> np.ndarray:
        lo_b, hi_b, lo_a, hi_a = self._ranges(coords, coords)
        return (hi_b - lo_b) + (hi_a - lo_a)

    def __call__(self, idx: int) -> int:
        """Index of the source frame paired with target ``idx``."""
        if not self._clips:
            raise RuntimeError('ClipFramePairSampler.bind() was not called')
        clip = self._clip_of[idx]
        order, coords = self._clips[clip], self._coords[clip]
        lo_b, hi_b, lo_a, hi_a = (int(x) for x in self._ranges(
            coords, coords[self._position[idx]]))
        below = hi_b - lo_b
        pick = np.random.randint(below + hi_a - lo_a)
        pos = lo_b + pick if pick < below else lo_a + pick - below
        return int(order[pos])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_gap={self.min_gap}, '
                f'max_gap={self.max_gap}, clip_key={self.clip_key!r}, '
                f'frame_key={self.frame_key!r}, '
                f'gap_unit={self.gap_unit!r})')
