"""Continue another run's training in a new work dir, as the release's
``--restore-optim`` (docs/data_preparation_faces.md, "AFLW")."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner.checkpoint import _load_checkpoint

from mmpose.registry import HOOKS
from .weights_only_checkpoint_hook import decode_plain


@HOOKS.register_module()
class ContinueTrainingHook(Hook):
    """Restore the optimiser and the learning-rate schedule of a checkpoint
    from another run, without advancing the data loader.

    The release fine-tunes its AFLW models from the CelebA checkpoint with
    the whole training state: weights, batch-norm statistics and the loss's
    running averages (all in ``state_dict``: mmengine's ``load_from``
    restores them), plus the Adam moments and the global step, so that the
    x0.95-per-100k decay goes on. mmengine's ``resume=True`` with
    ``load_from`` would restore those too, but its iteration-based loop then
    draws (and throws away) as many batches of the new dataset as the old
    run trained, before the first step. This hook restores, before
    training, the optimiser state (moments, step counts, learning rate) and
    the parameter schedulers' step counts from the checkpoint; the new run
    counts its own iterations from 0 (``max_iters`` is the length of the
    fine-tuning) while the schedule goes on from the old run's step (the
    learning rate itself is in the optimiser state).

    A run resumed from its own work dir (``--resume``) already holds its
    state: the hook then does nothing.

    Args:
        checkpoint (str, optional): The other run's checkpoint; ``None`` for
            the config's ``load_from``. Defaults to ``None``.
        restore_optimizer (bool): Restore the optimiser state. Defaults to
            ``True``.
        restore_schedule (bool): Restore the schedulers' state. Defaults
            to ``True``.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 checkpoint: Optional[str] = None,
                 restore_optimizer: bool = True,
                 restore_schedule: bool = True) -> None:
        self.checkpoint = checkpoint
        self.restore_optimizer = restore_optimizer
        self.restore_schedule = restore_schedule

    def before_train(self, runner) -> None:
        if runner.iter > 0:
            runner.logger.info('ContinueTrainingHook: resumed at iteration '
                               f'{runner.iter}; the state is the run\'s own')
            return
        path = self.checkpoint or runner._load_from
        if not path:
            raise ValueError('ContinueTrainingHook needs a checkpoint: set '
                             'its checkpoint argument or load_from')
        checkpoint = _load_checkpoint(path, map_location='cpu')
        for key, wanted in (('optimizer', self.restore_optimizer),
                            ('param_schedulers', self.restore_schedule)):
            if wanted and key not in checkpoint:
                raise KeyError(f'{path} has no {key!r} state to continue '
                               f'from (keys: {sorted(checkpoint)})')
        if self.restore_optimizer:
            runner.optim_wrapper.load_state_dict(checkpoint['optimizer'])
        if self.restore_schedule:
            states = decode_plain(checkpoint['param_schedulers'])
            schedulers = runner.param_schedulers
            if isinstance(schedulers, dict) or len(states) != len(
                    schedulers):
                raise ValueError(
                    f'{path} holds {len(states)} parameter scheduler '
                    f'state(s); this run has {len(schedulers)}: use the '
                    'same param_scheduler as the run it continues')
            for scheduler, state in zip(schedulers, states):
                self._continue_schedule(scheduler, state)
        step = checkpoint.get('meta', {}).get('iter')
        runner.logger.info(
            f'ContinueTrainingHook: optimiser and schedule of {path} '
            f'(iteration {step}) restored; learning rate now '
            f'{runner.optim_wrapper.get_lr()["lr"][0]:.6g}')

    @staticmethod
    def _continue_schedule(scheduler, state: dict) -> None:
        """Go on from the old run's step counts.

        mmengine's schedulers count ``_global_step`` (calls) and
        ``last_step`` (calls inside ``[begin, end)``; e.g. ``StepLR`` decays
        when ``last_step`` is a multiple of its step size). Both are taken
        from the old run, and this run's own range is shifted by the
        difference, so that it spans this run's iterations. The old run's
        ``begin`` / ``end`` (its own length) are not restored.
        """
        for key in ('_global_step', 'last_step'):
            if key not in state:
                raise KeyError(f'scheduler state without {key!r}: '
                               f'{sorted(state)}')
        offset = state['_global_step'] - scheduler._global_step
        scheduler.begin += offset
        scheduler.end += offset
        scheduler._global_step = state['_global_step']
        scheduler.last_step = state['last_step']

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(checkpoint={self.checkpoint!r}, '
                f'restore_optimizer={self.restore_optimizer}, '
                f'restore_schedule={self.restore_schedule})')
