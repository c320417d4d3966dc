"""Continue another run's training in a new work dir, as the release's
``--restore-optim`` (docs/data_preparation_faces.md, "Fine-tuning from
CelebA")."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from mmpose.registry import HOOKS
from .scheduler_end_hook import catch_up_schedule
from .weights_only_checkpoint_hook import decode_plain

# what a checkpoint must hold to continue a run
CONTINUED_STATE = ('state_dict', 'optimizer', 'param_schedulers')


def find_checkpoint_to_continue(path: str) -> str:
    """The checkpoint file that continuing ``path`` reads.

    Args:
        path (str): A run's work dir (the checkpoint its ``last_checkpoint``
            file names: mmengine's ``CheckpointHook`` writes the last
            iteration's checkpoint, with the whole training state, and
            points ``last_checkpoint`` at it) or a checkpoint file.

    Returns:
        str: The checkpoint file. A ``last_checkpoint`` that names a file
        which is gone but exists in ``path`` under the same name (the work
        dir was moved) resolves to that file.

    Raises:
        FileNotFoundError: Neither a checkpoint file nor a work dir with a
            ``last_checkpoint`` file, or the file it names is missing.
    """
    if osp.isfile(path):
        return path
    if not osp.isdir(path):
        raise FileNotFoundError(
            f'{path}: no such work dir or checkpoint to continue from; '
            'train the run it continues first (for the AFLW configs: '
            'tools/train.py configs/celeba_k30.py, or the config named in '
            'the AFLW config\'s first lines), or set `continue_from` to '
            'its work dir')
    pointer = osp.join(path, 'last_checkpoint')
    if not osp.isfile(pointer):
        raise FileNotFoundError(
            f'{pointer}: no such file; the run in {path} has not finished '
            'or wrote no checkpoint (mmengine\'s CheckpointHook writes '
            'last_checkpoint with the last iteration\'s checkpoint)')
    with open(pointer) as f:
        named = f.read().strip()
    if osp.isfile(named):
        return named
    moved = osp.join(path, osp.basename(named))
    if osp.isfile(moved):
        return moved
    raise FileNotFoundError(
        f'{pointer} names {named!r}, which does not exist (nor {moved})')


@HOOKS.register_module()
class ContinueTrainingHook(Hook):
    """Continue the whole training state of another run, without advancing
    the data loader.

    The release fine-tunes its AFLW models from the CelebA run with the
    whole training state: weights, batch-norm statistics and the loss's
    running averages (the model's ``state_dict``), the Adam moments and
    the global step, so that the x0.95-per-100k decay goes on. Before the
    first iteration this hook loads, from the other run's checkpoint, the
    model's ``state_dict`` (strictly: the two models must be the same),
    the optimiser state (moments, step counts, learning rate) and the
    parameter schedulers' step counts. The new run writes its own work dir
    and counts its own iterations from 0 (``max_iters`` is the length of
    the fine-tuning) while the schedule goes on from the old run's step.

    mmengine's ``load_from`` is not involved (leave it ``None``): it would
    load the weights only, or, with ``resume=True``, make the iteration-
    based loop draw and throw away as many batches of the new dataset as
    the old run trained before the first step. A run resumed from its own
    work dir (``--resume``) already holds its state: the hook then does
    nothing.

    The checkpoint must hold the optimiser and scheduler states: the one a
    work dir's ``last_checkpoint`` names does (``CheckpointHook`` saves
    them), mmengine's ``best_*.pth`` do not.

    Args:
        checkpoint (str, optional): The other run's work dir (its
            ``last_checkpoint``, see :func:`find_checkpoint_to_continue`) or
            checkpoint file; ``None`` for the config's ``continue_from``.
            Defaults to ``None``.
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
        source = self.checkpoint or runner.cfg.get('continue_from')
        if not source:
            raise ValueError(
                'ContinueTrainingHook needs the run to continue: set '
                '`continue_from` in the config (a work dir or a checkpoint) '
                'or the hook\'s checkpoint argument')
        if runner.cfg.get('load_from'):
            raise ValueError(
                f'load_from={runner.cfg.load_from!r} and ContinueTrainingHook '
                f'({source!r}) both set the weights: leave load_from None')
        path = find_checkpoint_to_continue(source)
        checkpoint = _load_checkpoint(path, map_location='cpu')
        missing = [key for key in CONTINUED_STATE if key not in checkpoint]
        if missing:
            raise KeyError(
                f'{path} has no {" / ".join(missing)} state to continue '
                f'from (keys: {sorted(checkpoint)}); mmengine\'s best_*.pth '
                'hold the weights only: use the run\'s work dir (its '
                'last_checkpoint) or an iter_*.pth of it')
        # decode what WeightsOnlyCheckpointHook encoded
        runner.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        try:
            _load_checkpoint_to_model(model, checkpoint, strict=True)
        except RuntimeError as error:
            raise RuntimeError(
                f'{path} does not fit this model (the run it continues must '
                f'have the same model): {error}') from error
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
            f'ContinueTrainingHook: weights, optimiser and schedule of '
            f'{path} (iteration {step}) restored; learning rate now '
            f'{runner.optim_wrapper.get_lr()["lr"][0]:.6g}')

    @staticmethod
    def _continue_schedule(scheduler, state: dict) -> None:
        """Go on from the old run's step counts.

        mmengine's schedulers count ``_global_step`` (calls) and
        ``last_step`` (calls inside ``[begin, end)``; e.g. ``StepLR`` decays
        when ``last_step`` is a multiple of its step size). Both are taken
        from the old run, and this run's own range is shifted by the
        difference, so that it spans this run's iterations. The old run's
        ``begin`` / ``end`` (its own length) are not restored. When the old
        schedule ran to the old run's last iteration (``end`` = the run's
        length, the default), the step after that iteration fell on its
        ``end`` and was not applied; it is applied here
        (:func:`catch_up_schedule`), so that the learning rate of every
        iteration is the one an uninterrupted run would have (the
        release's staircase ``lr * 0.95 ** (step // 100000)`` of the global
        step).
        """
        for key in ('_global_step', 'last_step', 'end'):
            if key not in state:
                raise KeyError(f'scheduler state without {key!r}: '
                               f'{sorted(state)}')
        offset = state['_global_step'] - scheduler._global_step
        scheduler.begin += offset
        scheduler.end += offset
        scheduler._global_step = state['_global_step']
        scheduler.last_step = state['last_step']
        if state['end'] == state['_global_step']:
            catch_up_schedule(scheduler, state['end'])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(checkpoint={self.checkpoint!r}, '
                f'restore_optimizer={self.restore_optimizer}, '
                f'restore_schedule={self.restore_schedule})')
