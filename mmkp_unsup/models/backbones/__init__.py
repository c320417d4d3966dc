from .autolink_detector import AutoLinkDetector
from .encoders import ImageEncoder, KeypointEncoder

__all__ = ['ImageEncoder', 'KeypointEncoder', 'AutoLinkDetector']
