from .encoders import ImageEncoder, KeypointEncoder

__all__ = ['ImageEncoder', 'KeypointEncoder']
