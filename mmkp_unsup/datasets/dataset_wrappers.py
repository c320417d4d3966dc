"""Dataset wrappers: frame pairs for training, tagged splits for evaluation,
and the policy for samples that cannot be read (see docs/training.md)."""
import logging
from abc import ABC, abstractmethod
from copy import deepcopy
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from mmpose.registry import DATASETS, TASK_UTILS
from .transforms.pair_transforms import SOURCE_KEYS as PAIR_SOURCE_KEYS

DatasetType = Union[dict, BaseDataset]

ON_ERROR = ('raise', 'skip')
# metainfo key (packed samples) / results key (unpacked) of the skip count
SKIPPED_KEY = 'skipped_samples'


class BadSampleError(RuntimeError):
    """A sample of a dataset could not be prepared (unreadable image,
    malformed annotation...); the message names the dataset, the index and
    the file.

    Args:
        message (str): What went wrong.
        img_path (str, optional): The sample's file.
    """

    def __init__(self, message: str, img_path: Optional[str] = None) -> None:
        super().__init__(message)
        self.img_path = img_path


def _build(dataset: DatasetType) -> BaseDataset:
    return DATASETS.build(dataset) if isinstance(dataset, dict) else dataset


def _sample_path(dataset: BaseDataset, idx: int) -> Optional[str]:
    try:
        return dataset.get_data_info(idx).get('img_path')
    except Exception:  # the annotation itself may be what is broken
        return None


def _prepare(dataset: BaseDataset, idx: int) -> dict:
    """Run a child's pipeline on one sample.

    Raises:
        BadSampleError: If the pipeline raises or returns ``None``; the
            message names the file and the original error.
    """
    try:
        results = dataset.prepare_data(idx)
    except Exception as error:
        path = _sample_path(dataset, idx)
        raise BadSampleError(
            f'{type(dataset).__name__}: sample {idx} ({path}) failed: '
            f'{type(error).__name__}: {error}', path) from error
    if results is None:
        path = _sample_path(dataset, idx)
        raise BadSampleError(
            f'{type(dataset).__name__}: the pipeline returned None for '
            f'sample {idx} ({path})', path)
    return results


def _check_on_error(on_error: str, max_skips: int, test_mode: bool) -> None:
    if on_error not in ON_ERROR:
        raise ValueError(f'on_error must be one of {ON_ERROR}, got '
                         f'{on_error!r}')
    if max_skips < 1:
        raise ValueError(f'max_skips must be >= 1, got {max_skips}')
    if on_error == 'skip' and test_mode:
        raise ValueError(
            "on_error='skip' is for training sets: in test mode it would "
            'replace samples of the evaluated set by others')


def _record_skips(results: Any, skipped: List[str]) -> Any:
    """Write the number of skipped samples into a sample.

    Packed samples carry it in their data sample's metainfo (so it crosses
    the data-loading processes with the batch, and
    :class:`SkippedSamplesHook` counts it); unpacked results as a key.
    """
    data_sample = results.get('data_samples') if isinstance(
        results, dict) else None
    if data_sample is not None and hasattr(data_sample, 'set_metainfo'):
        data_sample.set_metainfo({SKIPPED_KEY: len(skipped)})
    elif isinstance(results, dict):
        results[SKIPPED_KEY] = len(skipped)
    return results


class _SkipPolicyMixin(ABC):
    """``on_error`` for a wrapper: raise, or redraw and count.

    The wrapper implements ``_prepare_sample(idx)``; every error of its
    children surfaces there as :class:`BadSampleError`.
    """

    on_error: str
    max_skips: int

    @abstractmethod
    def _prepare_sample(self, idx: int) -> Any:
        """Sample ``idx`` through the wrapper's children and pipeline
        (:class:`FramePairDataset`, :class:`CheckedDataset`)."""

    def prepare_data(self, idx: int) -> Any:
        self.full_init()
        if self.on_error == 'raise':
            return self._prepare_sample(idx)
        skipped: List[str] = []
        for _ in range(self.max_skips + 1):
            try:
                results = self._prepare_sample(idx)
            except BadSampleError as error:
                skipped.append(str(error.img_path))
                print_log(
                    f'skipped a bad sample (on_error=\'skip\'): {error}',
                    logger='current', level=logging.WARNING)
                # a replacement, drawn like mmengine's own refetching
                idx = int(np.random.randint(0, len(self)))
                continue
            return _record_skips(results, skipped)
        raise BadSampleError(
            f'{type(self).__name__}: {len(skipped)} bad samples in a row '
            f'(max_skips={self.max_skips}), last: {skipped[-1]}; is the '
            'pipeline or the data itself broken?', skipped[-1])


@DATASETS.register_module()
class FramePairDataset(_SkipPolicyMixin, BaseDataset):
    """(source, target) pairs from two frames of one clip (docs/training.md,
    "Frame pairs").

    Sample ``idx`` is the pair whose target is frame ``idx`` of ``dataset``
    and whose source is the frame chosen by ``pair_sampler``. Both frames go
    through the child's pipeline (per-frame steps: loading, cropping,
    resizing); then the target's results receive the source's ``img`` as
    ``source_img`` (and ``source_id``, and ``source_`` + each key of
    ``SOURCE_KEYS`` the source has: its landmarks, box, path and shape)
    and pass through this wrapper's ``pipeline`` (steps on the pair:
    :class:`PairRandomFlip`, :class:`PairRandomSwap`,
    :class:`TPSFramePairWarp`, ending with :class:`PackPairInputs`).

    A frame that cannot be prepared (unreadable image, malformed
    annotation) raises :class:`BadSampleError` naming its file; with
    ``on_error='skip'`` the pair is replaced by a random other one instead,
    a warning names the file, and the packed sample records how many were
    skipped (``skipped_samples`` in its metainfo), which
    :class:`SkippedSamplesHook` logs.

    Args:
        dataset (dict | BaseDataset): The frame dataset; its data infos need
            the keys the pair sampler reads (e.g. ``clip_id``,
            ``frame_id``).
        pair_sampler (dict): Config of the sampler, in mmpose's
            ``TASK_UTILS``. Defaults to :class:`ClipFramePairSampler`.
        pipeline (list): Transforms applied to the pair. Defaults to
            ``[]``.
        on_error (str): ``'raise'`` or ``'skip'`` (training only). Defaults
            to ``'raise'``.
        max_skips (int): With ``'skip'``, bad samples in a row before
            giving up. Defaults to ``100``.
        test_mode (bool): As mmengine's ``BaseDataset``. Defaults to
            ``False``.
        lazy_init (bool): Defer indexing until first use.
            Defaults to ``False``.
    """

    # copied from the source frame's results, under 'source_' + key
    SOURCE_KEYS = PAIR_SOURCE_KEYS

    def __init__(self,
                 dataset: DatasetType,
                 pair_sampler: dict = dict(type='ClipFramePairSampler'),
                 pipeline: List[Union[dict, Callable]] = [],
                 on_error: str = 'raise',
                 max_skips: int = 100,
                 test_mode: bool = False,
                 lazy_init: bool = False) -> None:
        _check_on_error(on_error, max_skips, test_mode)
        self.on_error = on_error
        self.max_skips = max_skips
        self.dataset = _build(dataset)
        self.pair_sampler = TASK_UTILS.build(pair_sampler)
        super().__init__(
            pipeline=pipeline, test_mode=test_mode, lazy_init=True)
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

    def _prepare_sample(self, idx: int) -> Any:
        source_idx = self.pair_sampler(idx)
        results = _prepare(self.dataset, idx)
        source = _prepare(self.dataset, source_idx)
        results.pop('dataset', None)
        results['source_img'] = source['img']
        results['source_id'] = source.get('id', source_idx)
        for key in self.SOURCE_KEYS:
            if key in source:
                results['source_' + key] = source[key]
        return self.pipeline(results)


@DATASETS.register_module()
class CheckedDataset(_SkipPolicyMixin, BaseDataset):
    """Any dataset, with unreadable samples named, or skipped and counted.

    Wraps a dataset whose pipeline does the whole work (e.g. ``LoadImage``,
    crops, :class:`TPSPairWarp`, :class:`PackPairInputs` for static-image
    pairs). A sample whose preparation fails raises
    :class:`BadSampleError` naming its file (mmengine's ``BaseDataset``
    would re-raise the bare error, or, when a step returns ``None``,
    silently draw another sample); with ``on_error='skip'`` the sample is
    replaced by a random other one, a warning names the file, and the
    packed sample records how many were skipped (``skipped_samples`` in its
    metainfo), which :class:`SkippedSamplesHook` logs.

    Args:
        dataset (dict | BaseDataset): The dataset.
        on_error (str): ``'raise'`` or ``'skip'`` (training only). Defaults
            to ``'raise'``.
        max_skips (int): With ``'skip'``, bad samples in a row before
            giving up. Defaults to ``100``.
        test_mode (bool): As mmengine's ``BaseDataset``. Defaults to
            ``False``.
        lazy_init (bool): Defer the child's initialisation. Defaults to
            ``False``.
    """

    def __init__(self,
                 dataset: DatasetType,
                 on_error: str = 'raise',
                 max_skips: int = 100,
                 test_mode: bool = False,
                 lazy_init: bool = False) -> None:
        _check_on_error(on_error, max_skips, test_mode)
        self.on_error = on_error
        self.max_skips = max_skips
        self.dataset = _build(dataset)
        super().__init__(test_mode=test_mode, lazy_init=True)
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
        self._fully_initialized = True

    def __len__(self) -> int:
        return len(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def _prepare_sample(self, idx: int) -> Any:
        return _prepare(self.dataset, idx)


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
