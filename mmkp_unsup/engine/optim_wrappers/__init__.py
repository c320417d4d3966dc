from .per_tensor_clip import (PerTensorClipAmpOptimWrapper,
                              PerTensorClipOptimWrapper)

__all__ = ['PerTensorClipOptimWrapper', 'PerTensorClipAmpOptimWrapper']
