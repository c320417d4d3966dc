"""Dataset wrappers: frame pairs for training, tagged splits for evaluation."""
from copy import deepcopy
from typing import Any, Callable, List, Tuple, Union

from mmengine.dataset import BaseDataset

from mmpose.registry import DATASETS, TASK_UTILS

DatasetType = Union[dict, BaseDataset]


def _build(dataset: DatasetType) -> BaseDataset:
    return DATASETS.build(dataset) if isinstance(dataset, dict) else dataset


def _prepare(dataset: BaseDataset, idx: int) -> dict:
    """Run a child's pipeline on one sample; a ``None`` is an error here."""
    results = dataset.prepare_data(idx)
    if results is None:
        raise RuntimeError(f'{type(dataset).__name__}: the pipeline returned '
                           f'None for sample {idx}')
    return results


@DATASETS.register_module()
class FramePairDataset(BaseDataset):
    """(source, target) pairs from two frames of one clip (METHOD.md, Image
    pairs: videos).

    Sample ``idx`` is the pair whose target is frame ``idx`` of ``dataset``
    and whose source is the frame chosen by ``pair_sampler``. Both frames go
    through the child's pipeline (per-frame, deterministic steps: loading,
    cropping, resizing); then the target's results receive ``source_img``
    (and ``source_id``) and pass through this wrapper's ``pipeline`` (steps
    on the pair, ending with :class:`PackPairInputs`).

    Args:
        dataset (dict | BaseDataset): The frame dataset; its data infos need
            the keys the pair sampler reads (e.g. ``clip_id``,
            ``frame_id``).
        pair_sampler (dict): Config of the sampler, in mmpose's
            ``TASK_UTILS``. Defaults to :class:`ClipFramePairSampler`.
        pipeline (list): Transforms applied to the pair. Defaults to
            ``[]``.
        lazy_init (bool): Defer indexing until first use.
            Defaults to ``False``.
    """

    def __init__(self,
                 dataset: DatasetType,
                 pair_sampler: dict = dict(type='ClipFramePairSampler'),
                 pipeline: List[Union[dict, Callable]] = [],
                 lazy_init: bool = False) -> None:
        self.dataset = _build(dataset)
        self.pair_sampler = TASK_UTILS.build(pair_sampler)
        super().__init__(pipeline=pipeline, lazy_init=True)
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
        infos = (self.dataset.get_data_info(i)
                 for i in range(len(self.dataset)))
        self.pair_sampler.bind(list(infos), name=type(self.dataset).__name__)
        self._fully_initialized = True

    def __len__(self) -> int:
        return len(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        """Data info of the target frame ``idx``."""
        return self.dataset.get_data_info(idx)

    def prepare_data(self, idx: int) -> Any:
        self.full_init()
        source_idx = self.pair_sampler(idx)
        results = _prepare(self.dataset, idx)
        source = _prepare(self.dataset, source_idx)
        results.pop('dataset', None)
        results['source_img'] = source['img']
        results['source_id'] = source.get('id', source_idx)
        return self.pipeline(results)


@DATASETS.register_module()
class RegressionSplitDataset(BaseDataset):
    """Two datasets tagged for the landmark-regression protocol.

    The concatenation of ``fit_dataset`` (the regressor is fitted on it)
    and ``eval_dataset`` (the error is reported on it). Each packed sample
    gets ``regression_split`` = ``'fit'`` or ``'eval'`` in its metainfo,
    which :class:`LandmarkRegressionMetric` reads, so one validation or
    test run serves the whole protocol, also when distributed.

    Args:
        fit_dataset (dict | BaseDataset): Regression-train split; its
            pipeline must end with a packing transform.
        eval_dataset (dict | BaseDataset): Regression-test split.
        lazy_init (bool): Defer the children's initialisation.
            Defaults to ``False``.
    """

    SPLITS = ('fit', 'eval')

    def __init__(self,
                 fit_dataset: DatasetType,
                 eval_dataset: DatasetType,
                 lazy_init: bool = False) -> None:
        self.datasets = [_build(fit_dataset), _build(eval_dataset)]
        super().__init__(lazy_init=True)
        self._metainfo = self.datasets[1].metainfo
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return deepcopy(self._metainfo)

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        for dataset in self.datasets:
            dataset.full_init()
        self._fully_initialized = True

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)

    def _locate(self, idx: int) -> Tuple[int, int]:
        if not -len(self) <= idx < len(self):
            raise IndexError(f'index {idx} out of range for a dataset of '
                             f'length {len(self)}')
        idx %= len(self)
        first = len(self.datasets[0])
        return (0, idx) if idx < first else (1, idx - first)

    def get_data_info(self, idx: int) -> dict:
        split, local = self._locate(idx)
        info = self.datasets[split].get_data_info(local)
        info['regression_split'] = self.SPLITS[split]
        return info

    def prepare_data(self, idx: int) -> Any:
        self.full_init()
        split, local = self._locate(idx)
        results = _prepare(self.datasets[split], local)
        data_sample = results.get('data_samples') if isinstance(
            results, dict) else None
        if data_sample is None:
            raise RuntimeError(
                f'{type(self.datasets[split]).__name__}: the pipeline of a '
                'RegressionSplitDataset child must end with a packing '
                'transform (PackPairInputs or PackPoseInputs)')
        data_sample.set_metainfo(
            dict(regression_split=self.SPLITS[split]))
        return results
