from .collapse_warning_hook import CollapseWarningHook
from .continue_training_hook import ContinueTrainingHook
from .landmark_visualization_hook import LandmarkVisualizationHook
from .run_time_estimate_hook import RunTimeEstimateHook
from .scheduler_end_hook import SchedulerEndHook
from .skipped_samples_hook import SkippedSamplesHook
from .untrained_baseline_hook import UntrainedBaselineHook
from .weights_only_checkpoint_hook import (WeightsOnlyCheckpointHook,
                                           decode_plain, encode_plain)

__all__ = [
    'LandmarkVisualizationHook', 'WeightsOnlyCheckpointHook', 'encode_plain',
    'decode_plain', 'ContinueTrainingHook', 'SkippedSamplesHook',
    'SchedulerEndHook', 'UntrainedBaselineHook', 'CollapseWarningHook',
    'RunTimeEstimateHook'
]
