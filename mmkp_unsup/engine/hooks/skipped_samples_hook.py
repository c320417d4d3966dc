"""Logs how many bad training samples were skipped (docs/training.md,
"Bad images and annotations")."""
from typing import Optional, Sequence

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook

from mmkp_unsup.datasets.dataset_wrappers import SKIPPED_KEY
from mmpose.registry import HOOKS


@HOOKS.register_module()
class SkippedSamplesHook(Hook):
    """Counts the samples skipped by ``on_error='skip'`` and logs them.

    :class:`FramePairDataset` and :class:`CheckedDataset` write, in each
    packed sample's metainfo, how many bad samples were replaced to make
    it (``skipped_samples``); the count travels with the batch from the
    data-loading processes. After every training iteration this hook sums
    it over the batch and over all processes, logs a warning when it is
    not zero, and keeps the running total in the message hub
    (``runtime_info['skipped_samples']``, saved in checkpoints, so it
    carries over a resume); the end of training logs the total.

    Args:
        key (str): Metainfo key of the count. Defaults to
            ``'skipped_samples'``.
    """

    priority = 'LOW'

    def __init__(self, key: str = SKIPPED_KEY) -> None:
        self.key = key

    def _total(self, runner) -> int:
        return int(runner.message_hub.get_info(self.key, 0))

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        samples: Sequence = (data_batch or {}).get('data_samples') or []
        count = sum(
            int(s.metainfo.get(self.key, 0)) for s in samples
            if hasattr(s, 'metainfo'))
        # every process takes part, also when its own count is zero
        count = torch.tensor(count, dtype=torch.int64)
        all_reduce(count)  # in place
        count = int(count)
        if count:
            total = self._total(runner) + count
            runner.message_hub.update_info(self.key, total)
            runner.logger.warning(
                f'iteration {runner.iter + 1}: {count} bad training '
                f'sample(s) skipped and replaced ({total} in all); the '
                'warnings above name the files')

    def after_train(self, runner) -> None:
        total = self._total(runner)
        runner.logger.info(f'bad training samples skipped: {total}')
