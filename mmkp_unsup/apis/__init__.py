from .inference import (inference_landmarks, init_detector, init_model,
                        learned_keypoints_metainfo, read_image)

__all__ = [
    'init_model', 'init_detector', 'inference_landmarks',
    'learned_keypoints_metainfo', 'read_image'
]
