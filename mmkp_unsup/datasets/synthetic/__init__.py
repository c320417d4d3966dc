from .face_renderer import (FaceIdentity, FacePose, face_landmarks,
                            face_to_image, render_face, sample_identity,
                            sample_jittered_poses, sample_motion,
                            sample_pose)
from .synthetic_faces import SYNTHETIC_FACES_METAINFO, SyntheticFaceDataset

__all__ = [
    'FaceIdentity', 'FacePose', 'face_landmarks', 'face_to_image',
    'render_face', 'sample_identity', 'sample_pose', 'sample_motion',
    'sample_jittered_poses', 'SYNTHETIC_FACES_METAINFO',
    'SyntheticFaceDataset'
]
