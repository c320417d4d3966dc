"""Say early how long a training run will take, from its own iterations."""
import time
from typing import Optional

from mmengine.hooks import Hook

from mmpose.registry import HOOKS


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f'{seconds:.0f} s'
    return f'{seconds / 60:.1f} min'


@HOOKS.register_module()
class RunTimeEstimateHook(Hook):
    """Log the measured time per iteration and the run's estimated length.

    After ``warmup`` iterations (data-loading workers starting, first
    allocations) the next ``timed`` iterations are timed; their mean gives
    the estimate of the remaining training iterations; after ``recheck``
    iterations the estimate is given again from all the iterations timed
    so far (the first ones can be slowed by a machine still busy with
    something else). Once the first validation has run, its duration is
    added for the validations still to come. The times are those of the machine at hand, whatever its CPU
    kind or load, so the estimate needs no table of machines.

    Args:
        warmup (int): Iterations before the timing starts. Defaults to 5.
        timed (int): Iterations timed. Defaults to 20.
        recheck (int): Iterations after ``warmup`` at which the estimate is
            given again (none if not larger than ``timed``). Defaults to
            500.
    """

    priority = 'VERY_LOW'  # after the other hooks of the iteration

    def __init__(self,
                 warmup: int = 5,
                 timed: int = 20,
                 recheck: int = 500) -> None:
        if warmup < 0 or timed < 1:
            raise ValueError(f'warmup must be >= 0 and timed >= 1, got '
                             f'{warmup} and {timed}')
        self.warmup = warmup
        self.timed = timed
        self.recheck = recheck
        self._first_iter = 0
        self._start: Optional[float] = None
        self._per_iter: Optional[float] = None
        self._val_start: Optional[float] = None
        self._val_reported = False

    def before_train(self, runner) -> None:
        self._first_iter = runner.iter  # > 0 when resuming

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if runner.iter == self._first_iter + self.warmup:
            self._start = time.perf_counter()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        done = runner.iter + 1 - self._first_iter - self.warmup
        if self._start is None or done not in (self.timed, self.recheck):
            return
        self._per_iter = (time.perf_counter() - self._start) / done
        left = runner.max_iters - runner.iter - 1
        val_interval = getattr(runner.train_loop, 'val_interval', None)
        validation = ''
        if runner.val_loop is not None and val_interval:
            validation = (f', plus a validation every {val_interval} '
                          'iterations')
        runner.logger.info(
            f'{self._per_iter:.3f} s per iteration (iterations '
            f'{runner.iter + 2 - done}-{runner.iter + 1}): the '
            f'{left} iterations left take about '
            f'{_minutes(left * self._per_iter)}{validation}')

    def before_val(self, runner) -> None:
        self._val_start = time.perf_counter()

    def after_val(self, runner) -> None:
        if (self._val_reported or self._val_start is None
                or self._per_iter is None or not runner.train_loop):
            return
        self._val_reported = True
        took = time.perf_counter() - self._val_start
        left = runner.max_iters - runner.iter
        if left <= 0:
            return
        val_interval = getattr(runner.train_loop, 'val_interval', 0) or 0
        vals_left = left // val_interval if val_interval else 0
        total = left * self._per_iter + vals_left * took
        runner.logger.info(
            f'validation took {_minutes(took)}: the rest of the run '
            f'({left} iterations, {vals_left} validations) takes about '
            f'{_minutes(total)}')
