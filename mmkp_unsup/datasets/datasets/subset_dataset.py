"""A contiguous part of a dataset, given by fractions (e.g. a validation
split held out from a training set)."""
from copy import deepcopy
from typing import Any, Union

from mmengine.dataset import BaseDataset

from mmpose.registry import DATASETS


@DATASETS.register_module()
class SubsetDataset(BaseDataset):
    """Samples ``[round(start * N), round(end * N))`` of a dataset.

    For datasets without a validation split (mmpose's WFLW, 300W...): the
    regression's validation can fit on ``SubsetDataset(train, 0, 0.9)`` and
    report on ``SubsetDataset(train, 0.9, 1)``, so that checkpoints are
    never selected on test data. Samples keep the child's pipeline.

    Args:
        dataset (dict | BaseDataset): The dataset.
        start (float): First fraction. Defaults to ``0``.
        end (float): Last fraction. Defaults to ``1``.
        lazy_init (bool): Defer the child's initialisation. Defaults to
            ``False``.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 start: float = 0.0,
                 end: float = 1.0,
                 lazy_init: bool = False) -> None:
        if not 0 <= start < end <= 1:
            raise ValueError('expected 0 <= start < end <= 1, got '
                             f'start={start}, end={end}')
        self.dataset = DATASETS.build(dataset) if isinstance(
            dataset, dict) else dataset
        self.start = start
        self.end = end
        super().__init__(lazy_init=True)
        self._metainfo = self.dataset.metainfo
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return deepcopy(self._metainfo)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.dataset.full_init()
        total = len(self.dataset)
        self._first = int(round(self.start * total))
        self._stop = int(round(self.end * total))
        if self._stop <= self._first:
            raise ValueError(
                f'SubsetDataset: [{self.start}, {self.end}) of '
                f'{type(self.dataset).__name__} ({total} samples) is empty')
        self._fully_initialized = True

    def __len__(self) -> int:
        self.full_init()
        return self._stop - self._first

    def _child_index(self, idx: int) -> int:
        if not -len(self) <= idx < len(self):
            raise IndexError(f'index {idx} out of range for a subset of '
                             f'length {len(self)}')
        return self._first + idx % len(self)

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(self._child_index(idx))

    def prepare_data(self, idx: int) -> Any:
        return self.dataset.prepare_data(self._child_index(idx))
