"""Keeps the learning-rate schedule of the config in force across a resume
(docs/training.md, "Resume")."""
from typing import List, Optional

from mmengine.hooks import Hook

from mmpose.registry import HOOKS


def _flat(schedulers) -> list:
    if schedulers is None:
        return []
    if isinstance(schedulers, dict):  # one list per optimiser
        return [s for group in schedulers.values() for s in group]
    return list(schedulers)


def catch_up_schedule(scheduler, old_end: int) -> None:
    """Apply the steps an earlier run skipped at and past its ``end``.

    mmengine counts every step (``_global_step``) but changes the value
    (and ``last_step``) only inside ``[begin, end)``; the step taken
    after the earlier run's last iteration fell on its end and changed
    nothing. Replaying the skipped steps that lie inside the new range
    makes the resumed (or continued) schedule the same as an uninterrupted
    one.

    Args:
        scheduler: An mmengine parameter scheduler holding the earlier
            run's state, with the new run's ``begin`` / ``end``.
        old_end (int): The ``end`` of the earlier run's scheduler.
    """
    first = max(old_end, scheduler.begin)
    last = min(scheduler._global_step, scheduler.end - 1)
    for _ in range(first, last + 1):
        scheduler.last_step += 1
        values = scheduler._get_value()
        for group, value in zip(scheduler.optimizer.param_groups, values):
            group[scheduler.param_name] = value
    scheduler._last_value = [
        group[scheduler.param_name]
        for group in scheduler.optimizer.param_groups
    ]


@HOOKS.register_module()
class SchedulerEndHook(Hook):
    """Gives the parameter schedulers the ``end`` of this run's config after
    a resume.

    mmengine restores a scheduler's whole state from the checkpoint, its
    ``end`` included: a run resumed with a larger ``train_cfg.max_iters``
    (to train longer) keeps the ``end`` of the run that wrote the
    checkpoint (its ``max_iters`` where the config leaves ``end`` unset),
    so the learning-rate decay stops there. This hook records each
    scheduler's ``end`` as built from the config (before the checkpoint is
    loaded) and puts it back after, logging the change; with a later end,
    the steps the earlier run skipped at its end are applied, so that
    training 2N iterations as N, then resumed to 2N, follows the schedule
    of an uninterrupted 2N run. ``tools/train.py`` registers it for
    ``--resume``.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._ends: Optional[List[int]] = None

    def before_run(self, runner) -> None:
        self._ends = [s.end for s in _flat(runner.param_schedulers)]

    def before_train(self, runner) -> None:
        if self._ends is None:
            return
        schedulers = _flat(runner.param_schedulers)
        for scheduler, end in zip(schedulers, self._ends):
            if scheduler.end == end:
                continue
            runner.logger.info(
                f'{type(scheduler).__name__}: end {scheduler.end} from the '
                f'checkpoint -> {end} from the config')
            old_end, scheduler.end = scheduler.end, end
            catch_up_schedule(scheduler, old_end)
