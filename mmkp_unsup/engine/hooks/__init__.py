from .landmark_visualization_hook import LandmarkVisualizationHook
from .weights_only_checkpoint_hook import (WeightsOnlyCheckpointHook,
                                           decode_plain, encode_plain)

__all__ = [
    'LandmarkVisualizationHook', 'WeightsOnlyCheckpointHook', 'encode_plain',
    'decode_plain'
]
from .skipped_samples_hook import SkippedSamplesHook  # noqa: E402

__all__ += ['SkippedSamplesHook']
from .scheduler_end_hook import SchedulerEndHook  # noqa: E402

__all__ += ['SchedulerEndHook']
