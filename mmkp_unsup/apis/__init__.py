from .export import KeypointDetector, export_onnx, load_model
from .inference import (inference_landmarks, init_detector, init_model,
                        learned_keypoints_metainfo, read_image)

__all__ = [
    'KeypointDetector', 'export_onnx', 'load_model', 'init_model',
    'init_detector', 'inference_landmarks', 'learned_keypoints_metainfo',
    'read_image'
]
